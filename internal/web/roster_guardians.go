package web

import (
	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/request"
)

// rosterGuardianPages let an admin say, per school, whether a roster
// import makes accounts for pupils' parents and carers (off by default).
func (s *Site) rosterGuardianPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/admin/roster/guardians", Summary: "Whether a roster import makes parents' and carers' accounts, per school",
			Area: request.AreaTenant, Object: "roster", Action: "read", Handler: s.serve(s.rosterGuardiansPage)},
		{Method: "POST", Path: tp + "/admin/roster/guardians", Summary: "Save whether a roster import makes parents' and carers' accounts",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.saveRosterGuardians)},
	}
}

func (s *Site) rosterGuardiansPage(c *gin.Context) (page, error) {
	return s.schoolSettingPage(c, "admin_roster_guardians", "Parents and carers from the roster", s.d.Roster.Guardians)
}

// saveRosterGuardians saves every school on the form: those ticked get
// guardian accounts from their next roster import.
func (s *Site) saveRosterGuardians(c *gin.Context) (page, error) {
	return s.saveSchoolSetting(c, "/admin/roster/guardians", s.d.Roster.SetGuardians)
}
