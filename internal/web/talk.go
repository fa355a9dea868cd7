package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/request"
)

type forumData struct {
	Base    string
	Forum   discussion.Forum
	Threads []discussion.Thread
	Pager   pager
}

// forumView is a forum with a page of its threads and the form to start
// one (its values and errors are the caller's to add).
func (s *Site) forumView(c *gin.Context, id uuid.UUID) (view, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	f, err := s.d.Discussion.Forum(ctx, sc, id)
	if err != nil {
		return view{}, err
	}
	ts, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]discussion.Thread, error) {
		return s.d.Discussion.Threads(ctx, sc, id, discussion.ThreadFilter{}, after, limit)
	}, func(x discussion.Thread) uuid.UUID { return x.ID })
	if err != nil {
		return view{}, err
	}
	d := forumData{Base: base(c), Forum: f, Threads: ts, Pager: pg}
	return view{Title: f.Title, Fields: []string{"title", "body"}, Data: d}, nil
}

func (s *Site) forumPage(c *gin.Context, id uuid.UUID) (page, error) {
	v, err := s.forumView(c, id)
	return show("forum", v), err
}

func (s *Site) startThread(c *gin.Context, id uuid.UUID) (page, error) {
	v, err := s.forumView(c, id)
	if err != nil {
		return page{}, err
	}
	v.Form = map[string]string{"title": c.PostForm("title"), "body": c.PostForm("body")}
	t, err := s.d.Discussion.CreateThread(c.Request.Context(), request.Scope(c), id, discussion.NewThread{Title: v.Form["title"], Body: v.Form["body"]})
	if fe, isField := formErrors(err); isField {
		v.Errors = fe
		return again("forum", v), nil
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

// threadView is a thread with a page of its posts and the reply form.
func (s *Site) threadView(c *gin.Context, id uuid.UUID) (view, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	t, err := s.d.Discussion.Thread(ctx, sc, id)
	if err != nil {
		return view{}, err
	}
	ps, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]discussion.Post, error) {
		return s.d.Discussion.Posts(ctx, sc, id, discussion.PostFilter{}, after, limit)
	}, func(x discussion.Post) uuid.UUID { return x.ID })
	if err != nil {
		return view{}, err
	}
	d := threadData{Base: base(c), Thread: t, Posts: ps, Pager: pg}
	return view{Title: t.Title, Fields: []string{"body"}, Data: d}, nil
}

func (s *Site) threadPage(c *gin.Context, id uuid.UUID) (page, error) {
	v, err := s.threadView(c, id)
	return show("thread", v), err
}

func (s *Site) replyThread(c *gin.Context, id uuid.UUID) (page, error) {
	v, err := s.threadView(c, id)
	if err != nil {
		return page{}, err
	}
	v.Form = map[string]string{"body": c.PostForm("body")}
	_, err = s.d.Discussion.Reply(c.Request.Context(), request.Scope(c), id, discussion.NewPost{Body: v.Form["body"]})
	if fe, isField := formErrors(err); isField {
		v.Errors = fe
		return again("thread", v), nil
	} else if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/threads/" + id.String() + "?done=posted"), nil
}
