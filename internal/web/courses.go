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
			Object: "course", Action: "read", Handler: s.serve(s.coursePage)},
		{Method: "GET", Path: tp + "/items/:item",
			Summary: "A course item: page, video, audio, file or link", Area: request.AreaTenant,
			Object: "course", Action: "read", Handler: s.serve(s.itemPage)},
		{Method: "GET", Path: tp + "/courses/:course/engagement",
			Summary: "Engagement of a course's learners (teachers)", Area: request.AreaTenant,
			Object: "engagement", Action: "read", Handler: s.serve(s.engagementPage)},

		{Method: "GET", Path: tp + "/assignments/:assignment",
			Summary: "An assignment: my work and feedback, or (teachers) the submissions",
			Area:    request.AreaTenant, Object: "assignment", Action: "read", Handler: s.serve(s.assignmentPage)},
		{Method: "POST", Path: tp + "/assignments/:assignment/submission",
			Summary: "Hand in work (text and files, streamed)", Area: request.AreaTenant, Upload: true,
			Object: "submission", Action: "write", Handler: s.serve(s.submitWork)},
		{Method: "POST", Path: tp + "/assignments/:assignment/release",
			Summary: "Release an assignment's marks", Area: request.AreaTenant, Object: "mark",
			Action: "write", Handler: s.serve(s.releaseMarks)},
		{Method: "GET", Path: tp + "/submissions/:submission",
			Summary: "A submission, with the mark form for teachers", Area: request.AreaTenant,
			Object: "submission", Action: "read", Handler: s.serve(s.submissionPage)},
		{Method: "POST", Path: tp + "/submissions/:submission/mark", Summary: "Mark a submission",
			Area: request.AreaTenant, Object: "mark", Action: "write", Handler: s.serve(s.markWork)},
		{Method: "GET", Path: tp + "/submissions/:submission/files/:file",
			Summary: "Download a submitted file (a short-lived link)", Area: request.AreaTenant,
			Object: "submission", Action: "read", Handler: s.serve(s.submissionFile)},

		{Method: "GET", Path: tp + "/forums/:forum", Summary: "A forum's threads", Area: request.AreaTenant,
			Object: "discussion", Action: "read", Handler: s.serve(s.forumPage)},
		{Method: "POST", Path: tp + "/forums/:forum/threads", Summary: "Start a thread",
			Area: request.AreaTenant, Object: "discussion", Action: "write", Handler: s.serve(s.startThread)},
		{Method: "GET", Path: tp + "/threads/:thread", Summary: "A thread's posts",
			Area: request.AreaTenant, Object: "discussion", Action: "read", Handler: s.serve(s.threadPage)},
		{Method: "POST", Path: tp + "/threads/:thread/posts", Summary: "Reply in a thread",
			Area: request.AreaTenant, Object: "discussion", Action: "write", Handler: s.serve(s.replyThread)},
	}
}

// pathID reads an id from the path; a malformed one is simply not found.
func pathID(c *gin.Context, name string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param(name))
	return id, err == nil
}

// base is the start of this tenant's page addresses.
func base(c *gin.Context) string { return "/t/" + c.Param("tenant") }

type pager struct {
	Next string // address of the next page, or ""
}

func nextPage(c *gin.Context, cursor string) pager {
	if cursor == "" {
		return pager{}
	}
	q := c.Request.URL.Query()
	q.Set("cursor", cursor)
	return pager{Next: c.Request.URL.Path + "?" + q.Encode()}
}

type coursesData struct {
	Base    string
	Courses []course.Course
	Query   string
	Pager   pager
}

func (s *Site) myCourses(c *gin.Context) (page, error) {
	after, limit, err := request.PageParams(c)
	if err != nil {
		return page{}, err
	}
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 200 || errs.HasControl(q) {
		return page{}, errs.New(errs.ErrInvalid, "The search must be at most 200 characters.")
	}
	list, err := s.d.Courses.List(c.Request.Context(), request.Scope(c), course.Filter{Query: q}, after, limit)
	if err != nil {
		return page{}, err
	}
	pg := request.NewPage(list, limit, func(x course.Course) uuid.UUID { return x.ID })
	return show("courses", view{Title: "My courses", Data: coursesData{Base: base(c), Courses: list, Query: q, Pager: nextPage(c, pg.NextCursor)}}), nil
}

type courseData struct {
	Base        string
	Page        course.PageView
	Teaching    bool
	Assignments []assignment.Assignment
	Links       map[uuid.UUID]string // item → its page (an assignment's own page for assignment items)
	Forums      []discussion.Forum
}

func (s *Site) coursePage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.ErrNotFound
	}
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

func (s *Site) itemPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "item")
	if !ok {
		return page{}, errs.ErrNotFound
	}
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

func (s *Site) engagementPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "course")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	after, limit, err := request.PageParams(c)
	if err != nil {
		return page{}, err
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	f := engagement.Filter{}
	flagged := c.Query("flagged") == "true"
	if flagged {
		f.Flagged = &flagged
	}
	rows, err := s.d.Engagement.Course(ctx, sc, id, f, after, limit)
	if err != nil {
		return page{}, err
	}
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	pg := request.NewPage(rows, limit, func(x engagement.Summary) uuid.UUID { return x.PersonID })
	return show("engagement", view{Title: "Engagement: " + pv.Course.Title, Data: engagementData{Base: base(c), CourseID: id, Course: pv.Course.Title, Rows: rows, Flagged: flagged, Pager: nextPage(c, pg.NextCursor)}}), nil
}

// notFound reports whether err means "nothing there".
func notFound(err error) bool { return errors.Is(err, errs.ErrNotFound) }
