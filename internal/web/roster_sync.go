package web

import (
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/rostersync"
	"github.com/schoolcloud/lms/internal/request"
)

// rosterSyncPages are where a school's admins let their MIS sync tool
// deliver roster files: integration credentials (made, shown once,
// revoked), when deliveries are applied, and the latest deliveries with
// their runs. Anyone who may read the roster sees the page; only an admin
// of the whole tenant may change it (the service checks).
func (s *Site) rosterSyncPages() []request.Route {
	a := tp + rostersync.SyncPage
	return []request.Route{
		{Method: "GET", Path: a, Summary: "Roster sync: the MIS's credentials, the schedule and the latest deliveries",
			Area: request.AreaTenant, Object: "roster", Action: "read", Handler: s.serve(s.rosterSyncPage)},
		{Method: "POST", Path: a + "/credentials", Summary: "Make a roster sync credential (shown once)",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.createRosterCredential)},
		{Method: "POST", Path: a + "/credentials/:id/revoke", Summary: "Revoke a roster sync credential",
			Area: request.AreaTenant, Object: "school-settings", Action: "write",
			Handler: s.serve(withID("id", "No such credential.", s.revokeRosterCredential))},
		{Method: "POST", Path: a + "/schedule", Summary: "Choose when delivered roster files are applied",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.saveRosterSchedule)},
	}
}

type rosterSyncData struct {
	Base         string
	TenantWide   bool
	Integrations []rostersync.Integration
	Issued       *rostersync.Issued
	DeliveryURL  string
	EveryHours   string
	At           string // a daily schedule's time of day, "06:00"
	Choices      []choice
	Deliveries   []deliveryRow
}

// deliveryRow is one delivery as the page shows it.
type deliveryRow struct {
	rostersync.Delivery
	Words string
}

var deliveryWords = map[rostersync.Status]string{
	rostersync.Delivered: "Waiting for the schedule", rostersync.Applying: "Being applied",
	rostersync.Applied: "Applied", rostersync.Rejected: "Not applied: the files have problems",
	rostersync.Held: "Held: an admin must confirm it", rostersync.Failed: "Could not run",
	rostersync.Superseded: "Skipped: a later delivery was applied",
}

var rosterSyncFlashes = map[string]string{
	"revoked": "Revoked. The sync tool can no longer deliver with that credential.",
	"saved":   "Saved.",
}

// scheduleWords says each schedule choice in words.
func scheduleWords(h int) string {
	switch h {
	case 0:
		return "As soon as they arrive (within a minute)"
	case 1:
		return "At most once an hour"
	case rostersync.Daily:
		return "Once a day"
	}
	return fmt.Sprintf("At most once every %d hours", h)
}

func (s *Site) rosterSyncPage(c *gin.Context) (page, error) {
	return s.showRosterSync(c, view{Flash: rosterSyncFlashes[c.Query("done")]}, nil)
}

func (s *Site) showRosterSync(c *gin.Context, v view, issued *rostersync.Issued) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	ins, err := s.d.RosterSync.List(ctx, sc)
	if err != nil {
		return page{}, err
	}
	sch, err := s.d.RosterSync.Schedule(ctx, sc)
	if err != nil {
		return page{}, err
	}
	ds, err := s.d.RosterSync.Deliveries(ctx, sc, 20)
	if err != nil {
		return page{}, err
	}
	d := rosterSyncData{Base: base(c), TenantWide: sc.TenantWide(), Integrations: ins, Issued: issued,
		DeliveryURL: s.d.Config.PublicURL + "/api/v1/t/" + c.Param("tenant") + "/roster/deliveries",
		EveryHours:  strconv.Itoa(sch.EveryHours), At: rostersync.TimeOfDay(sch.AtMinute)}
	for _, h := range rostersync.ScheduleChoices {
		d.Choices = append(d.Choices, choice{strconv.Itoa(h), scheduleWords(h)})
	}
	for _, x := range ds {
		d.Deliveries = append(d.Deliveries, deliveryRow{Delivery: x, Words: deliveryWords[x.Status]})
	}
	if _, typed := v.Form["every_hours"]; typed {
		d.EveryHours, d.At = v.Form["every_hours"], v.Form["at"] // what was typed stays
	}
	v.Title, v.Data, v.Fields = "Roster sync", d, []string{"name", "every_hours", "at"}
	if len(v.Errors) > 0 {
		return again("admin_roster_sync", v), nil
	}
	return show("admin_roster_sync", v), nil
}

// createRosterCredential makes a credential and shows its secret on the
// page it answers with: the only time it is shown.
func (s *Site) createRosterCredential(c *gin.Context) (page, error) {
	form := formValues(c, "name")
	iss, err := s.d.RosterSync.Create(c.Request.Context(), request.Scope(c), form["name"])
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showRosterSync(c, view{Form: form, Errors: fe}, nil)
	}
	return s.showRosterSync(c, view{Flash: "Made. Copy the credential now: it is not shown again."}, &iss)
}

func (s *Site) revokeRosterCredential(c *gin.Context, id uuid.UUID) (page, error) {
	if err := s.d.RosterSync.Revoke(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	return goTo(base(c) + rostersync.SyncPage + "?done=revoked"), nil
}

func (s *Site) saveRosterSchedule(c *gin.Context) (page, error) {
	form := formValues(c, "every_hours", "at")
	h, perr := strconv.Atoi(form["every_hours"])
	if perr != nil {
		h = -1 // the service refuses it with the choices
	}
	fe, err := formOutcome(s.d.RosterSync.SetSchedule(c.Request.Context(), request.Scope(c), h, form["at"]), nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		fe = labelled(fe, map[string]string{"every_hours": "The schedule", "at": "The time of day"})
		return s.showRosterSync(c, view{Form: form, Errors: fe}, nil)
	}
	return goTo(base(c) + rostersync.SyncPage + "?done=saved"), nil
}
