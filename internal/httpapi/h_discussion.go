package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// discussionRoutes are course forums, their threads and posts. Everyone on
// a course reads and posts; the service decides per course who moderates.
func (s *Server) discussionRoutes() []request.Route {
	const obj = "discussion"
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/forums",
			Summary: "A course's forums; filter q (title)", Area: request.AreaTenant, Object: obj,
			Action: "read", Reply: request.Page[discussion.Forum]{}, Query: ForumQuery{}, API: s.listForums},
		{Method: "POST", Path: tp + "/courses/:course/forums",
			Summary: "Open a forum on a course (its teachers and school admins)", Area: request.AreaTenant,
			Object: obj, Action: "write", Status: http.StatusCreated, Request: discussion.NewForum{},
			Reply: discussion.Forum{}, API: request.ByIDFromBody("course", s.Discussion.CreateForum)},
		{Method: "GET", Path: tp + "/forums/:forum", Summary: "One forum", Area: request.AreaTenant,
			Object: obj, Action: "read", Reply: discussion.Forum{}, API: request.ByID("forum", s.Discussion.Forum)},
		{Method: "PATCH", Path: tp + "/forums/:forum", Summary: "Rename, redescribe, close or reopen a forum (teachers)",
			Area: request.AreaTenant, Object: obj, Action: "write", Request: discussion.ForumPatch{},
			Reply: discussion.Forum{}, API: request.ByIDFromBody("forum", s.Discussion.UpdateForum)},
		{Method: "DELETE", Path: tp + "/forums/:forum",
			Summary: "Remove a forum with its threads and posts (teachers)", Area: request.AreaTenant,
			Object: obj, Action: "write", Status: http.StatusNoContent, API: request.DoByID("forum", s.Discussion.DeleteForum)},
		{Method: "GET", Path: tp + "/forums/:forum/threads",
			Summary: "A forum's threads, oldest first; filters pinned, q (title)", Area: request.AreaTenant,
			Object: obj, Action: "read", Reply: request.Page[discussion.Thread]{}, Query: ThreadQuery{}, API: s.listThreads},
		{Method: "POST", Path: tp + "/forums/:forum/threads", Summary: "Start a thread with its first post",
			Area: request.AreaTenant, Object: obj, Action: "write", Status: http.StatusCreated,
			Request: discussion.NewThread{}, Reply: discussion.Thread{}, API: request.ByIDFromBody("forum", s.Discussion.CreateThread)},
		{Method: "GET", Path: tp + "/threads/:thread", Summary: "One thread", Area: request.AreaTenant,
			Object: obj, Action: "read", Reply: discussion.Thread{}, API: request.ByID("thread", s.Discussion.Thread)},
		{Method: "PATCH", Path: tp + "/threads/:thread",
			Summary: "Retitle a thread (its author or teachers); lock or pin it (teachers)",
			Area:    request.AreaTenant, Object: obj, Action: "write", Request: discussion.ThreadPatch{},
			Reply: discussion.Thread{}, API: request.ByIDFromBody("thread", s.Discussion.UpdateThread)},
		{Method: "DELETE", Path: tp + "/threads/:thread",
			Summary: "Remove a thread and its posts (teachers)", Area: request.AreaTenant, Object: obj,
			Action: "write", Status: http.StatusNoContent, API: request.DoByID("thread", s.Discussion.DeleteThread)},
		{Method: "GET", Path: tp + "/threads/:thread/posts",
			Summary: "A thread's posts, oldest first; filter author_id", Area: request.AreaTenant, Object: obj,
			Action: "read", Reply: request.Page[discussion.Post]{}, Query: PostQuery{}, API: s.listPosts},
		{Method: "POST", Path: tp + "/threads/:thread/posts",
			Summary: "Reply in a thread (learners not in a locked thread)", Area: request.AreaTenant,
			Object: obj, Action: "write", Status: http.StatusCreated, Request: discussion.NewPost{},
			Reply: discussion.Post{}, API: request.ByIDFromBody("thread", s.Discussion.Reply)},
		{Method: "PATCH", Path: tp + "/posts/:post",
			Summary: "Edit one's own post; hide or show any post (teachers)", Area: request.AreaTenant,
			Object: obj, Action: "write", Request: discussion.PostPatch{}, Reply: discussion.Post{},
			API: request.ByIDFromBody("post", s.Discussion.UpdatePost)},
		{Method: "DELETE", Path: tp + "/posts/:post",
			Summary: "Delete a post (its author or teachers); it stays in place as deleted",
			Area:    request.AreaTenant, Object: obj, Action: "write", Status: http.StatusNoContent,
			API: request.DoByID("post", s.Discussion.DeletePost)},
		{Method: "POST", Path: tp + "/posts/:post/reports",
			Summary: "Report a post to the course's teachers (anyone who may read it)", Area: request.AreaTenant,
			Object: obj, Action: "write", Status: http.StatusCreated, Request: discussion.NewReport{},
			Reply: discussion.Report{}, API: request.ByIDFromBody("post", s.Discussion.ReportPost)},
		{Method: "GET", Path: tp + "/forums/:forum/reports",
			Summary: "A forum's open reports, oldest first (teachers)", Area: request.AreaTenant, Object: obj,
			Action: "read", Reply: request.Page[discussion.Report]{},
			API: request.PagedByID("forum", discussion.Report.At, s.Discussion.ReportPage)},
		{Method: "POST", Path: tp + "/reports/:report/close",
			Summary: "Dismiss a report, or hide its post with a reason (teachers)", Area: request.AreaTenant,
			Object: obj, Action: "write", Status: http.StatusNoContent, Request: discussion.ReportClose{},
			API: s.closeReport},
	}
}

