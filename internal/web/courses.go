package web

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// coursePages are what learners and teachers use: their courses, a
// course's outline, its items, assignments and marking, forums and the
// engagement summary.
func (s *Site) coursePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses", Summary: "My courses", Area: request.AreaTenant,
			Object: "course", Action: "read", Handler: s.serve(s.myCourses)},
		{Method: "GET", Path: tp + "/courses/:course",
			Summary: "A course: sections, items, assignments, forums", Area: request.AreaTenant,
			Object: "course", Action: "read", Handler: s.serve(withID("course", "", s.coursePage))},
		{Method: "GET", Path: tp + "/items/:item",
			Summary: "A course item: page, video, audio, file or link", Area: request.AreaTenant,
			Object: "course", Action: "read", Handler: s.serve(withID("item", "", s.itemPage))},
		{Method: "GET", Path: tp + "/courses/:course/engagement",
			Summary: "Engagement of a course's learners (teachers)", Area: request.AreaTenant,
			Object: "engagement", Action: "read", Handler: s.serve(withID("course", "", s.engagementPage))},

		{Method: "GET", Path: tp + "/assignments/:assignment",
			Summary: "An assignment: my work and feedback, or (teachers) the submissions",
			Area:    request.AreaTenant, Object: "assignment", Action: "read", Handler: s.serve(withID("assignment", "", s.assignmentPage))},
		{Method: "POST", Path: tp + "/assignments/:assignment/submission",
			Summary: "Hand in work (text and files, streamed)", Area: request.AreaTenant, Upload: true,
			Object: "submission", Action: "write", Handler: s.serve(withID("assignment", "", s.submitWork))},
		{Method: "POST", Path: tp + "/assignments/:assignment/release",
			Summary: "Release an assignment's marks", Area: request.AreaTenant, Object: "mark",
			Action: "write", Handler: s.serve(withID("assignment", "", s.releaseMarks))},
		{Method: "GET", Path: tp + "/submissions/:submission",
			Summary: "A submission, with the mark form for teachers", Area: request.AreaTenant,
			Object: "submission", Action: "read", Handler: s.serve(withID("submission", "", s.submissionPage))},
		{Method: "POST", Path: tp + "/submissions/:submission/mark", Summary: "Mark a submission",
			Area: request.AreaTenant, Object: "mark", Action: "write", Handler: s.serve(withID("submission", "", s.markWork))},
		{Method: "GET", Path: tp + "/submissions/:submission/files/:file",
			Summary: "Download a submitted file (a short-lived link)", Area: request.AreaTenant,
			Object: "submission", Action: "read", Handler: s.serve(s.submissionFile)},

		{Method: "GET", Path: tp + "/forums/:forum", Summary: "A forum's threads", Area: request.AreaTenant,
			Object: "discussion", Action: "read", Handler: s.serve(withID("forum", "", s.forumPage))},
		{Method: "POST", Path: tp + "/forums/:forum/threads", Summary: "Start a thread",
			Area: request.AreaTenant, Object: "discussion", Action: "write", Handler: s.serve(withID("forum", "", s.startThread))},
		{Method: "GET", Path: tp + "/threads/:thread", Summary: "A thread's posts",
			Area: request.AreaTenant, Object: "discussion", Action: "read", Handler: s.serve(withID("thread", "", s.threadPage))},
		{Method: "POST", Path: tp + "/threads/:thread/posts", Summary: "Reply in a thread",
			Area: request.AreaTenant, Object: "discussion", Action: "write", Handler: s.serve(withID("thread", "", s.replyThread))},
	}
}

type coursesData struct {
	Base    string
	Courses []course.Course
	Query   string
	Pager   pager
	CanMake bool // teachers and admins see "Make a course"
}

func (s *Site) myCourses(c *gin.Context) (page, error) {
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 200 || errs.HasControl(q) {
		return page{}, errs.New(errs.ErrInvalid, "The search must be at most 200 characters.")
	}
	list, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]course.Course, error) {
		return s.d.Courses.List(c.Request.Context(), request.Scope(c), course.Filter{Query: q}, after, limit)
	}, func(x course.Course) uuid.UUID { return x.ID })
	canMake := s.allowed(c, request.Principal(c), "course", "write")
	return show("courses", view{Title: "My courses", Data: coursesData{Base: base(c), Courses: list, Query: q, Pager: pg, CanMake: canMake}}), err
}

type courseData struct {
	Base        string
	Page        course.PageView
	Teaching    bool
	Assignments []assignment.Assignment
	Links       map[uuid.UUID]string // item → its page (an assignment's own page for assignment items)
	Forums      []discussion.Forum
}

func (s *Site) coursePage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	as, err := s.d.Assignments.List(ctx, sc, id, "", uuid.Nil, 200)
	if err != nil {
		return page{}, err
	}
	fs, err := s.d.Discussion.Forums(ctx, sc, id, "", uuid.Nil, 50)
	if err != nil {
		return page{}, err
	}
	d := courseData{Base: base(c), Page: pv, Teaching: pv.Course.MyRole == course.RoleTeacher || pv.Course.MyRole == course.RoleAdmin, Assignments: as, Forums: fs, Links: map[uuid.UUID]string{}}
	for _, sec := range pv.Sections {
		for _, it := range sec.Items {
			d.Links[it.ID] = d.Base + "/items/" + it.ID.String()
		}
	}
	for _, a := range as {
		d.Links[a.ItemID] = d.Base + "/assignments/" + a.ID.String()
	}
	return show("course", view{Title: pv.Course.Title, Data: d}), nil
}

type itemData struct {
	Base       string
	Item       course.ItemView
	Assignment uuid.UUID
}

func (s *Site) itemPage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	it, err := s.d.Courses.GetItem(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	d := itemData{Base: base(c), Item: it}
	if it.Kind == course.KindAssignment {
		as, err := s.d.Assignments.List(ctx, sc, it.CourseID, "", uuid.Nil, 200)
		if err != nil {
			return page{}, err
		}
		for _, a := range as {
			if a.ItemID == it.ID {
				return goTo(base(c) + "/assignments/" + a.ID.String()), nil
			}
		}
	}
	return show("item", view{Title: it.Title, Data: d}), nil
}

type engagementData struct {
	Base     string
	CourseID uuid.UUID
	Course   string
	Rows     []engagement.Summary
	Flagged  bool
	Pager    pager
}

func (s *Site) engagementPage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	f := engagement.Filter{}
	flagged := c.Query("flagged") == "true"
	if flagged {
		f.Flagged = &flagged
	}
	rows, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]engagement.Summary, error) {
		return s.d.Engagement.Course(ctx, sc, id, f, after, limit)
	}, func(x engagement.Summary) uuid.UUID { return x.PersonID })
	if err != nil {
		return page{}, err
	}
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	d := engagementData{Base: base(c), CourseID: id, Course: pv.Course.Title, Rows: rows, Flagged: flagged, Pager: pg}
	return show("engagement", view{Title: "Engagement: " + pv.Course.Title, Data: d}), nil
}

// notFound reports whether err means "nothing there".
func notFound(err error) bool { return errors.Is(err, errs.ErrNotFound) }
