package web

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// enrolPages are how a course's teachers put learners of their school on
// it, where the school allows them: search by part of a name, username or
// class (a plain form; a few lines of app.js make it a type-ahead over the
// JSON search), tick and enrol, or enrol a whole class or teaching group at
// once; and take learners off. The school's admins choose whether its
// teachers may. The course service decides who may and never lists people
// of another school (nor, by row-level security, another tenant).
func (s *Site) enrolPages() []request.Route {
	const noCourse = "There is no such course."
	rt := func(method, path, summary, object, action string, h pageHandler) request.Route {
		return request.Route{Method: method, Path: tp + path, Summary: summary, Area: request.AreaTenant,
			Object: object, Action: action, Handler: s.serve(h)}
	}
	return []request.Route{
		rt("GET", "/courses/:course/people", "People on a course, and (where the school allows) a search to enrol its learners",
			"enrolment", "read", withID("course", noCourse, s.coursePeople)),
		rt("GET", "/courses/:course/people/search", "Learners of the course's school matching q, as JSON for the type-ahead",
			"enrolment", "read", withID("course", noCourse, s.peopleSearch)),
		rt("POST", "/courses/:course/people", "Enrol the ticked learners", "enrolment", "write", withID("course", noCourse, s.enrolTicked)),
		rt("POST", "/courses/:course/people/from", "Enrol every learner of a class or teaching group", "enrolment", "write",
			withID("course", noCourse, s.enrolFrom)),
		rt("POST", "/courses/:course/people/:person/delete", "Take a learner off a course", "enrolment", "write",
			withID("course", noCourse, s.takeOff)),
		rt("GET", "/admin/teachers-enrol", "Whether each school's teachers enrol its learners (admins)", "person", "read", s.teachersEnrolPage),
		rt("POST", "/admin/teachers-enrol", "Save whether each school's teachers enrol its learners", "enrolment", "write", s.saveTeachersEnrol),
	}
}

type coursePeopleData struct {
	Base       string
	Course     course.Course
	MayEnrol   bool
	Query      string
	Searched   bool
	Candidates []course.Candidate
	Sources    []course.Source
	Ticked     map[string]bool
	People     []course.Enrolment
	Pager      pager
}

// coursePeopleView is the people page: who is on the course, and for those
// who may enrol, what a search (q) found and the classes and groups.
func (s *Site) coursePeopleView(c *gin.Context, id uuid.UUID, q string) (view, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return view{}, err
	}
	people, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]course.Enrolment, error) {
		return s.d.Courses.Enrolments(ctx, sc, id, "", "", after, limit)
	}, func(x course.Enrolment) uuid.UUID { return x.PersonID })
	if err != nil {
		return view{}, err
	}
	d := coursePeopleData{Base: base(c), Course: pv.Course, Query: q, People: people, Pager: pg, Ticked: map[string]bool{}}
	v := view{Title: "People on " + pv.Course.Title, Fields: []string{"q", "people"}, Form: map[string]string{"q": q}, Data: &d}
	d.Sources, err = s.d.Courses.Sources(ctx, sc, id, q)
	switch {
	case errors.Is(err, errs.ErrForbidden):
		return v, nil // the school's admins enrol here
	case err != nil:
		if fe, isField := formErrors(err); isField {
			d.MayEnrol, v.Errors = true, fe
			return v, nil
		}
		return view{}, err
	}
	d.MayEnrol = true
	if q != "" {
		d.Searched = true
		d.Candidates, err = s.d.Courses.Candidates(ctx, sc, id, q)
		if fe, isField := formErrors(err); isField {
			v.Errors = fe
		} else if err != nil {
			return view{}, err
		}
	}
	return v, nil
}

func (s *Site) coursePeople(c *gin.Context, id uuid.UUID) (page, error) {
	v, err := s.coursePeopleView(c, id, strings.TrimSpace(c.Query("q")))
	if err != nil {
		return page{}, err
	}
	if len(v.Errors) > 0 {
		return again("course_people", v), nil
	}
	return show("course_people", v), nil
}

