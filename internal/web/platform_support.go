package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
)

// staffSupportPages are the processor's side: support staff ask a school
// for access and follow their requests (reading itself happens on the
// school's own pages, under the grant); operators keep the sub-processor
// register.
func (s *Site) staffSupportPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/platform/support", Summary: "My support access requests",
			Area: request.AreaPlatform, Object: "support-access", Action: "read",
			Handler: s.serve(s.mySupportPage)},
		{Method: "GET", Path: "/platform/support/new", Summary: "The form to ask a school for access",
			Area: request.AreaPlatform, Object: "support-access", Action: "read",
			Handler: s.serve(s.newSupportForm)},
		{Method: "POST", Path: "/platform/support/new", Summary: "Ask a school for access",
			Area: request.AreaPlatform, Object: "support-access", Action: "write",
			Handler: s.serve(s.fileSupport)},
		{Method: "GET", Path: "/platform/support/:id",
			Summary: "One of my support requests, with links to read when approved",
			Area:    request.AreaPlatform, Object: "support-access", Action: "read",
			Handler: s.serve(withID("id", "There is no such request.", s.mySupportRequestPage))},
		{Method: "GET", Path: "/platform/sub-processors", Summary: "The sub-processor register",
			Area: request.AreaPlatform, Object: "sub-processor-register", Action: "read",
			Handler: s.serve(s.registerPage)},
		{Method: "POST", Path: "/platform/sub-processors", Summary: "Add a sub-processor",
			Area: request.AreaPlatform, Object: "sub-processor-register", Action: "write",
			Handler: s.serve(s.addSubProcessor)},
	}
}

type mySupportData struct {
	Requests []support.Request
	Pager    pager
}

func (s *Site) mySupportPage(c *gin.Context) (page, error) {
	rs, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]support.Request, error) {
		return s.d.Support.ForStaff(c.Request.Context(), request.Principal(c).ID, after, limit)
	}, func(r support.Request) uuid.UUID { return r.ID })
	return show("platform_support", view{Title: "Support requests", Data: mySupportData{Requests: rs, Pager: pg}}), err
}

var supportFields = []string{"tenant", "ticket", "reason_code", "justification", "areas", "hours", "course_ids", "person_ids"}

func (s *Site) newSupportForm(c *gin.Context) (page, error) {
	return show("platform_support_new", view{Title: "Ask a school for access", Form: map[string]string{"hours": "4"}, Data: map[string]bool{}}), nil
}

func (s *Site) fileSupport(c *gin.Context) (page, error) {
	form := posted(c, supportFields...)
	areas := c.PostFormArray("areas")
	chosen := ticked(areas)
	fe := map[string]string{}
	in := support.NewRequest{Ticket: form["ticket"], ReasonCode: form["reason_code"], Justification: form["justification"], Areas: areas}
	hours, err := strconv.Atoi(form["hours"])
	if err != nil || hours < 1 || hours > 24 {
		fe["hours"] = "Choose how many hours, from 1 to 24"
	}
	in.DurationMinutes = hours * 60
	in.CourseIDs, fe = uuidLines(form["course_ids"], "course_ids", fe)
	in.PersonIDs, fe = uuidLines(form["person_ids"], "person_ids", fe)
	ctx := c.Request.Context()
	t, terr := s.d.Tenants.BySlug(ctx, form["tenant"])
	if terr != nil {
		fe["tenant"] = "Enter the school's sign-in name, as on its contract"
	}
	if len(fe) == 0 {
		r, err := s.d.Support.File(ctx, request.Principal(c).ID, t.ID, in)
		if m, isField := formErrors(err); isField {
			fe = labelled(m, map[string]string{"ticket": "The ticket", "reason_code": "The reason", "justification": "The explanation",
				"areas": "What you need to read", "duration_minutes": "The time", "course_ids": "The course list", "person_ids": "The list of people"})
		} else if errsIsForbidden(err) {
			fe["tenant"] = strings.TrimSuffix(err.Error(), ": forbidden")
		} else if err != nil {
			return page{}, err
		} else {
			return goTo("/platform/support/" + r.ID.String() + "?done=requested"), nil
		}
	}
	return again("platform_support_new", view{Title: "Ask a school for access", Form: form, Errors: fe, Fields: supportFields, Data: chosen}), nil
}

