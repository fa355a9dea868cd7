package discussion_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Each tenant's discussions stay its own: the other tenant's teacher finds
// nothing by id and lists nothing. Erasing an author keeps the discussion
// (the school's record) with the author's name gone.
func TestDiscussionTenantsAndErasure(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	svc := e.App.Discussion
	fa := lmstest.NewCourse(t, e.DB.App, e.A.ID, "dt-")
	fb := lmstest.NewCourse(t, e.DB.App, e.B.ID, "dt-")
	ta, la, tb := fa.Teacher.Scope(e.A.ID), fa.Learner.Scope(e.A.ID), fb.Teacher.Scope(e.B.ID)

	forum, err := svc.CreateForum(ctx, ta, fa.ID, discussion.NewForum{Title: "Questions"})
	require.NoError(t, err)
	th, err := svc.CreateThread(ctx, la, forum.ID, discussion.NewThread{Title: "Due?", Body: "When is it due?"})
	require.NoError(t, err)
	reply, err := svc.Reply(ctx, ta, th.ID, discussion.NewPost{Body: "Friday."})
	require.NoError(t, err)

	_, err = svc.Forum(ctx, tb, forum.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = svc.Posts(ctx, tb, th.ID, discussion.PostFilter{}, uuid.Nil, 50)
	require.ErrorIs(t, err, errs.ErrNotFound)
	_, err = svc.Reply(ctx, tb, th.ID, discussion.NewPost{Body: "Hi"})
	require.ErrorIs(t, err, errs.ErrNotFound)
	require.ErrorIs(t, svc.DeletePost(ctx, tb, reply.ID), errs.ErrNotFound)
	list, err := svc.Forums(ctx, tb, fb.ID, "", uuid.Nil, 50)
	require.NoError(t, err)
	require.Empty(t, list)

	// The learner is erased: their post stays, anonymous.
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-erase"), func(tx *gorm.DB) error {
		return tx.Exec(`DELETE FROM people WHERE id = ?`, fa.Learner.ID).Error
	}))
	posts, err := svc.Posts(ctx, ta, th.ID, discussion.PostFilter{}, uuid.Nil, 50)
	require.NoError(t, err)
	require.Len(t, posts, 2)
	require.Nil(t, posts[0].AuthorID)
	require.Empty(t, posts[0].AuthorName)
	require.Equal(t, "When is it due?", posts[0].Body)
	got, err := svc.Thread(ctx, ta, th.ID)
	require.NoError(t, err)
	require.Nil(t, got.AuthorID)
	require.Equal(t, 2, got.PostCount)
}
