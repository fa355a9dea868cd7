package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A parent's day in the browser: they sign in and land on My children,
// where their child's work due and missing shows but not the child's mark
// (the school's default); the school's admin turns marks on and the
// parent then sees it. The other family's child is never shown, and their
// page's address is not found. The parent gives a consent for their child;
// the child, who is nine, reads on their own privacy page that their
// parent gives it, with no buttons. Every page passes axe, has no
// sideways scroll at 375 px and shows no developer string.
func TestParentsViewInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "pv-")
	teacher, child, other := fx.Teacher.Scope(e.A.ID), fx.Learner, fx.Learner2
	const pw = "parent-password-1"
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		parent := func(user, name string, kid uuid.UUID) {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: user, DisplayName: name, Password: pw})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, e.A.ID, p.ID, identity.RoleGuardian, &fx.School)
			require.NoError(t, err)
			require.NoError(t, tx.Exec(`INSERT INTO guardianships (tenant_id, guardian_id, child_id) VALUES (?, ?, ?)`, e.A.ID, p.ID, kid).Error)
		}
		parent("pv-parent", "Robin Parent", child.ID)
		parent("pv-other-parent", "Kim Other", other.ID)
		require.NoError(t, tx.Exec(`UPDATE people SET display_name = 'Ada Child', birth_date = current_date - interval '9 years' WHERE id = ?`, child.ID).Error)
		return tx.Exec(`UPDATE people SET display_name = 'Zed Otherchild' WHERE id = ?`, other.ID).Error
	}))

	// The child's work: one due in three days, one missing, one marked and
	// released; the other child has work of their own.
	now := time.Now()
	set := func(title string, dueIn time.Duration) assignment.Assignment {
		a, err := e.App.Assignments.Create(ctx, teacher, fx.ID, assignment.NewAssignment{SectionID: fx.Section, Title: title, DueAt: now.Add(dueIn), MaxScore: 10})
		require.NoError(t, err)
		return a
	}
	set("Pond survey", 72*time.Hour)
	missing := set("Leaf rubbing", 72*time.Hour)
	marked := set("Food chain poster", 72*time.Hour)
	require.NoError(t, access.Transact(ctx, e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE assignments SET opens_at = now() - interval '5 days', due_at = now() - interval '2 days', closes_at = NULL WHERE id = ?`, missing.ID).Error
	}))
	sub, err := e.App.Assignments.Submit(ctx, child.Scope(e.A.ID), marked.ID, assignment.SubmissionInput{Body: "My poster"})
	require.NoError(t, err)
	yes, score := true, 7.0
	_, err = e.App.Assignments.SetMark(ctx, teacher, sub.ID, assignment.MarkInput{Score: &score, Feedback: "Lovely arrows", Released: &yes})
	require.NoError(t, err)
	theirs, err := e.App.Assignments.Submit(ctx, other.Scope(e.A.ID), marked.ID, assignment.SubmissionInput{Body: "Zed's poster"})
	require.NoError(t, err)
	nine := 9.0
	_, err = e.App.Assignments.SetMark(ctx, teacher, theirs.ID, assignment.MarkInput{Score: &nine, Released: &yes})
	require.NoError(t, err)
	// A message from the school to everyone in it.
	_, err = e.App.Comms.Send(ctx, access.Member(e.A.ID, e.A.AdminID), comms.NewCommunication{SchoolID: &fx.School, Subject: "Sports day", Body: "Sports day is on Friday."})
	require.NoError(t, err)

	b := webtest.New(t, e.Server.URL)
	b.Narrow = true
	b.Plain = true // school users: no developer strings on their pages
	b.SignIn("tenant-a", "pv-parent", pw)
	require.Equal(t, "/t/tenant-a/my/children", b.Path(), "a parent lands on My children")
	b.Screenshot("parent-children")
	page := b.Text("main")
	require.Contains(t, page, "Ada Child")
	require.Contains(t, page, "Pond survey", "work due")
	require.Contains(t, page, "Leaf rubbing", "work missing")
	require.NotContains(t, page, "Food chain poster", "marks are not shown by default")
	require.NotContains(t, page, "7 out of 10")
	require.NotContains(t, page, "Lovely arrows")
	require.Contains(t, page, "Sports day", "messages from the school")
	require.NotContains(t, page, "Zed", "never the other family's child")
	require.Contains(t, b.Text("nav"), "My children")

	// The child's own page; the other child's address is not found.
	b.Go("/t/tenant-a/my/children/"+child.ID.String(), "parent-child")
	require.Contains(t, b.Text("h1"), "Ada Child")
	b.Go("/t/tenant-a/my/children/"+other.ID.String(), "parent-other-child")
	require.Contains(t, b.Text("h1"), "Page not found")
	require.NotContains(t, b.Text("main"), "Zed")

	// The parent gives a consent for their child.
	b.Go("/t/tenant-a/my/children", "")
	b.Submit(`form[action$="/my/children/`+child.ID.String()+`/consents"] button`, "parent-consent-given")
	require.Contains(t, b.Text(".flash"), "Saved")
	b.SignOut()

	// The school's admin shows parents marks.
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Submit(`//a[.="What parents see"]`, "admin-parents-see")
	require.Contains(t, b.Text("main"), "What parents see")
	b.Run(chromedp.Click(`input[name="marks"]`, chromedp.ByQuery))
	b.Submit(`//button[.="Save"]`, "admin-parents-see-saved")
	require.Contains(t, b.Text(".flash"), "Saved")
	b.SignOut()

	b.SignIn("tenant-a", "pv-parent", pw)
	page = b.Text("main")
	require.Contains(t, page, "Food chain poster")
	require.Contains(t, page, "7 out of 10", "the released mark, now the school shows marks")
	require.Contains(t, page, "Lovely arrows", "and its feedback")
	require.NotContains(t, page, "9 out of 10", "never another child's mark")
	require.NotContains(t, page, "Zed")
	b.SignOut()

	// The child is nine: their parent gives consent, and they are offered no button.
	b.SignIn("tenant-a", child.Username, lmstest.Password)
	b.Go("/t/tenant-a/my/privacy", "child-privacy")
	require.Contains(t, b.Text("main"), "your parent or carer gives or withdraws these consents")
	var buttons int
	b.Run(chromedp.Evaluate(`document.querySelectorAll('form[action$="/my/privacy/consents"] button').length`, &buttons))
	require.Zero(t, buttons, "no consent buttons for a child under 13")
}
