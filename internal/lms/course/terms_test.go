package course_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A term has ended once its last day is over on the school's wall clock:
// in summer time that is an hour before midnight UTC.
func TestTermEndsAtLocalMidnight(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	autumn := course.Term{EndsOn: day("2026-12-18")}
	require.False(t, autumn.Ended(at("2026-12-18T23:59:00Z"), localtime.London), "still Friday in London (GMT)")
	require.True(t, autumn.Ended(at("2026-12-19T00:00:00Z"), localtime.London))
	summer := course.Term{EndsOn: day("2027-07-21")}
	require.True(t, summer.Ended(at("2027-07-21T23:30:00Z"), localtime.London), "00:30 on Thursday in London (BST)")
	require.False(t, summer.Ended(at("2027-07-21T23:30:00Z"), time.UTC))
}

// The next term is the earliest of the same kind that starts after the
// course's term: a term's next term, not the school year around it.
func TestNextTerm(t *testing.T) {
	t.Parallel()
	year := course.Term{ID: uuid.New(), Kind: "schoolYear", StartsOn: day("2026-09-01"), EndsOn: day("2027-07-21")}
	autumn := course.Term{ID: uuid.New(), Kind: "term", StartsOn: day("2026-09-01"), EndsOn: day("2026-12-18")}
	spring := course.Term{ID: uuid.New(), Kind: "term", StartsOn: day("2027-01-05"), EndsOn: day("2027-03-26")}
	summer := course.Term{ID: uuid.New(), Kind: "term", StartsOn: day("2027-04-12"), EndsOn: day("2027-07-21")}
	next := course.Term{ID: uuid.New(), Kind: "schoolYear", StartsOn: day("2027-09-01"), EndsOn: day("2028-07-20")}
	terms := []course.Term{summer, year, next, spring, autumn}
	require.Equal(t, spring.ID, course.NextTerm(terms, &autumn.ID).ID)
	require.Equal(t, summer.ID, course.NextTerm(terms, &spring.ID).ID)
	require.Equal(t, next.ID, course.NextTerm(terms, &year.ID).ID)
	require.Nil(t, course.NextTerm(terms, &summer.ID), "the last term has no next")
	require.Nil(t, course.NextTerm(terms, nil))
}

// A rollover puts each copy in the term after its course's own, or in
// the term the admin chose; a course in no term gives a copy in no term.
// Another tenant's term cannot be chosen (a field error, as any unknown
// term), and a single copy may name its term.
func TestRolloverPutsCopiesInTheNextTerm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	a := lmstest.NewCourse(t, e.DB.App, e.A.ID, "term-a-")
	b := lmstest.NewCourse(t, e.DB.App, e.A.ID, "term-b-")
	admin := access.Member(e.A.ID, e.A.AdminID)
	svc := e.App.Courses
	ids := map[string]uuid.UUID{}
	addTerms := func(tenant uuid.UUID, prefix string, rows ...[4]string) {
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(tenant, "test"), func(tx *gorm.DB) error {
			for _, r := range rows {
				id := uuid.Must(uuid.NewV7())
				ids[prefix+r[0]] = id
				if err := tx.Exec(`INSERT INTO terms (tenant_id, id, external_id, title, kind, starts_on, ends_on) VALUES (app_tenant_id(), ?, ?, ?, 'term', ?, ?)`,
					id, prefix+r[0], r[1], r[2], r[3]).Error; err != nil {
					return err
				}
			}
			return nil
		}))
	}
	addTerms(e.A.ID, "a-", [4]string{"aut", "Autumn 2026", "2026-09-01", "2026-12-18"},
		[4]string{"spr", "Spring 2027", "2027-01-05", "2027-03-26"}, [4]string{"sum", "Summer 2027", "2027-04-12", "2027-07-21"})
	addTerms(e.B.ID, "b-", [4]string{"aut", "B's autumn", "2026-09-01", "2026-12-18"})
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE courses SET term_id = ? WHERE id = ?`, ids["a-aut"], a.ID).Error
	}))
	termOf := func(title string) *uuid.UUID {
		var got struct{ TermID *uuid.UUID }
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT term_id FROM courses WHERE title = ?`, title).Scan(&got).Error
		}))
		return got.TermID
	}

	r, err := svc.StartRollover(ctx, admin, course.NewRollover{SchoolID: a.School, CourseIDs: []uuid.UUID{a.ID, b.ID}, Suffix: "next"})
	require.NoError(t, err)
	require.NoError(t, svc.RunRollover(ctx, e.A.ID, r.ID))
	spr := ids["a-spr"]
	require.Equal(t, &spr, termOf("term-a- course next"), "the term after Autumn")
	require.Nil(t, termOf("term-b- course next"), "a course in no term: a copy in no term")

	sum := ids["a-sum"]
	r, err = svc.StartRollover(ctx, admin, course.NewRollover{SchoolID: a.School, CourseIDs: []uuid.UUID{a.ID, b.ID}, Suffix: "chosen", TermID: &sum})
	require.NoError(t, err)
	require.NoError(t, svc.RunRollover(ctx, e.A.ID, r.ID))
	require.Equal(t, &sum, termOf("term-a- course chosen"))
	require.Equal(t, &sum, termOf("term-b- course chosen"))

	bTerm := ids["b-aut"]
	_, err = svc.StartRollover(ctx, admin, course.NewRollover{SchoolID: a.School, CourseIDs: []uuid.UUID{a.ID}, Suffix: "x", TermID: &bTerm})
	require.ErrorIs(t, err, errs.ErrInvalid)
	require.ErrorContains(t, err, "term_id")
	_, err = svc.Copy(ctx, admin, a.ID, course.CopyInput{Title: "copy in B's term", TermID: &bTerm})
	require.ErrorContains(t, err, "term_id")
	c, err := svc.Copy(ctx, admin, a.ID, course.CopyInput{Title: "single copy", TermID: &sum})
	require.NoError(t, err)
	require.Equal(t, &sum, c.TermID)
	require.Equal(t, &sum, termOf("single copy"))

	terms, err := svc.Terms(ctx, access.Member(e.B.ID, e.B.AdminID))
	require.NoError(t, err)
	require.Len(t, terms, 1, "tenant B sees its own term only")
}
