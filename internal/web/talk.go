package web

import (
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// forumPages are how teachers run a course's forums in the browser: open
// one, close and reopen it, delete it; pin, lock and delete threads; hide,
// show and delete posts; read the reports of posts and dismiss them or hide
// the post. Authors edit and delete their own posts, and anyone on the
// course reports a post. (Reading and posting are coursePages.) Each form
// posts to the discussion service, which decides who may.
func (s *Site) forumPages() []request.Route {
	const noCourse, noForum, noThread, noPost = "There is no such course.", "There is no such forum.", "There is no such thread.", "There is no such post."
	rt := func(method, path, summary, action string, h pageHandler) request.Route {
		return request.Route{Method: method, Path: tp + path, Summary: summary, Area: request.AreaTenant,
			Object: "discussion", Action: action, Handler: s.serve(h)}
	}
	return []request.Route{
		rt("GET", "/courses/:course/forums/new", "Open a forum on a course (its teachers)", "read", withID("course", noCourse, s.newForumPage)),
		rt("POST", "/courses/:course/forums", "Open a forum", "write", withID("course", noCourse, s.openForum)),
		rt("POST", "/forums/:forum/closed", "Close a forum to learners' posts, or reopen it", "write", withID("forum", noForum, s.closeForum)),
		rt("POST", "/forums/:forum/delete", "Delete a forum with its threads and posts", "write", withID("forum", noForum, s.deleteForum)),
		rt("POST", "/threads/:thread/moderate", "Pin, unpin, lock or unlock a thread", "write", withID("thread", noThread, s.moderateThread)),
		rt("POST", "/threads/:thread/delete", "Delete a thread and its posts", "write", withID("thread", noThread, s.deleteThread)),
		rt("GET", "/posts/:post/edit", "Edit one's own post", "read", withID("post", noPost, s.editPostPage)),
		rt("POST", "/posts/:post/edit", "Save one's own post", "write", withID("post", noPost, s.savePost)),
		rt("POST", "/posts/:post/delete", "Delete a post (its author or teachers)", "write", withID("post", noPost, s.deletePost)),
		rt("POST", "/posts/:post/hidden", "Hide a post with a reason, or show it again (teachers)", "write", withID("post", noPost, s.hidePost)),
		rt("POST", "/posts/:post/report", "Report a post to the course's teachers", "write", withID("post", noPost, s.reportPost)),
		rt("POST", "/reports/:report/close", "Dismiss a report, or hide its post (teachers)", "write",
			withID("report", "There is no such report.", s.closeReport)),
	}
}

// --- forums -------------------------------------------------------------

type forumNewData struct {
	Base     string
	CourseID uuid.UUID
}

func (s *Site) newForumPage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	teaches, err := s.d.Courses.Teaches(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	if !teaches {
		return page{}, errs.New(errs.ErrForbidden, "Only the course's teachers open forums.")
	}
	return show("forum_new", view{Title: "Open a forum", Fields: []string{"title", "description"}, Form: map[string]string{},
		Data: forumNewData{Base: base(c), CourseID: id}}), nil
}

func (s *Site) openForum(c *gin.Context, id uuid.UUID) (page, error) {
	form := postedAsIs(c, "title", "description")
	f, err := s.d.Discussion.CreateForum(c.Request.Context(), request.Scope(c), id, discussion.NewForum{Title: strings.TrimSpace(form["title"]), Description: form["description"]})
	if fe, isField := formErrors(err); isField {
		return again("forum_new", view{Title: "Open a forum", Fields: []string{"title", "description"}, Form: form, Errors: fe,
			Data: forumNewData{Base: base(c), CourseID: id}}), nil
	}
	return goTo(base(c) + "/forums/" + f.ID.String() + "?done=forum-opened"), err
}

func (s *Site) closeForum(c *gin.Context, id uuid.UUID) (page, error) {
	closed := c.PostForm("closed") == "yes"
	_, err := s.d.Discussion.UpdateForum(c.Request.Context(), request.Scope(c), id, discussion.ForumPatch{Closed: &closed})
	done := "forum-reopened"
	if closed {
		done = "forum-closed"
	}
	return goTo(base(c) + "/forums/" + id.String() + "?done=" + done), err
}

func (s *Site) deleteForum(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	f, err := s.d.Discussion.Forum(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/courses/" + f.CourseID.String() + "?done=forum-deleted"), s.d.Discussion.DeleteForum(ctx, sc, id)
}

// --- threads ------------------------------------------------------------

func (s *Site) moderateThread(c *gin.Context, id uuid.UUID) (page, error) {
	yes, no := true, false
	var p discussion.ThreadPatch
	done := map[string]string{"pin": "thread-pinned", "unpin": "thread-unpinned", "lock": "thread-locked", "unlock": "thread-unlocked"}[c.PostForm("action")]
	switch c.PostForm("action") {
	case "pin":
		p.Pinned = &yes
	case "unpin":
		p.Pinned = &no
	case "lock":
		p.Locked = &yes
	case "unlock":
		p.Locked = &no
	default:
		return page{}, errs.New(errs.ErrInvalid, "Choose pin, unpin, lock or unlock.")
	}
	_, err := s.d.Discussion.UpdateThread(c.Request.Context(), request.Scope(c), id, p)
	return goTo(base(c) + "/threads/" + id.String() + "?done=" + done), err
}

func (s *Site) deleteThread(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	t, err := s.d.Discussion.Thread(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/forums/" + t.ForumID.String() + "?done=thread-deleted"), s.d.Discussion.DeleteThread(ctx, sc, id)
}

// --- posts --------------------------------------------------------------

// onePost finds a post among its thread's posts as the reader may see it.
func (s *Site) onePost(c *gin.Context, id uuid.UUID) (discussion.Post, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	// The edit form's post is the reader's own: updating nothing reads it.
	return s.d.Discussion.UpdatePost(ctx, sc, id, discussion.PostPatch{})
}

type postEditData struct {
	Base string
	Post discussion.Post
}

func (s *Site) editPostPage(c *gin.Context, id uuid.UUID) (page, error) {
	p, err := s.onePost(c, id)
	if err != nil {
		return page{}, err
	}
	if !isMine(c, p) {
		return page{}, errs.New(errs.ErrForbidden, "Only a post's author may change its words.")
	}
	return show("post_edit", view{Title: "Edit your post", Fields: []string{"body"}, Form: map[string]string{"body": p.Body},
		Data: postEditData{Base: base(c), Post: p}}), nil
}

func (s *Site) savePost(c *gin.Context, id uuid.UUID) (page, error) {
	body := c.PostForm("body")
	p, err := s.d.Discussion.UpdatePost(c.Request.Context(), request.Scope(c), id, discussion.PostPatch{Body: &body})
	if fe, isField := formErrors(err); isField {
		cur, err := s.onePost(c, id)
		if err != nil {
			return page{}, err
		}
		return again("post_edit", view{Title: "Edit your post", Fields: []string{"body"}, Form: map[string]string{"body": body}, Errors: fe,
			Data: postEditData{Base: base(c), Post: cur}}), nil
	}
	return goTo(base(c) + "/threads/" + p.ThreadID.String() + "?done=post-edited"), err
}

func (s *Site) deletePost(c *gin.Context, id uuid.UUID) (page, error) {
	p, err := s.onePost(c, id)
	if err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/threads/" + p.ThreadID.String() + "?done=post-deleted"), s.d.Discussion.DeletePost(c.Request.Context(), request.Scope(c), id)
}

func (s *Site) hidePost(c *gin.Context, id uuid.UUID) (page, error) {
	hide := c.PostForm("hidden") == "yes"
	in := discussion.PostPatch{Hidden: &hide}
	done := "post-shown"
	if hide {
		reason := strings.TrimSpace(c.PostForm("hidden_reason"))
		in.HiddenReason, done = &reason, "post-hidden"
	}
	p, err := s.d.Discussion.UpdatePost(c.Request.Context(), request.Scope(c), id, in)
	if fe, isField := formErrors(err); isField {
		return s.threadAgain(c, id, "hide-"+id.String(), fe)
	}
	return goTo(base(c) + "/threads/" + p.ThreadID.String() + "?done=" + done), err
}

func (s *Site) reportPost(c *gin.Context, id uuid.UUID) (page, error) {
	r, err := s.d.Discussion.ReportPost(c.Request.Context(), request.Scope(c), id, discussion.NewReport{Reason: strings.TrimSpace(c.PostForm("reason"))})
	if fe, isField := formErrors(err); isField {
		return s.threadAgain(c, id, "report-"+id.String(), fe)
	}
	return goTo(base(c) + "/threads/" + r.ThreadID.String() + "?done=reported"), err
}

// threadAgain shows a post's thread again with one of its little forms'
// errors (hide, report): the form open, its field named.
func (s *Site) threadAgain(c *gin.Context, post uuid.UUID, form string, fe map[string]string) (page, error) {
	p, err := s.onePost(c, post)
	if err != nil {
		return page{}, err
	}
	v, err := s.threadView(c, p.ThreadID)
	if err != nil {
		return page{}, err
	}
	v.Errors = map[string]string{}
	for _, msg := range fe {
		v.Errors[form] = msg
	}
	v.Fields = append(v.Fields, form)
	d := v.Data.(threadData)
	d.Open = form
	v.Data = d
	return again("thread", v), nil
}

func (s *Site) closeReport(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	in := discussion.ReportClose{Outcome: c.PostForm("outcome"), HiddenReason: strings.TrimSpace(c.PostForm("hidden_reason"))}
	forum := c.PostForm("forum")
	if _, err := uuid.Parse(forum); err != nil {
		return page{}, errs.New(errs.ErrInvalid, "The form did not say which forum it came from.")
	}
	err := s.d.Discussion.CloseReport(ctx, sc, id, in)
	if fe, isField := formErrors(err); isField {
		v, err := s.forumView(c, uuid.MustParse(forum))
		if err != nil {
			return page{}, err
		}
		v.Errors = map[string]string{}
		for _, msg := range fe {
			v.Errors["reason-"+id.String()] = msg
		}
		v.Fields = append(v.Fields, "reason-"+id.String())
		return again("forum", v), nil
	}
	done := "report-dismissed"
	if in.Outcome == discussion.HidePost {
		done = "post-hidden"
	}
	return goTo(base(c) + "/forums/" + forum + "?done=" + done), err
}

// isMine says whether the signed-in person wrote p.
func isMine(c *gin.Context, p discussion.Post) bool {
	return p.AuthorID != nil && *p.AuthorID == request.Scope(c).Actor().ID
}

// --- the forum and thread pages -----------------------------------------

type forumData struct {
	Base     string
	Forum    discussion.Forum
	Threads  []discussion.Thread
	Pager    pager
	Teaching bool
	Reports  []discussion.Report
}

// forumView is a forum with a page of its threads (pinned first) and the
// form to start one (its values and errors are the caller's to add); its
// teachers also see the open reports.
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
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Pinned && !ts[j].Pinned })
	d := forumData{Base: base(c), Forum: f, Threads: ts, Pager: pg}
	if d.Teaching, err = s.d.Courses.Teaches(ctx, sc, f.CourseID); err != nil {
		return view{}, err
	}
	if d.Teaching {
		if d.Reports, err = s.d.Discussion.Reports(ctx, sc, id); err != nil {
			return view{}, err
		}
	}
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
	Base     string
	Thread   discussion.Thread
	Posts    []discussion.Post
	Pager    pager
	Teaching bool
	Mine     map[uuid.UUID]bool // the reader's own posts
	Open     string             // the little form shown again with its error
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
	d := threadData{Base: base(c), Thread: t, Posts: ps, Pager: pg, Mine: map[uuid.UUID]bool{}}
	for _, p := range ps {
		d.Mine[p.ID] = isMine(c, p)
	}
	if d.Teaching, err = s.d.Courses.Teaches(ctx, sc, t.CourseID); err != nil {
		return view{}, err
	}
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
