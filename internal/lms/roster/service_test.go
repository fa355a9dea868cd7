package roster_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func testFiles(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	for _, n := range []string{roster.UsersFile, roster.RolesFile, roster.ClassesFile, roster.EnrollmentsFile} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		require.NoError(t, err)
		out[n] = b
	}
	return out
}

func countPeople(t *testing.T, e *apptest.Env) (n int64) {
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Table("people").Where("external_id IS NOT NULL").Count(&n).Error
	}))
	return n
}

// Two admins uploading the same export at once make each person once:
// imports of one tenant take turns.
func TestRosterConcurrentImportsTakeTurns(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	sc := access.Member(e.A.ID, e.A.AdminID)
	var wg sync.WaitGroup
	recs := make([]roster.Import, 2)
	errs := make([]error, 2)
	for i := range recs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			recs[i], errs[i] = e.App.Roster.Import(context.Background(), sc, testFiles(t), false)
		}(i)
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.Equal(t, 4, recs[0].Counts.People.Created+recs[1].Counts.People.Created)
	require.Equal(t, 4, recs[0].Counts.People.Unchanged+recs[1].Counts.People.Unchanged)
	require.EqualValues(t, 4, countPeople(t, e))
}

// A seed or job can import under a system scope; the log then names no one.
func TestRosterSystemScopeImport(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	sc := access.System(e.A.ID, "seed")
	rec, err := e.App.Roster.Import(ctx, sc, testFiles(t), false)
	require.NoError(t, err)
	require.Nil(t, rec.StartedBy)
	require.Equal(t, roster.Applied, rec.Status)
	got, err := e.App.Roster.Get(ctx, sc, rec.ID)
	require.NoError(t, err)
	require.Equal(t, rec.Counts, got.Counts)
	require.Len(t, got.Warnings, 1)

	files := testFiles(t)
	files[roster.EnrollmentsFile] = append(files[roster.EnrollmentsFile], []byte("e9,,,c-none,,u-s1,student,false,,\n")...)
	rec, err = e.App.Roster.Import(ctx, sc, files, false)
	rej, ok := roster.AsRejected(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, rec.ID, rej.Import.ID)
	require.Equal(t, []roster.Issue{{File: "enrollments.csv", Line: 7, Field: "classSourcedId", Message: rej.Import.Errors[0].Message}}, rej.Import.Errors)
	list, err := e.App.Roster.List(ctx, sc, roster.Rejected, uuid.Nil, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Nil(t, list[0].Errors, "lists leave the errors out")
}
