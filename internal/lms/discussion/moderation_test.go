package discussion_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// moderationBundle is a course with a forum, a learner's thread and a
// second learner's reply, in tenant A, and a course of tenant B.
type moderationBundle struct {
	svc                 *discussion.Service
	teacher, la, lb, tb access.Scope
	forum               discussion.Forum
	thread              discussion.Thread
	reply               discussion.Post
}

func moderationSetup(t *testing.T) moderationBundle {
	t.Helper()
	e := apptest.New(t)
	ctx := context.Background()
	fa := lmstest.NewCourse(t, e.DB.App, e.A.ID, "mod-")
	fb := lmstest.NewCourse(t, e.DB.App, e.B.ID, "mod-")
	b := moderationBundle{svc: e.App.Discussion, teacher: fa.Teacher.Scope(e.A.ID), la: fa.Learner.Scope(e.A.ID),
		lb: fa.Learner2.Scope(e.A.ID), tb: fb.Teacher.Scope(e.B.ID)}
	var err error
	b.forum, err = b.svc.CreateForum(ctx, b.teacher, fa.ID, discussion.NewForum{Title: "Questions"})
	require.NoError(t, err)
	b.thread, err = b.svc.CreateThread(ctx, b.la, b.forum.ID, discussion.NewThread{Title: "Homework", Body: "When is it due?"})
	require.NoError(t, err)
	b.reply, err = b.svc.Reply(ctx, b.lb, b.thread.ID, discussion.NewPost{Body: "Who cares."})
	require.NoError(t, err)
	return b
}

func ptr[T any](v T) *T { return &v }

// Anyone on the course reports a post to its teachers; only they read the
// open reports, dismiss one, or hide the post, which closes every open
// report of it; another tenant reaches nothing.
func TestReportsReachTheCoursesTeachers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := moderationSetup(t)

	_, err := b.svc.ReportPost(ctx, b.la, b.reply.ID, discussion.NewReport{Reason: ""})
	require.ErrorIs(t, err, errs.ErrInvalid, "a report says why")
	r, err := b.svc.ReportPost(ctx, b.la, b.reply.ID, discussion.NewReport{Reason: "Rude"})
	require.NoError(t, err)
	again, err := b.svc.ReportPost(ctx, b.la, b.reply.ID, discussion.NewReport{Reason: "Still rude"})
	require.NoError(t, err)
	require.Equal(t, r.ID, again.ID, "one open report per reader and post")
	_, err = b.svc.ReportPost(ctx, b.tb, b.reply.ID, discussion.NewReport{Reason: "Hacked"})
	require.ErrorIs(t, err, errs.ErrNotFound)

	_, err = b.svc.Reports(ctx, b.la, b.forum.ID)
	require.ErrorIs(t, err, errs.ErrForbidden, "learners do not read reports")
	_, err = b.svc.Reports(ctx, b.tb, b.forum.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	open, err := b.svc.Reports(ctx, b.teacher, b.forum.ID)
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, "Who cares.", open[0].PostBody)
	require.Equal(t, "Rude", open[0].Reason)

	require.ErrorIs(t, b.svc.CloseReport(ctx, b.la, r.ID, discussion.ReportClose{Outcome: discussion.Dismissed}), errs.ErrForbidden)
	require.ErrorIs(t, b.svc.CloseReport(ctx, b.tb, r.ID, discussion.ReportClose{Outcome: discussion.Dismissed}), errs.ErrNotFound)
	require.NoError(t, b.svc.CloseReport(ctx, b.teacher, r.ID, discussion.ReportClose{Outcome: discussion.Dismissed}))
	require.ErrorIs(t, b.svc.CloseReport(ctx, b.teacher, r.ID, discussion.ReportClose{Outcome: discussion.Dismissed}), errs.ErrConflict)
	open, err = b.svc.Reports(ctx, b.teacher, b.forum.ID)
	require.NoError(t, err)
	require.Empty(t, open, "a dismissed report leaves the list")

	// Two readers report; hiding the post closes both.
	r1, err := b.svc.ReportPost(ctx, b.la, b.reply.ID, discussion.NewReport{Reason: "Rude again"})
	require.NoError(t, err)
	_, err = b.svc.ReportPost(ctx, b.teacher, b.reply.ID, discussion.NewReport{Reason: "Noted"})
	require.NoError(t, err)
	require.ErrorIs(t, b.svc.CloseReport(ctx, b.teacher, r1.ID, discussion.ReportClose{Outcome: discussion.HidePost}), errs.ErrInvalid,
		"hiding says why, for the author")
	require.NoError(t, b.svc.CloseReport(ctx, b.teacher, r1.ID, discussion.ReportClose{Outcome: discussion.HidePost, HiddenReason: "Be kind"}))
	open, err = b.svc.Reports(ctx, b.teacher, b.forum.ID)
	require.NoError(t, err)
	require.Empty(t, open)
	posts, err := b.svc.Posts(ctx, b.la, b.thread.ID, discussion.PostFilter{}, uuid.Nil, 50)
	require.NoError(t, err)
	require.True(t, posts[1].Hidden)
	require.Empty(t, posts[1].Body, "the class no longer reads it")
}