// peopleSearch answers the type-ahead: the candidates as JSON (field
// errors too, for the script to say).
func (s *Site) peopleSearch(c *gin.Context, id uuid.UUID) (page, error) {
	list, err := s.d.Courses.Candidates(c.Request.Context(), request.Scope(c), id, c.Query("q"))
	if err != nil {
		return page{}, err
	}
	body, err := json.Marshal(list)
	return send(file{contentType: "application/json; charset=utf-8", body: body}), err
}

func (s *Site) enrolTicked(c *gin.Context, id uuid.UUID) (page, error) {
	var people []uuid.UUID
	for _, v := range c.PostFormArray("person") {
		p, err := uuid.Parse(v)
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "The form named someone who is not a person.")
		}
		people = append(people, p)
	}
	_, err := s.d.Courses.EnrolLearners(c.Request.Context(), request.Scope(c), id, people)
	if fe, isField := formErrors(err); isField {
		q := strings.TrimSpace(c.PostForm("q"))
		v, err := s.coursePeopleView(c, id, q)
		if err != nil {
			return page{}, err
		}
		v.Errors = fe
		v.Data.(*coursePeopleData).Ticked = ticked(c.PostFormArray("person"))
		return again("course_people", v), nil
	}
	return goTo(base(c) + "/courses/" + id.String() + "/people?done=learners-enrolled"), err
}

func (s *Site) enrolFrom(c *gin.Context, id uuid.UUID) (page, error) {
	src, err := uuid.Parse(c.PostForm("source"))
	if err != nil {
		return page{}, errs.New(errs.ErrInvalid, "Choose a class or teaching group.")
	}
	_, err = s.d.Courses.EnrolSource(c.Request.Context(), request.Scope(c), id, c.PostForm("kind"), src)
	return goTo(base(c) + "/courses/" + id.String() + "/people?done=group-enrolled"), err
}

func (s *Site) takeOff(c *gin.Context, id uuid.UUID) (page, error) {
	person, ok := pathID(c, "person")
	if !ok {
		return page{}, errs.New(errs.ErrNotFound, "There is no such person on the course.")
	}
	return goTo(base(c) + "/courses/" + id.String() + "/people?done=unenrolled"), s.d.Courses.Unenrol(c.Request.Context(), request.Scope(c), id, person)
}

// --- the school's setting ---------------------------------------------

type teachersEnrolData struct {
	Base    string
	Schools []schoolSetting
}

type schoolSetting struct {
	School tenant.School
	Allows bool
}

func (s *Site) teachersEnrolPage(c *gin.Context) (page, error) {
	return s.schoolSettingPage(c, "admin_teachers_enrol", "Who enrols learners", s.d.Courses.TeachersEnrol)
}

// saveTeachersEnrol saves every school on the form: those ticked allow
// their teachers to enrol.
func (s *Site) saveTeachersEnrol(c *gin.Context) (page, error) {
	return s.saveSchoolSetting(c, "/admin/teachers-enrol", s.d.Courses.SetTeachersEnrol)
}

// schoolSettingPage shows a yes/no setting of each school the admin runs
// (name is the page's template).
func (s *Site) schoolSettingPage(c *gin.Context, name, title string,
	get func(context.Context, access.Scope, uuid.UUID) (bool, error)) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	schools, err := s.schoolsOf(c)
	if err != nil {
		return page{}, err
	}
	d := teachersEnrolData{Base: base(c)}
	for _, sch := range schools {
		may, err := get(ctx, sc, sch.ID)
		if err != nil {
			return page{}, err
		}
		d.Schools = append(d.Schools, schoolSetting{School: sch, Allows: may})
	}
	return show(name, view{Title: title, Data: d}), nil
}

// saveSchoolSetting saves every school on the form (those ticked say
// yes); a school of the list the admin does not run is left as it is.
func (s *Site) saveSchoolSetting(c *gin.Context, path string,
	set func(context.Context, access.Scope, uuid.UUID, bool) error) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	on := ticked(c.PostFormArray("allows"))
	for _, v := range c.PostFormArray("school") {
		id, err := uuid.Parse(v)
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "The form named a school that is not one.")
		}
		if err := set(ctx, sc, id, on[v]); err != nil {
			if errors.Is(err, errs.ErrForbidden) {
				continue // a school of the list this admin does not run
			}
			return page{}, err
		}
	}
	return goTo(base(c) + path + "?done=saved"), nil
}
