package web

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

type adminCoursesData struct {
	Base    string
	Courses []course.Course
	// Terms name each course's term; Ended marks those whose term is over.
	Terms   map[uuid.UUID]string
	Ended   map[uuid.UUID]bool
	Schools []tenant.School
	Status  course.Status
	Pager   pager
}

func (s *Site) adminCoursesView(c *gin.Context) (adminCoursesData, error) {
	status := course.Status(c.Query("status"))
	if status != "" && status != course.Draft && status != course.Published && status != course.Archived {
		return adminCoursesData{}, errs.Field("status", "must be draft, published or archived")
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	list, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]course.Course, error) {
		return s.d.Courses.List(ctx, sc, course.Filter{Status: status}, after, limit)
	}, func(x course.Course) uuid.UUID { return x.ID })
	if err != nil {
		return adminCoursesData{}, err
	}
	ts, err := s.courseTerms(c)
	if err != nil {
		return adminCoursesData{}, err
	}
	d := adminCoursesData{Base: base(c), Courses: list, Status: status, Pager: pg, Terms: map[uuid.UUID]string{}, Ended: map[uuid.UUID]bool{}}
	for _, cr := range list {
		if t := ts.of(cr); t != nil {
			d.Terms[cr.ID], d.Ended[cr.ID] = t.Title, ts.ended(cr)
		}
	}
	d.Schools, err = s.schoolsOf(c)
	return d, err
}

func (s *Site) adminCourses(c *gin.Context) (page, error) {
	d, err := s.adminCoursesView(c)
	return show("admin_courses", view{Title: "Courses", Form: map[string]string{}, Data: d}), err
}

func (s *Site) adminCreateCourse(c *gin.Context) (page, error) {
	form := map[string]string{"title": c.PostForm("title"), "summary": c.PostForm("summary"), "school_id": c.PostForm("school_id")}
	fe := map[string]string{}
	sid, err := uuid.Parse(form["school_id"])
	if err != nil {
		fe["school_id"] = "Choose the school"
	}
	if len(fe) == 0 {
		_, err = s.d.Courses.Create(c.Request.Context(), request.Scope(c), course.NewCourse{SchoolID: sid, Title: form["title"], Summary: form["summary"], Status: course.Draft})
		if m, isField := formErrors(err); isField {
			fe = m
		} else if err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		d, err := s.adminCoursesView(c)
		if err != nil {
			return page{}, err
		}
		return again("admin_courses", view{Title: "Courses", Form: form, Errors: fe, Fields: []string{"school_id", "title", "summary"}, Data: d}), nil
	}
	return goTo(base(c) + "/admin/courses?done=course-added"), nil
}

type adminCourseData struct {
	Base       string
	Course     course.Course
	Term       *course.Term // nil when the course is in no term
	TermEnded  bool
	Enrolments []course.Enrolment
	Pager      pager
}

func (s *Site) adminCourseView(c *gin.Context, id uuid.UUID) (adminCourseData, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return adminCourseData{}, err
	}
	es, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]course.Enrolment, error) {
		return s.d.Courses.Enrolments(ctx, sc, id, "", "", after, limit)
	}, func(e course.Enrolment) uuid.UUID { return e.PersonID })
	if err != nil {
		return adminCourseData{}, err
	}
	ts, err := s.courseTerms(c)
	return adminCourseData{Base: base(c), Course: pv.Course, Term: ts.of(pv.Course), TermEnded: ts.ended(pv.Course),
		Enrolments: es, Pager: pg}, err
}

func (s *Site) adminCourse(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.adminCourseView(c, id)
	return show("admin_course", view{Title: d.Course.Title, Form: map[string]string{}, Data: d}), err
}

func (s *Site) adminEnrol(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.adminCourseView(c, id)
	if err != nil {
		return page{}, err
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	form := map[string]string{"username": strings.TrimSpace(c.PostForm("username")), "role": c.PostForm("role")}
	role := course.Role(form["role"])
	fe := map[string]string{}
	if role != course.RoleLearner && role != course.RoleTeacher {
		fe["role"] = "Choose learner or teacher"
	}
	var p identity.Person
	if form["username"] == "" {
		fe["username"] = "Enter the person's username"
	} else if p, err = s.d.Identity.FindByUsername(ctx, sc, form["username"]); notFound(err) {
		fe["username"] = "Nobody in your school has that username"
	} else if err != nil {
		return page{}, err
	}
	if len(fe) == 0 {
		_, err = s.d.Courses.Enrol(ctx, sc, d.Course.ID, p.ID, role)
		if m, isField := formErrors(err); isField {
			fe = m
		} else if err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return again("admin_course", view{Title: d.Course.Title, Form: form, Errors: fe, Fields: []string{"username", "role"}, Data: d}), nil
	}
	return goTo(base(c) + "/admin/courses/" + d.Course.ID.String() + "?done=enrolled"), nil
}

func (s *Site) adminUnenrol(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.adminCourseView(c, id)
	if err != nil {
		return page{}, err
	}
	pid, ok := pathID(c, "person")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	err = s.d.Courses.Unenrol(c.Request.Context(), request.Scope(c), d.Course.ID, pid)
	return goTo(base(c) + "/admin/courses/" + d.Course.ID.String() + "?done=unenrolled"), err
}
