package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// copyPages copy a course from its builder: its structure, content,
// files, quizzes and assignments go into a new draft course of the same
// school whose one teacher is the copier; never its people or their work.
func (s *Site) copyPages() []request.Route {
	const noCourse = "There is no such course."
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/copy", Summary: "Copy a course (its teachers, its school's admins)",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(withID("course", noCourse, s.copyCoursePage))},
		{Method: "POST", Path: tp + "/courses/:course/copy", Summary: "Copy a course into a new draft course",
			Area: request.AreaTenant, Object: "course", Action: "write", Handler: s.serve(withID("course", noCourse, s.copyCourse))},
		{Method: "GET", Path: tp + "/rollovers/new", Summary: "Roll courses of a school over for a new year (its admins)",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(s.newRolloverPage)},
		{Method: "POST", Path: tp + "/rollovers", Summary: "Start a rollover (copied in the background)",
			Area: request.AreaTenant, Object: "course", Action: "write", Handler: s.serve(s.startRollover)},
		{Method: "GET", Path: tp + "/rollovers/:rollover", Summary: "A rollover's progress",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(withID("rollover", "There is no such rollover.", s.rolloverPage))},
	}
}

type copyData struct {
	Base   string
	Course course.Course
	Terms  []choice // the tenant's terms, for the copy's
}

func (s *Site) copyCoursePage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showCopy(c, id, http.StatusOK, view{Form: map[string]string{}})
}

func (s *Site) showCopy(c *gin.Context, id uuid.UUID, status int, v view) (page, error) {
	pv, err := s.d.Courses.Page(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	ts, err := s.courseTerms(c)
	if err != nil {
		return page{}, err
	}
	if _, typed := v.Form["title"]; !typed {
		v.Form["title"] = pv.Course.Title + " (copy)"
		if next := ts.next(pv.Course); next != nil {
			v.Form["term_id"] = next.ID.String() // the term after the course's: the usual copy
		}
	}
	d := copyData{Base: base(c), Course: pv.Course}
	for _, t := range ts.All {
		d.Terms = append(d.Terms, termChoice(t))
	}
	v.Title, v.Fields, v.Data = "Copy "+pv.Course.Title, []string{"title", "term_id"}, d
	return page{status: status, name: "course_copy", view: v}, nil
}

func (s *Site) copyCourse(c *gin.Context, id uuid.UUID) (page, error) {
	form := posted(c, "title", "term_id")
	in := course.CopyInput{Title: form["title"]}
	var err error
	if in.TermID, err = formTerm(form["term_id"]); err != nil {
		return s.showCopy(c, id, http.StatusBadRequest, view{Form: form, Errors: map[string]string{"term_id": "Choose a term from the list"}})
	}
	cp, err := s.d.Courses.Copy(c.Request.Context(), request.Scope(c), id, in)
	if fe, err := formOutcome(err, nil); err != nil {
		return page{}, err
	} else if len(fe) > 0 {
		return s.showCopy(c, id, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/courses/" + cp.ID.String() + "/edit?done=course-made"), nil
}

// --- rollover ------------------------------------------------------------

type rolloverData struct {
	Base     string
	Schools  []tenant.School
	School   uuid.UUID
	Courses  []course.Course
	Chosen   map[string]bool
	Rollover course.Rollover
	// Terms are the tenant's terms for the copies'; Moves says, per
	// course, from which term into which its copy goes by default.
	Terms []choice
	Moves map[uuid.UUID]string
}

// newRolloverPage lists the chosen school's courses with a box each.
func (s *Site) newRolloverPage(c *gin.Context) (page, error) {
	return s.showNewRollover(c, http.StatusOK, view{Form: map[string]string{"school_id": c.Query("school")}}, nil)
}

func (s *Site) showNewRollover(c *gin.Context, status int, v view, chosen map[string]bool) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	schools, err := s.schoolsOf(c)
	if err != nil {
		return page{}, err
	}
	d := rolloverData{Base: base(c), Schools: schools, Chosen: chosen}
	if id, err := uuid.Parse(v.Form["school_id"]); err == nil {
		d.School = id
	} else if len(schools) == 1 {
		d.School = schools[0].ID
	}
	if d.School != uuid.Nil {
		if d.Courses, err = s.d.Courses.List(ctx, sc, course.Filter{SchoolID: &d.School}, uuid.Nil, 500); err != nil {
			return page{}, err
		}
	}
	ts, err := s.courseTerms(c)
	if err != nil {
		return page{}, err
	}
	d.Moves = map[uuid.UUID]string{}
	for _, t := range ts.All {
		d.Terms = append(d.Terms, termChoice(t))
	}
	for _, cr := range d.Courses {
		if from, to := ts.of(cr), ts.next(cr); from != nil && to != nil {
			d.Moves[cr.ID] = from.Title + ", copied into " + to.Title
		} else if from != nil {
			d.Moves[cr.ID] = from.Title + ", the last term: copied into no term"
		}
	}
	if _, typed := v.Form["term_id"]; !typed {
		v.Form["term_id"] = ""
	}
	if _, typed := v.Form["suffix"]; !typed {
		v.Form["suffix"] = ""
	}
	v.Title, v.Fields, v.Data = "Roll courses over", []string{"course_ids", "suffix", "term_id"}, d
	return page{status: status, name: "rollover_new", view: v}, nil
}

func (s *Site) startRollover(c *gin.Context) (page, error) {
	form := posted(c, "school_id", "suffix", "term_id")
	chosen := map[string]bool{}
	in := course.NewRollover{Suffix: form["suffix"]}
	var err error
	if in.SchoolID, err = uuid.Parse(form["school_id"]); err != nil {
		return page{}, errs.New(errs.ErrInvalid, "Choose the school first.")
	}
	if in.TermID, err = formTerm(form["term_id"]); err != nil {
		return page{}, errs.New(errs.ErrInvalid, "Choose a term from the list.")
	}
	for _, raw := range c.PostFormArray("course_ids") {
		id, err := uuid.Parse(raw)
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "Choose courses from the list.")
		}
		in.CourseIDs = append(in.CourseIDs, id)
		chosen[raw] = true
	}
	r, err := s.d.Courses.StartRollover(c.Request.Context(), request.Scope(c), in)
	if fe, err := formOutcome(err, nil); err != nil {
		return page{}, err
	} else if len(fe) > 0 {
		return s.showNewRollover(c, http.StatusBadRequest, view{Form: form, Errors: fe}, chosen)
	}
	return goTo(base(c) + "/rollovers/" + r.ID.String()), nil
}

func (s *Site) rolloverPage(c *gin.Context, id uuid.UUID) (page, error) {
	r, err := s.d.Courses.GetRollover(c.Request.Context(), request.Scope(c), id)
	return show("rollover", view{Title: "Rollover " + r.Suffix, Data: rolloverData{Base: base(c), Rollover: r}}), err
}

// formTerm reads a form's term choice ("" for none).
func formTerm(v string) (*uuid.UUID, error) {
	if v == "" {
		return nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return nil, err
	}
	return &id, nil
}