// Teachers close a forum and lock and pin threads; learners cannot, and
// post in neither a closed forum nor a locked thread. Authors edit and
// delete their own posts, nobody else's.
func TestTeachersModerateForums(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := moderationSetup(t)

	_, err := b.svc.UpdateForum(ctx, b.la, b.forum.ID, discussion.ForumPatch{Closed: ptr(true)})
	require.ErrorIs(t, err, errs.ErrForbidden)
	f, err := b.svc.UpdateForum(ctx, b.teacher, b.forum.ID, discussion.ForumPatch{Closed: ptr(true)})
	require.NoError(t, err)
	require.NotNil(t, f.ClosedAt)
	_, err = b.svc.CreateThread(ctx, b.la, b.forum.ID, discussion.NewThread{Title: "Hi", Body: "Hi"})
	require.ErrorIs(t, err, errs.ErrForbidden, "no new threads in a closed forum")
	_, err = b.svc.Reply(ctx, b.la, b.thread.ID, discussion.NewPost{Body: "Hi"})
	require.ErrorIs(t, err, errs.ErrForbidden, "no replies in a closed forum")
	_, err = b.svc.Reply(ctx, b.teacher, b.thread.ID, discussion.NewPost{Body: "Closed for the holidays."})
	require.NoError(t, err)
	_, err = b.svc.UpdatePost(ctx, b.lb, b.reply.ID, discussion.PostPatch{Body: ptr("Edited")})
	require.ErrorIs(t, err, errs.ErrForbidden, "no edits in a closed forum")
	f, err = b.svc.UpdateForum(ctx, b.teacher, b.forum.ID, discussion.ForumPatch{Closed: ptr(false)})
	require.NoError(t, err)
	require.Nil(t, f.ClosedAt)
	_, err = b.svc.Reply(ctx, b.la, b.thread.ID, discussion.NewPost{Body: "Thanks"})
	require.NoError(t, err)

	_, err = b.svc.UpdateThread(ctx, b.la, b.thread.ID, discussion.ThreadPatch{Pinned: ptr(true)})
	require.ErrorIs(t, err, errs.ErrForbidden)
	th, err := b.svc.UpdateThread(ctx, b.teacher, b.thread.ID, discussion.ThreadPatch{Pinned: ptr(true), Locked: ptr(true)})
	require.NoError(t, err)
	require.True(t, th.Pinned && th.Locked)
	_, err = b.svc.Reply(ctx, b.lb, b.thread.ID, discussion.NewPost{Body: "Hi"})
	require.ErrorIs(t, err, errs.ErrForbidden, "no replies in a locked thread")
	_, err = b.svc.UpdatePost(ctx, b.lb, b.reply.ID, discussion.PostPatch{Body: ptr("Sorry.")})
	require.ErrorIs(t, err, errs.ErrForbidden, "no edits in a locked thread")
	_, err = b.svc.UpdateThread(ctx, b.teacher, b.thread.ID, discussion.ThreadPatch{Locked: ptr(false)})
	require.NoError(t, err)

	_, err = b.svc.UpdatePost(ctx, b.la, b.reply.ID, discussion.PostPatch{Body: ptr("Hacked")})
	require.ErrorIs(t, err, errs.ErrForbidden, "only the author edits a post")
	p, err := b.svc.UpdatePost(ctx, b.lb, b.reply.ID, discussion.PostPatch{Body: ptr("Sorry: Friday.")})
	require.NoError(t, err)
	require.Equal(t, "Sorry: Friday.", p.Body)
	require.NotNil(t, p.EditedAt)
	require.ErrorIs(t, b.svc.DeletePost(ctx, b.la, b.reply.ID), errs.ErrForbidden, "only the author or a teacher deletes a post")
	require.NoError(t, b.svc.DeletePost(ctx, b.lb, b.reply.ID))
	_, err = b.svc.ReportPost(ctx, b.la, b.reply.ID, discussion.NewReport{Reason: "Rude"})
	require.ErrorIs(t, err, errs.ErrConflict, "a deleted post has nothing left to report")

	require.ErrorIs(t, b.svc.DeleteThread(ctx, b.la, b.thread.ID), errs.ErrForbidden)
	require.NoError(t, b.svc.DeleteThread(ctx, b.teacher, b.thread.ID))
	require.ErrorIs(t, b.svc.DeleteForum(ctx, b.la, b.forum.ID), errs.ErrForbidden)
	require.NoError(t, b.svc.DeleteForum(ctx, b.teacher, b.forum.ID))
}
