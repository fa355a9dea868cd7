// Package web is the server-rendered pages people use: sign-in, learners'
// and teachers' courses, school administration and the processor's
// operator pages. Pages are rows of the one route table (internal/request), so
// they pass the same authentication, tenant resolution and casbin checks
// as the API, and they call the same services with the same scopes.
//
// Pages are Go templates around one layout (layout.html): navigation per
// role, a skip link, one <main>. No inline script or style: the
// Content-Security-Policy allows only this origin's files under /static.
// Every form carries the session's CSRF token (first, so that in an upload
// it is checked before the file is read).
package web

import (
	"time"

	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/services"
)

// Site renders the pages.
type Site struct {
	d     services.Set
	pages *zonedTemplates
	now   func() time.Time
	words *routeWords // the route table's summaries (words.go)
}

// New prepares the pages; it panics on a template that does not parse,
// which a test catches.
func New(d services.Set) *Site {
	s := &Site{d: d, pages: newZonedTemplates(), now: time.Now}
	s.words = describe(s.Routes())
	return s
}

// Routes are the pages' rows of the route table, gathered by area; each
// area's routes live next to its handlers.
func (s *Site) Routes() []request.Route {
	var all []request.Route
	for _, area := range [][]request.Route{
		s.basePages(),
		s.coursePages(),
		s.buildPages(),
		s.copyPages(),
		s.cartridgePages(),
		s.schoolPages(),
		s.supportPages(),
		s.protectionPages(),
		s.dataUsePages(),
		s.platformPages(),
		s.staffSupportPages(),
		s.staffPages(),
		s.legalPages(),
		s.requestPages(),
		s.myDataPages(),
		s.childrenPages(),
		s.timeZonePages(),
		s.retentionPages(),
		s.lifecyclePages(),
		s.timelinePages(),
		s.unsubscribePages(),
		s.quizPages(),
		s.quizSetupPages(),
		s.gradebookPages(),
		s.surveyPages(),
		s.peerPages(),
		s.tutorPages(),
		s.messagePages(),
		s.notificationPages(),
		s.mediaPages(),
		s.usagePages(),
		s.passwordLinkPages(),
		s.recoverPages(),
		s.adminToolPages(),
		s.personNamePages(),
		s.markingPages(),
		s.forumPages(),
		s.enrolPages(),
		s.duePages(),
		s.twoStepPages(),
		s.passkeyPages(),
		s.ssoPages(),
		s.signInOptionPages(),
		s.sessionPages(),
		s.signInPages(),
		s.rosterSyncPages(),
		s.integrationPages(),
		s.rosterGuardianPages(),
		s.rosterSchoolPages(),
	} {
		for _, rt := range area {
			rt.Page = true
			all = append(all, rt)
		}
	}
	return all
}

const tp = "/t/:tenant"
