package web_test

import (
	"context"
	"sort"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A teacher enrols learners of their own school in the browser: the
// type-ahead lists the school's learners only (never the other school's,
// never the other tenant's people of the same names); the plain search form
// finds by class; tick and enrol; a whole class at once; take a learner off.
// When the school's admin stops teachers enrolling, the page says to ask
// them. Every page is checked with axe and laid out 375 px wide.
func TestTeacherEnrolsLearnersInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "en-")
	fb := lmstest.NewCourse(t, e.DB.App, e.B.ID, "en-") // the same names in tenant B
	var rival, extra uuid.UUID
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		school2, art, rivalClass := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		require.NoError(t, tx.Exec(`INSERT INTO schools (tenant_id, id, slug, name) VALUES (?, ?, 'rival', 'Rival school')`, e.A.ID, school2).Error)
		mk := func(user, name string, school uuid.UUID) uuid.UUID {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: user, DisplayName: name})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, e.A.ID, p.ID, identity.RoleLearner, &school)
			require.NoError(t, err)
			return p.ID
		}
		rival, extra = mk("en-rival", "en- rival", school2), mk("en-extra", "en- extra", fx.School)
		require.NoError(t, tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, 'Year 9 Art', 'published'), (?, ?, ?, 'Year 9 Art at the rival school', 'published')`,
			e.A.ID, art, fx.School, e.A.ID, rivalClass, school2).Error)
		return tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (?, ?, ?, 'learner'), (?, ?, ?, 'learner'), (?, ?, ?, 'learner')`,
			e.A.ID, art, fx.Outsider.ID, e.A.ID, art, extra, e.A.ID, rivalClass, rival).Error
	}))
	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.Narrow = true

	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go("/t/tenant-a/courses/"+fx.ID.String(), "")
	b.Submit(`//a[.="People on this course"]`, "enrol-people")
	peopleURL := b.Path()

	// The type-ahead: "en-" is in every username of both tenants.
	b.Run(chromedp.SendKeys("#q", "en-", chromedp.ByQuery),
		chromedp.Poll(`document.querySelectorAll("#people-list li").length > 0`, nil))
	var found []string
	b.Run(chromedp.Evaluate(`[...document.querySelectorAll("#people-list input")].map(i => i.value)`, &found))
	want := []string{fx.Learner.ID.String(), fx.Learner2.ID.String(), fx.Outsider.ID.String(), extra.String()}
	sort.Strings(found)
	sort.Strings(want)
	require.Equal(t, want, found, "the school's learners only: not its teachers, not the other school's, not tenant B's")
	for _, id := range []uuid.UUID{rival, fb.Learner.ID, fb.Outsider.ID} {
		require.NotContains(t, found, id.String())
	}
	require.Contains(t, b.Text("#people-status"), "4 people found")

	// The plain form: search by class, tick, enrol.
	b.Fill("#q", "9 art")
	b.Submit(`//button[.="Search"]`, "enrol-search-class")
	require.Contains(t, b.Text("#people-list"), "en- outsider")
	require.NotContains(t, b.Text("#people-list"), "en- rival", "the other school's class does not lead to its learners")
	b.Submit(`//button[.="Enrol the ticked learners"]`, "")
	require.Contains(t, b.Text(".error-summary"), "There is a problem", "nobody ticked")
	b.Run(chromedp.Click(`//li[contains(., "en- outsider")]/input[@type="checkbox"]`, chromedp.BySearch))
	b.Submit(`//button[.="Enrol the ticked learners"]`, "")
	require.Contains(t, b.Text(".flash"), "The ticked learners are on the course now")
	require.Contains(t, b.Text("main table"), "en- outsider")

	// A whole class at once; the other school's class is not offered.
	main := b.Text("main")
	require.NotContains(t, main, "rival school")
	b.Submit(`//button[contains(., "of the class Year 9 Art")]`, "")
	require.Contains(t, b.Text(".flash"), "Everyone in it")
	require.Contains(t, b.Text("main table"), "en- extra")
	b.Submit(`//button[.="Take en- extra off"]`, "")
	require.Contains(t, b.Text(".flash"), "Taken off")
	require.NotContains(t, b.Text("main table"), "en- extra")
	b.SignOut()

	// The school's admin stops teachers enrolling; the teacher is told to ask.
	b.SignIn("tenant-a", e.A.AdminUser, apptest.AdminPassword)
	b.Go("/t/tenant-a/admin/courses", "")
	b.Submit(`//a[contains(., "Who enrols learners")]`, "enrol-admin-setting")
	b.Run(chromedp.Click(`//li[contains(., "School tenant-a")]/input[@type="checkbox"]`, chromedp.BySearch))
	b.Submit(`//button[.="Save"]`, "")
	require.Contains(t, b.Text(".flash"), "Saved")
	b.SignOut()
	b.SignIn("tenant-a", fx.Teacher.Username, lmstest.Password)
	b.Go(peopleURL, "")
	require.Contains(t, b.Text("main"), "Your school's admins add people to this course.")
	require.NotContains(t, b.Text("main"), "Enrol the ticked learners")
}
