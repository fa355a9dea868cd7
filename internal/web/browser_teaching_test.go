package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

const teachingPassword = "teaching-password-1"

// schoolPeople adds a teacher and two learners to tenant A's school, as its
// roster would, and nothing else: the school has no course.
func schoolPeople(t *testing.T, e *apptest.Env) {
	t.Helper()
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		var school uuid.UUID
		if err := tx.Raw(`SELECT id FROM schools ORDER BY created_at LIMIT 1`).Row().Scan(&school); err != nil {
			return err
		}
		for _, p := range []struct {
			user, name string
			role       identity.Role
		}{{"ms.khan", "Ms Khan", identity.RoleTeacher}, {"ria.learner", "Ria Learner", identity.RoleLearner}, {"tom.learner", "Tom Learner", identity.RoleLearner}} {
			person, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: p.user, DisplayName: p.name, Password: teachingPassword})
			if err != nil {
				return err
			}
			if _, err := identity.AssignRoleTx(tx, e.A.ID, person.ID, p.role, &school); err != nil {
				return err
			}
		}
		return nil
	}))
}

// files writes named files into a temporary folder and returns their paths.
func writeFiles(t *testing.T, files map[string][]byte) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, body, 0o644))
		paths = append(paths, p)
	}
	return paths
}

var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// A teacher builds a course from an empty school in the browser: makes it,
// adds two sections, writes a page in the editor with an image, drops three
// files at once, adds a link, reorders, schedules and hides, publishes;
// a learner then sees what is shown to them and nothing else. Every page is
// checked with axe and laid out 375 px wide.
func TestTeacherBuildsACourseInTheBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	schoolPeople(t, e)
	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.Narrow = true
	b.SignIn("tenant-a", "ms.khan", teachingPassword)

	// Make the course.
	b.Submit(`//a[contains(., "Make a course")]`, "")
	b.Fill("#title", "")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".error-summary"), "There is a problem", "an empty title is refused with the field named")
	b.Fill("#title", "Year 7 Science")
	b.Fill("#summary", "Cells, forces and the solar system.")
	b.Submit(`main form button[type=submit]`, "teacher-course-made")
	require.Contains(t, b.Text(".flash"), "draft")
	build := b.Path()
	require.True(t, strings.HasSuffix(strings.SplitN(build, "?", 2)[0], "/edit"), build)
	courseURL := strings.TrimSuffix(strings.SplitN(build, "?", 2)[0], "/edit")
	// The school enrols its learners (enrolment by teachers is another page).
	enrol(t, e, courseURL, "ria.learner")
	enrol(t, e, courseURL, "tom.learner")

	// Two sections.
	for _, s := range []string{"Cells", "Forces"} {
		b.Fill("#section_title", s)
		b.Submit(`//button[contains(., "Add the section")]`, "")
		require.Contains(t, b.Text(".flash"), "Section added")
	}
	// Move "Forces" up with the keyboard alternative, then back down.
	b.Submit(`//li[.//h2[.="Forces"]]//button[contains(., "Move up")]`, "")
	require.Equal(t, []string{"Forces", "Cells"}, sectionTitles(b))
	b.Submit(`//li[.//h2[.="Forces"]]//button[contains(., "Move down")]`, "")
	require.Equal(t, []string{"Cells", "Forces"}, sectionTitles(b))

	// A page written in the editor, with an image uploaded to the store.
	b.Submit(`//li[.//h2[.="Cells"]]//a[contains(., "Write a page")]`, "teacher-editor")
	b.Run(chromedp.WaitVisible(`.ql-editor`, chromedp.ByQuery))
	b.Fill("#title", "What is a cell?")
	b.Run(chromedp.Click(`.ql-editor`, chromedp.ByQuery), chromedp.SendKeys(`.ql-editor`, "Every living thing is made of cells.", chromedp.ByQuery))
	b.Fill("#image_alt", "A plant cell under a microscope")
	b.Run(chromedp.Click(`.ql-toolbar button.ql-image`, chromedp.ByQuery))
	img := writeFiles(t, map[string][]byte{"cell.png": onePixelPNG})
	b.Run(chromedp.SetUploadFiles(`input[data-image-picker]`, img, chromedp.ByQuery),
		chromedp.WaitVisible(`.ql-editor img`, chromedp.ByQuery))
	var draft string
	b.Run(chromedp.Poll(`Object.keys(localStorage).some(k => k.startsWith("draft-") && localStorage.getItem(k).includes("<img"))`, nil),
		chromedp.Evaluate(`Object.keys(localStorage).filter(k => k.startsWith("draft-")).map(k => localStorage.getItem(k)).join("")`, &draft))
	require.Contains(t, draft, "Every living thing", "the draft is kept as the teacher types")
	b.Submit(`//form[@data-editor-form]//button[.="Save"]`, "")
	require.Contains(t, b.Text(".flash"), "Added")

	// Three files dropped at once, each with its own progress bar.
	three := writeFiles(t, map[string][]byte{"worksheet.pdf": []byte("%PDF-1.4\n%%EOF\n"), "diagram.png": onePixelPNG, "notes.txt": []byte("Cell notes\n")})
	b.Run(chromedp.SetUploadFiles(`//li[.//h2[.="Cells"]]//input[@type="file"]`, three, chromedp.BySearch))
	b.Submit(`//li[.//h2[.="Cells"]]//button[contains(., "Upload")]`, "teacher-files-added")
	require.Contains(t, b.Text(".flash"), "Files added")
	for _, name := range []string{"worksheet", "diagram", "notes"} {
		require.Contains(t, b.Text(`main`), name)
	}

	// A link, scheduled for next term; the worksheet hidden.
	b.Submit(`//li[.//h2[.="Forces"]]//a[contains(., "Add a link")]`, "")
	b.Fill("#title", "Forces on BBC Bitesize")
	b.Fill("#url", "javascript:alert(1)")
	b.Submit(`//button[.="Save"]`, "")
	require.Contains(t, b.Text(".error-summary"), "http", "only web addresses are links")
	b.Fill("#url", "https://www.bbc.co.uk/bitesize/topics/zn77hyc")
	b.Submit(`//button[.="Save"]`, "")
	b.Run(chromedp.Click(`//li[starts-with(@id, "item-")][.//a[.="Forces on BBC Bitesize"]]//summary[contains(., "Schedule")]`, chromedp.BySearch),
		chromedp.SetValue(`//li[starts-with(@id, "item-")][.//a[.="Forces on BBC Bitesize"]]//input[@type="datetime-local"]`, "2031-09-01T08:00", chromedp.BySearch))
	b.Submit(`//li[starts-with(@id, "item-")][.//a[.="Forces on BBC Bitesize"]]//button[.="Schedule"]`, "")
	require.Contains(t, b.Text(".flash"), "Scheduled")
	require.Contains(t, b.Text(`//li[starts-with(@id, "item-")][.//a[.="Forces on BBC Bitesize"]]`), "Shown from Mon 1 Sep 2031, 08:00")
	b.Submit(`//li[starts-with(@id, "item-")][.//a[.="worksheet"]]//button[contains(., "Hide")]`, "")
	require.Contains(t, b.Text(".flash"), "Hidden")

	// An assignment in "Forces", with extra time for Ria.
	b.Submit(`//li[.//h2[.="Forces"]]//a[contains(., "Set an assignment")]`, "teacher-set-assignment")
	now := time.Now()
	b.Fill("#title", "Forces at the playground")
	b.Fill("#instructions", "Name three forces you can feel on the swings.")
	b.Run(chromedp.SetValue("#due_at", now.Add(24*time.Hour).In(localtime.London).Format("2006-01-02T15:04"), chromedp.ByQuery))
	b.Fill("#max_score", "10")
	b.Submit(`main form button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "assignment is set")
	assignPath := strings.SplitN(b.Path(), "?", 2)[0]
	var ria string
	b.Run(chromedp.Evaluate(`[...document.querySelectorAll("#person_id option")].find(o => o.textContent.includes("Ria Learner")).value`, &ria))
	b.Run(chromedp.SetValue("#person_id", ria, chromedp.ByQuery))
	b.Fill("#extra_time_percent", "25")
	b.Submit(`form[action$="/extra-time"] button[type=submit]`, "")
	require.Contains(t, b.Text("main"), "Ria Learner: 25% extra time")

	// Publish.
	b.Go(build, "")
	b.Submit(`//button[.="Publish the course"]`, "teacher-course-built")
	require.Contains(t, b.Text(".flash"), "Published")
	b.SignOut()

	// The learner sees what is shown to her, and hands in.
	b.SignIn("tenant-a", "ria.learner", teachingPassword)
	b.Go(courseURL, "learner-built-course")
	main := b.Text("main")
	require.Contains(t, main, "What is a cell?")
	require.Contains(t, main, "diagram")
	require.NotContains(t, main, "worksheet", "hidden items stay hidden")
	require.NotContains(t, main, "Forces on BBC Bitesize", "scheduled items wait for their date")
	require.NotContains(t, main, "Build this course")
	b.Submit(`//a[.="What is a cell?"]`, "learner-page-with-image")
	require.Contains(t, b.Text(".content-body"), "Every living thing is made of cells.")
	var alt string
	b.Run(chromedp.AttributeValue(`.content-body img`, "alt", &alt, nil, chromedp.ByQuery))
	require.Equal(t, "A plant cell under a microscope", alt)
	var loaded bool
	b.Run(chromedp.Evaluate(`(async () => { const i = document.querySelector(".content-body img"); if (!i) return false; if (!i.complete) await new Promise(r => i.onload = i.onerror = r); return i.naturalWidth === 1; })()`,
		&loaded, func(p *webtest.EvalParams) *webtest.EvalParams { return p.WithAwaitPromise(true) }))
	require.True(t, loaded, "the page's image loads for a learner of the course")
	b.Go(assignPath, "learner-assignment-extra-time")
	b.Fill("#body", "Gravity, friction and the push of my friend.")
	b.Submit(`form[data-upload] button[type=submit]`, "")
	require.Contains(t, b.Text(".flash"), "handed in")
	b.SignOut()

	// The teacher marks and releases, and sees the gradebook.
	b.SignIn("tenant-a", "ms.khan", teachingPassword)
	b.Go(assignPath, "")
	b.Submit(`//a[normalize-space(.)="Ria Learner"]`, "")
	b.Fill("#score", "9")
	b.Fill("#feedback", "Well spotted: the push is a force too.")
	b.Submit(`//button[contains(., "Save and go to the next learner")]`, "")
	b.Go(assignPath, "")
	b.Run(chromedp.Click(`input[aria-label="Release the mark of Ria Learner"]`, chromedp.ByQuery))
	b.Submit(`//button[contains(., "Release marks to the ticked learners")]`, "")
	require.Contains(t, b.Text("main"), "Released (1)")
	b.Go(courseURL+"/gradebook", "teacher-gradebook")
	grid := b.Text("main table")
	require.Contains(t, grid, "Ria Learner")
	require.Contains(t, grid, "Tom Learner")
	require.Contains(t, grid, "9")
	b.SignOut()

	// The learner sees her mark on her grades page.
	b.SignIn("tenant-a", "ria.learner", teachingPassword)
	b.Go("/t/tenant-a/grades", "learner-grades")
	grades := b.Text("main")
	require.Contains(t, grades, "Forces at the playground")
	require.Contains(t, grades, "9")
	require.NotContains(t, grades, "Tom Learner")
}

// sectionTitles are the builder's section headings, in order.
func sectionTitles(b *webtest.Browser) []string {
	var titles []string
	b.Run(chromedp.Evaluate(`[...document.querySelectorAll(".build-section > h2")].map(h => h.textContent)`, &titles))
	return titles
}

// enrol puts a learner on the course at courseURL (/t/slug/courses/id) as
// the school's admin would.
func enrol(t *testing.T, e *apptest.Env, courseURL, username string) {
	t.Helper()
	id := uuid.MustParse(courseURL[strings.LastIndex(courseURL, "/")+1:])
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-setup"), func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) SELECT app_tenant_id(), ?, id, 'learner' FROM people WHERE username = ?`, id, username).Error
	}))
}
