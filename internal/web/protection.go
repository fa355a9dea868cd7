package web

import (
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/processor/breach"
	"github.com/schoolcloud/lms/internal/processor/records"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// protectionPages are the school's data-protection hub: what the processor
// did and may do with its data (support access, the access log,
// sub-processors, breaches, security signals, the processor's records).
func (s *Site) protectionPages() []request.Route {
	a := tp + "/admin"
	return []request.Route{
		{Method: "GET", Path: a + "/protection",
			Summary: "Data protection: what the processor does with the school's data",
			Area:    request.AreaTenant, Object: "support-request", Action: "read",
			Handler: s.serve(s.protectionPage)},
		{Method: "GET", Path: a + "/breaches",
			Summary: "Breaches that affect the school, with the 72-hour clock", Area: request.AreaTenant,
			Object: "breach", Action: "read", Handler: s.serve(s.breachesPage)},
		{Method: "GET", Path: a + "/security", Summary: "Security signals", Area: request.AreaTenant,
			Object: "security-event", Action: "read", Handler: s.serve(s.securityPage)},
		{Method: "GET", Path: a + "/processor-records",
			Summary: "The processor's record of processing for the school", Area: request.AreaTenant,
			Object: "processor-records", Action: "read", Handler: s.serve(s.recordsPage)},
	}
}

type protectionData struct {
	Base             string
	Pending, InForce int
	OpenBreaches     int
	CanAdmin         bool
}

func (s *Site) protectionPage(c *gin.Context) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	rs, err := s.d.Support.ForTenant(ctx, sc, uuid.Nil, 200)
	if err != nil {
		return page{}, err
	}
	d := protectionData{Base: base(c), CanAdmin: s.allowed(c, request.Principal(c), "breach", "read")}
	for _, r := range rs {
		switch r.State {
		case support.StatePending:
			d.Pending++
		case support.StateApproved:
			d.InForce++
		}
	}
	if d.CanAdmin {
		bs, err := s.d.Breaches.ForTenant(ctx, sc)
		if err != nil {
			return page{}, err
		}
		for _, b := range bs {
			if b.Status != breach.Closed {
				d.OpenBreaches++
			}
		}
	}
	return show("protection", view{Title: "Data protection", Data: d}), nil
}

type breachesData struct {
	Base     string
	Breaches []breach.Breach
	Now      time.Time
}

func (s *Site) breachesPage(c *gin.Context) (page, error) {
	bs, err := s.d.Breaches.ForTenant(c.Request.Context(), request.Scope(c))
	return show("breaches", view{Title: "Breaches", Data: breachesData{Base: base(c), Breaches: bs, Now: s.now()}}), err
}

type securityData struct {
	Base   string
	Events []identity.SecurityEvent
}

func (s *Site) securityPage(c *gin.Context) (page, error) {
	es, err := s.d.Identity.SecurityEvents(c.Request.Context(), request.Scope(c), database.Page{Limit: 100})
	return show("security", view{Title: "Security signals", Data: securityData{Base: base(c), Events: es}}), err
}

type recordsData struct {
	Base string
	R    records.Record
}

func (s *Site) recordsPage(c *gin.Context) (page, error) {
	r, err := s.d.Records.For(c.Request.Context(), request.Scope(c))
	return show("processor_records", view{Title: "The processor's records", Data: recordsData{Base: base(c), R: r}}), err
}

// hoursLeft says how long is left until t, for the breach clock.
func hoursLeft(now, t time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "the 72 hours have passed"
	}
	return plural(int(d.Hours()), "hour") + " left"
}

// hoursAgo says how long ago t was, for the clock since detection.
func hoursAgo(now, t time.Time) string {
	h := int(now.Sub(t).Hours())
	if h < 1 {
		return "under an hour ago"
	}
	return plural(h, "hour") + " ago"
}
