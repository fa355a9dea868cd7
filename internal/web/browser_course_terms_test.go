package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Terms on the admin's course pages, in the browser (axe, 375 px, plain
// words): a course's page names its term with its dates in the UK format;
// the courses list says "Term ended" for a course whose term is over; a
// rollover lists each course's move into the next term and, left at its
// default, puts the copy there. Tenant B's terms are not offered.
func TestCourseTermsInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	past := lmstest.NewCourse(t, e.DB.App, e.A.ID, "tp-")
	now := lmstest.NewCourse(t, e.DB.App, e.A.ID, "tn-")
	terms := map[string]uuid.UUID{}
	for _, tn := range []struct {
		tenant                 uuid.UUID
		key, title, start, end string
	}{
		{e.A.ID, "old", "Summer 2025", "2025-04-22", "2025-07-23"},
		{e.A.ID, "cur", "Autumn 2099", "2099-09-01", "2099-12-18"},
		{e.A.ID, "next", "Spring 2100", "2100-01-05", "2100-03-26"},
		{e.B.ID, "b", "Tenant B's own term", "2099-09-01", "2099-12-18"},
	} {
		id := uuid.Must(uuid.NewV7())
		terms[tn.key] = id
		require.NoError(t, access.Transact(ctx, e.DB.App, access.System(tn.tenant, "test-setup"), func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO terms (tenant_id, id, external_id, title, kind, starts_on, ends_on) VALUES (app_tenant_id(), ?, ?, ?, 'term', ?, ?)`,
				id, tn.key, tn.title, tn.start, tn.end).Error
		}))
	}
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE courses SET term_id = ? WHERE id = ?`, terms["old"], past.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE courses SET term_id = ? WHERE id = ?`, terms["cur"], now.ID).Error
	}))

	a := webtest.New(t, e.Server.URL)
	a.Plain = true
	a.Narrow = true
	a.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	base := "/t/tenant-a"
	a.Go(base+"/admin/courses", "course-terms-list")
	var pastRow, nowRow string
	a.Run(chromedp.Text(`//tr[contains(., "tp- course")]`, &pastRow, chromedp.BySearch),
		chromedp.Text(`//tr[contains(., "tn- course")]`, &nowRow, chromedp.BySearch))
	require.Contains(t, pastRow, "Summer 2025")
	require.Contains(t, pastRow, "Term ended")
	require.Contains(t, nowRow, "Autumn 2099")
	require.NotContains(t, nowRow, "Term ended")

	a.Go(base+"/admin/courses/"+now.ID.String(), "course-terms-course")
	require.Contains(t, a.Text("main"), "Term: Autumn 2099, Tue 1 Sep 2099 to Fri 18 Dec 2099")
	a.Go(base+"/admin/courses/"+past.ID.String(), "")
	require.Contains(t, a.Text("main"), "Term ended")

	a.Go(base+"/rollovers/new", "course-terms-rollover")
	require.Contains(t, a.Text(`label[for="c-`+now.ID.String()+`"]`), "Autumn 2099, copied into Spring 2100")
	require.Equal(t, "", a.Value("#term_id"), "the default: each course's next term")
	require.NotContains(t, a.Text("#term_id"), "Tenant B")
	a.Run(chromedp.Click(`#c-`+now.ID.String(), chromedp.ByQuery))
	a.Fill(`#suffix`, "2100")
	a.Submit(`/html/body//button[normalize-space()="Copy the ticked courses"]`, "")
	id, err := uuid.Parse(strings.TrimPrefix(a.Path(), base+"/rollovers/"))
	require.NoError(t, err)
	require.NoError(t, e.App.Courses.RunRollover(ctx, e.A.ID, id))
	a.Go(base+"/admin/courses", "")
	var copyRow string
	a.Run(chromedp.Text(`//tr[contains(., "tn- course 2100")]`, &copyRow, chromedp.BySearch))
	require.Contains(t, copyRow, "Spring 2100", "the copy is in the next term")

	// A teacher's copy of the course offers the next term first.
	b := webtest.New(t, e.Server.URL)
	b.Plain = true
	b.Narrow = true
	b.SignIn("tenant-a", now.Teacher.Username, lmstest.Password)
	b.Go(base+"/courses/"+now.ID.String()+"/copy", "course-terms-copy")
	require.Equal(t, terms["next"].String(), b.Value("#term_id"))
}
