package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

type forumData struct {
	Base    string
	Forum   discussion.Forum
	Threads []discussion.Thread
	Pager   pager
}

func (s *Site) forumView(c *gin.Context, id uuid.UUID) (forumData, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	f, err := s.d.Discussion.Forum(ctx, sc, id)
	if err != nil {
		return forumData{}, err
	}
	after, limit, err := request.PageParams(c)
	if err != nil {
		return forumData{}, err
	}
	ts, err := s.d.Discussion.Threads(ctx, sc, id, discussion.ThreadFilter{}, after, limit)
	if err != nil {
		return forumData{}, err
	}
	pg := request.NewPage(ts, limit, func(x discussion.Thread) uuid.UUID { return x.ID })
	return forumData{Base: base(c), Forum: f, Threads: ts, Pager: nextPage(c, pg.NextCursor)}, nil
}

func (s *Site) forumPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "forum")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	d, err := s.forumView(c, id)
	if err != nil {
		return page{}, err
	}
	return show("forum", view{Title: d.Forum.Title, Data: d}), nil
}

func (s *Site) startThread(c *gin.Context) (page, error) {
	id, ok := pathID(c, "forum")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	d, err := s.forumView(c, id)
	if err != nil {
		return page{}, err
	}
	form := map[string]string{"title": c.PostForm("title"), "body": c.PostForm("body")}
	t, err := s.d.Discussion.CreateThread(c.Request.Context(), request.Scope(c), id, discussion.NewThread{Title: form["title"], Body: form["body"]})
	if fe, isField := formErrors(err); isField {
		return again("forum", view{Title: d.Forum.Title, Form: form, Errors: fe, Fields: []string{"title", "body"}, Data: d}), nil
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/threads/" + t.ID.String() + "?done=thread"), nil
}

type threadData struct {
	Base   string
	Thread discussion.Thread
	Posts  []discussion.Post
	Pager  pager
}

func (s *Site) threadView(c *gin.Context, id uuid.UUID) (threadData, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	t, err := s.d.Discussion.Thread(ctx, sc, id)
	if err != nil {
		return threadData{}, err
	}
	after, limit, err := request.PageParams(c)
	if err != nil {
		return threadData{}, err
	}
	ps, err := s.d.Discussion.Posts(ctx, sc, id, discussion.PostFilter{}, after, limit)
	if err != nil {
		return threadData{}, err
	}
	pg := request.NewPage(ps, limit, func(x discussion.Post) uuid.UUID { return x.ID })
	return threadData{Base: base(c), Thread: t, Posts: ps, Pager: nextPage(c, pg.NextCursor)}, nil
}

func (s *Site) threadPage(c *gin.Context) (page, error) {
	id, ok := pathID(c, "thread")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	d, err := s.threadView(c, id)
	if err != nil {
		return page{}, err
	}
	return show("thread", view{Title: d.Thread.Title, Data: d}), nil
}

func (s *Site) replyThread(c *gin.Context) (page, error) {
	id, ok := pathID(c, "thread")
	if !ok {
		return page{}, errs.ErrNotFound
	}
	d, err := s.threadView(c, id)
	if err != nil {
		return page{}, err
	}
	form := map[string]string{"body": c.PostForm("body")}
	_, err = s.d.Discussion.Reply(c.Request.Context(), request.Scope(c), id, discussion.NewPost{Body: form["body"]})
	if fe, isField := formErrors(err); isField {
		return again("thread", view{Title: d.Thread.Title, Form: form, Errors: fe, Fields: []string{"body"}, Data: d}), nil
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/threads/" + id.String() + "?done=posted"), nil
}
