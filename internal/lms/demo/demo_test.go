package demo_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The demo a newcomer sees: a published course the demo learner opens, with
// a page, a PDF and a video that play from storage; seeding twice adds
// nothing.
func TestDemoSeed(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	svc := demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}
	made, err := demo.Seed(ctx, svc, e.A.ID)
	require.NoError(t, err)
	require.True(t, made)
	made, err = demo.Seed(ctx, svc, e.A.ID)
	require.NoError(t, err)
	require.False(t, made)

	learner := e.Login(e.A.Slug, "sam.learner", demo.Password)
	r := learner.Expect(200, "GET", "/api/v1/t/tenant-a/courses", nil)
	var list struct{ Items []struct{ ID string } }
	r.Decode(&list)
	require.Len(t, list.Items, 1)
	r = learner.Expect(200, "GET", "/api/v1/t/tenant-a/courses/"+list.Items[0].ID, nil)
	var pv struct {
		Sections []struct {
			Items []struct{ ID, Kind string }
		}
	}
	r.Decode(&pv)
	kinds := map[string]string{}
	for _, s := range pv.Sections {
		for _, it := range s.Items {
			kinds[it.Kind] = it.ID
		}
	}
	for _, k := range []string{"page", "file", "video", "link"} {
		require.Contains(t, kinds, k)
	}
	r = learner.Expect(200, "GET", "/api/v1/t/tenant-a/items/"+kinds["video"], nil)
	require.Equal(t, "video/mp4", r.JSON()["file"].(map[string]any)["content_type"])

	// Sam's work on the assignment, with Jo's released mark and feedback.
	cp := "/api/v1/t/tenant-a/courses/" + list.Items[0].ID
	r = learner.Expect(200, "GET", cp+"/assignments", nil)
	var as struct{ Items []struct{ ID string } }
	r.Decode(&as)
	require.Len(t, as.Items, 1)
	r = learner.Expect(200, "GET", "/api/v1/t/tenant-a/assignments/"+as.Items[0].ID+"/submission", nil)
	mark, _ := r.JSON()["mark"].(map[string]any)
	require.NotNil(t, mark, r.Text())
	require.EqualValues(t, 8, mark["score"])
	require.Contains(t, mark["feedback"], "Great work")

	// The class forum has a thread with a reply.
	r = learner.Expect(200, "GET", cp+"/forums", nil)
	var fs struct{ Items []struct{ ID string } }
	r.Decode(&fs)
	require.Len(t, fs.Items, 1)
	r = learner.Do("GET", "/api/v1/t/tenant-a/forums/"+fs.Items[0].ID+"/threads", nil)
	var ts struct{ Items []struct{ ID string } }
	r.Decode(&ts)
	require.Len(t, ts.Items, 1)
	r = learner.Do("GET", "/api/v1/t/tenant-a/threads/"+ts.Items[0].ID+"/posts", nil)
	var ps struct{ Items []struct{ Body string } }
	r.Decode(&ps)
	require.Len(t, ps.Items, 2)
	require.Contains(t, ps.Items[1].Body, "pond skater")
}

// The demo's school day: work due tomorrow and work missing; made once.
func TestSeedDayOnce(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	svc := demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}
	_, err := demo.Seed(ctx, svc, e.A.ID)
	require.NoError(t, err)
	made, err := demo.SeedDay(ctx, svc, e.A.ID)
	require.NoError(t, err)
	require.True(t, made)
	made, err = demo.SeedDay(ctx, svc, e.A.ID)
	require.NoError(t, err)
	require.False(t, made, "a second run adds nothing")
	var due, missing int64
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FILTER (WHERE due_at > now()), count(*) FILTER (WHERE due_at < now() AND NOT EXISTS
			(SELECT 1 FROM submissions s WHERE s.assignment_id = a.id)) FROM assignments a`).Row().Scan(&due, &missing)
	}))
	require.EqualValues(t, 2, due, "the habitat hunt and the pond diary")
	require.EqualValues(t, 1, missing, "the drawing")
}