func (s *Server) closeReport(c *gin.Context) (any, error) {
	id, in, err := request.IDAndBody[discussion.ReportClose](c, "report")
	if err != nil {
		return nil, err
	}
	return nil, s.Discussion.CloseReport(c.Request.Context(), request.Scope(c), id, in)
}

// pagedFilters checks the page parameters and, through read, a list's
// filters, and reports every bad one at once; request.Listed then reads
// the page.
func pagedFilters(c *gin.Context, read func(fe *errs.FieldErrors)) error {
	_, _, err := request.PageParams(c)
	var fe errs.FieldErrors
	if !errors.As(err, &fe) && err != nil {
		return err
	}
	read(&fe)
	return fe.Err()
}

// textFilter reads a free-text filter (?q=) with the usual limits.
func textFilter(c *gin.Context, fe *errs.FieldErrors, name string) string {
	q := c.Query(name)
	if len([]rune(q)) > 200 || errs.HasControl(q) {
		fe.Add(name, "must be at most 200 characters without control characters")
	}
	return q
}

// boolFilter reads an optional true/false filter.
func boolFilter(c *gin.Context, fe *errs.FieldErrors, name string) *bool {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		fe.Add(name, "must be true or false")
		return nil
	}
	return &b
}

// idFilter reads an optional id filter.
func idFilter(c *gin.Context, fe *errs.FieldErrors, name string) *uuid.UUID {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		fe.Add(name, "is not an id")
		return nil
	}
	return &id
}

func (s *Server) listForums(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "course")
	if err != nil {
		return nil, err
	}
	var q string
	if err := pagedFilters(c, func(fe *errs.FieldErrors) { q = textFilter(c, fe, "q") }); err != nil {
		return nil, err
	}
	return request.Listed(c, func(f discussion.Forum) uuid.UUID { return f.ID }, func(after uuid.UUID, limit int) ([]discussion.Forum, error) {
		return s.Discussion.Forums(c.Request.Context(), request.Scope(c), id, q, after, limit)
	})
}

func (s *Server) listThreads(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "forum")
	if err != nil {
		return nil, err
	}
	var f discussion.ThreadFilter
	err = pagedFilters(c, func(fe *errs.FieldErrors) {
		f = discussion.ThreadFilter{Pinned: boolFilter(c, fe, "pinned"), Query: textFilter(c, fe, "q")}
	})
	if err != nil {
		return nil, err
	}
	return request.Listed(c, func(t discussion.Thread) uuid.UUID { return t.ID }, func(after uuid.UUID, limit int) ([]discussion.Thread, error) {
		return s.Discussion.Threads(c.Request.Context(), request.Scope(c), id, f, after, limit)
	})
}

func (s *Server) listPosts(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "thread")
	if err != nil {
		return nil, err
	}
	var f discussion.PostFilter
	if err := pagedFilters(c, func(fe *errs.FieldErrors) { f.AuthorID = idFilter(c, fe, "author_id") }); err != nil {
		return nil, err
	}
	return request.Listed(c, func(p discussion.Post) uuid.UUID { return p.ID }, func(after uuid.UUID, limit int) ([]discussion.Post, error) {
		return s.Discussion.Posts(c.Request.Context(), request.Scope(c), id, f, after, limit)
	})
}
