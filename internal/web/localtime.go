package web

import (
	"html/template"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// Pages show and read times in the viewer's local time: their school's
// zone, else their tenant's (default Europe/London). Processor staff see
// London time on the platform's own pages and the school's time when they
// read a school's pages.

const zoneKey = "web.zone"

// zone is the time zone the page is written in, looked up once a request.
func (s *Site) zone(c *gin.Context) *time.Location {
	if v, ok := c.Get(zoneKey); ok {
		return v.(*time.Location)
	}
	loc := s.lookUpZone(c)
	c.Set(zoneKey, loc)
	return loc
}

func (s *Site) lookUpZone(c *gin.Context) *time.Location {
	ctx := c.Request.Context()
	p := request.Principal(c)
	var (
		loc *time.Location
		err error
	)
	switch {
	case p.Kind == identity.KindMember && p.ID != [16]byte{}:
		sc := accessMember(p)
		if l, ok := s.courseZone(c, sc); ok {
			return l
		}
		loc, err = s.d.Tenants.ZoneOf(ctx, sc, p.ID)
	case p.Kind == identity.KindStaff && c.Param("tenant") != "":
		if sc, ok := request.ReadingScope(c); ok {
			loc, err = s.d.Tenants.Zone(ctx, sc.Tenant())
		}
	}
	if err != nil {
		// A page in London time is better than no page; the zone is
		// shown on the page, so a reader is not misled.
		slog.WarnContext(ctx, "time zone unknown; showing London time", "err", err)
	}
	if loc == nil {
		return localtime.London
	}
	return loc
}

// courseZone is, on a page about a course (its address names the course
// or something of it), the zone of the course's school when a school of
// the tenant keeps a zone of its own: a deadline is the school's 23:59,
// whoever sets or reads it. ok is false elsewhere, and then the viewer's
// zone applies.
func (s *Site) courseZone(c *gin.Context, sc access.Scope) (*time.Location, bool) {
	ctx := c.Request.Context()
	if own, err := s.d.Tenants.SchoolsKeepOwnZones(ctx, sc); err != nil || !own {
		return nil, false
	}
	for _, kind := range course.SchoolParams {
		id, err := uuid.Parse(c.Param(kind))
		if err != nil {
			continue
		}
		school, ok, err := s.d.Courses.SchoolOf(ctx, sc, kind, id)
		if err != nil || !ok {
			return nil, false
		}
		loc, err := s.d.Tenants.SchoolZone(ctx, sc, school)
		if err != nil {
			return nil, false
		}
		return loc, true
	}
	return nil, false
}

// localTime reads a datetime-local field as wall-clock time in loc.
func localTime(fe map[string]string, name, v string, loc *time.Location) time.Time {
	t, err := localtime.Parse(v, loc)
	switch {
	case err == localtime.ErrNoSuchTime:
		fe[name] = "That time does not exist on that day because the clocks go forward: choose a time an hour later"
	case err != nil:
		fe[name] = "Enter a date and time"
	}
	return t
}

// zoneFuncs are the template functions that depend on the zone.
func zoneFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"date": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return localtime.DateTime(v, loc)
			case *time.Time:
				if v != nil {
					return localtime.DateTime(*v, loc)
				}
			}
			return ""
		},
		// day is the date of an instant in the zone, or a calendar date
		// (a contract's, a birth date) as it is.
		"day": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return dayOf(v, loc)
			case *time.Time:
				if v != nil {
					return dayOf(*v, loc)
				}
			case tenant.Date:
				return localtime.CalendarDate(v.Time)
			case *tenant.Date:
				if v != nil {
					return localtime.CalendarDate(v.Time)
				}
			}
			return ""
		},
		// local is an instant as the value of a datetime-local field.
		"local": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return localtime.Input(v, loc)
			case *time.Time:
				if v != nil {
					return localtime.Input(*v, loc)
				}
			}
			return ""
		},
		// zoneName names the zone the page's times are in ("UK time").
		"zoneName": func() string { return zoneName(loc) },
	}
}

// dayOf: PostgreSQL date columns arrive as midnight UTC; they are calendar
// dates and are not moved. Instants are shown on their local day.
func dayOf(t time.Time, loc *time.Location) string {
	if t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour)) {
		return localtime.CalendarDate(t)
	}
	return localtime.Date(t, loc)
}

// zoneName is how a form labels its times: "UK time" for London, else the
// place ("Europe/Dublin" → "Dublin time").
func zoneName(loc *time.Location) string {
	if loc.String() == localtime.Default {
		return "UK time"
	}
	n := loc.String()
	n = n[strings.LastIndex(n, "/")+1:]
	return strings.ReplaceAll(n, "_", " ") + " time"
}

// zonedTemplates holds one parsed set of page templates per time zone in
// use (usually one), so templates write {{date .DueAt}} and get the
// viewer's local time.
type zonedTemplates struct {
	mu     sync.Mutex
	byZone map[string]*templates
}

func newZonedTemplates() *zonedTemplates {
	z := &zonedTemplates{byZone: map[string]*templates{}}
	z.byZone[localtime.Default] = mustParse(localtime.London)
	return z
}

func (z *zonedTemplates) in(loc *time.Location) *templates {
	z.mu.Lock()
	defer z.mu.Unlock()
	t, ok := z.byZone[loc.String()]
	if !ok {
		t = mustParse(loc)
		z.byZone[loc.String()] = t
	}
	return t
}