// labelled puts each field's label before the service's message, and
// files messages about fields the form lacks under the nearest one.
func labelled(m, labels map[string]string) map[string]string {
	out := map[string]string{}
	for f, msg := range m {
		if f == "duration_minutes" {
			f = "hours"
			out[f] = "The time " + msg
			continue
		}
		out[f] = sentence(labels[f], msg)
	}
	return out
}

// sentence makes a field's problem readable: a predicate ("must be …",
// "is required") takes the field's label as its subject; a message that
// is a sentence of its own ("a child under 13 needs …") stands alone.
func sentence(label, msg string) string {
	for _, p := range []string{"must ", "is ", "are ", "cannot ", "may ", "should "} {
		if strings.HasPrefix(msg, p) || label == "" {
			return strings.TrimSpace(label + " " + msg)
		}
	}
	if msg == "" {
		return label
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// uuidLines reads ids one per line (or separated by commas or spaces).
func uuidLines(text, field string, fe map[string]string) ([]uuid.UUID, map[string]string) {
	var out []uuid.UUID
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' }) {
		id, err := uuid.Parse(f)
		if err != nil {
			fe[field] = "Give ids from the ticket, one per line, or leave this empty"
			return nil, fe
		}
		out = append(out, id)
	}
	return out, fe
}

func errsIsForbidden(err error) bool { return errors.Is(err, errs.ErrForbidden) }

type mySupportRequestData struct {
	R     support.Request
	Reads []navLink // where to read, when approved
}

func (s *Site) mySupportRequestPage(c *gin.Context, id uuid.UUID) (page, error) {
	r, err := s.d.Support.Mine(c.Request.Context(), request.Principal(c).ID, id)
	if err != nil {
		return page{}, err
	}
	d := mySupportRequestData{R: r}
	if r.State == support.StateApproved {
		b := "/t/" + r.TenantSlug
		links := map[string]navLink{
			"people": {Label: "People", Href: b + "/admin/people"}, "courses": {Label: "Courses", Href: b + "/courses"},
			"assignments": {Label: "Courses (assignments)", Href: b + "/courses"}, "discussion": {Label: "Courses (forums)", Href: b + "/courses"},
			"engagement": {Label: "Courses (engagement)", Href: b + "/courses"}, "roster": {Label: "Roster imports", Href: b + "/admin/roster"},
		}
		for _, a := range r.Areas {
			d.Reads = append(d.Reads, links[a])
		}
	}
	return show("platform_support_request", view{Title: "Support request " + r.Ticket, Data: d}), nil
}

type registerData struct {
	List     []support.SubProcessor
	CanWrite bool
	// Adequacy are the countries beyond the UK and the EEA this
	// deployment accepts (none by default).
	Adequacy []string
}

func (s *Site) registerPage(c *gin.Context) (page, error) {
	return s.showRegister(c, http.StatusOK, view{Form: map[string]string{"objection_days": "30"}})
}

// showRegister is the sub-processor register with status; v carries the
// form's values and errors when it comes back with a problem.
func (s *Site) showRegister(c *gin.Context, status int, v view) (page, error) {
	list, err := s.d.Support.SubProcessors(c.Request.Context(), nil)
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Sub-processors", []string{"name", "purpose", "country", "objection_days"}
	v.Data = registerData{List: list, CanWrite: s.allowed(c, request.Principal(c), "sub-processor-register", "write"), Adequacy: s.d.Support.AdequacyAllowed()}
	return page{status: status, name: "platform_subprocessors", view: v}, nil
}

func (s *Site) addSubProcessor(c *gin.Context) (page, error) {
	form := posted(c, "name", "purpose", "country", "objection_days")
	days, err := strconv.Atoi(form["objection_days"])
	if err != nil {
		return s.showRegister(c, http.StatusBadRequest, view{Form: form, Errors: map[string]string{"objection_days": "Enter a number of days from 14 to 90"}})
	}
	_, err = s.d.Support.AddSubProcessor(c.Request.Context(), request.Principal(c).ID, support.NewSubProcessor{Name: form["name"], Purpose: form["purpose"], Country: form["country"], ObjectionDays: days})
	if fe, isField := formErrors(err); isField {
		return s.showRegister(c, http.StatusBadRequest, view{Form: form, Errors: fe})
	} else if conflict(err) {
		return s.showRegister(c, http.StatusConflict, view{Form: form, Errors: map[string]string{"name": "A sub-processor of that name is already registered"}})
	} else if err != nil {
		return page{}, err
	}
	return goTo("/platform/sub-processors?done=sp-added"), nil
}
