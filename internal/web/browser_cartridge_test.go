package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// A teacher downloads a course as a Common Cartridge from its page and
// imports the file into another course: the content arrives, hidden, and
// the page says what came in.
func TestCommonCartridgeInTheBrowser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "cb-")
	teacher := c.Teacher.Scope(c.Tenant)
	body := "<p>Photosynthesis turns light into sugar.</p>"
	_, err := e.App.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: c.Section, Kind: course.KindPage, Title: "Photosynthesis", BodyHTML: &body})
	require.NoError(t, err)
	to, err := e.App.Courses.Create(ctx, teacher, course.NewCourse{SchoolID: c.School, Title: "Next year's biology"})
	require.NoError(t, err)

	b := webtest.New(t, e.Server.URL)
	b.Plain = true // a school user: no developer strings on their pages
	b.Narrow = true
	b.SignIn("tenant-a", c.Teacher.Username, lmstest.Password)
	b.Go("/t/tenant-a/courses/"+c.ID.String()+"/edit", "")
	b.Submit(`//a[contains(., "Common Cartridge")]`, "teacher-cartridge")
	pkg := b.Download(`a[href$="cartridge.imscc"]`)
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	require.NoError(t, err)
	require.Equal(t, "imsmanifest.xml", zr.File[len(zr.File)-1].Name)

	path := filepath.Join(t.TempDir(), "biology.imscc")
	require.NoError(t, os.WriteFile(path, pkg, 0o644))
	b.Go("/t/tenant-a/courses/"+to.ID.String()+"/cartridge", "")
	b.Run(chromedp.SetUploadFiles("#cartridge", []string{path}, chromedp.ByQuery))
	b.Submit(`form[data-upload] button[type=submit]`, "teacher-cartridge-imported")
	require.Contains(t, b.Text(`[role=status]`), "1 section and 1 item were added")
	b.Go("/t/tenant-a/courses/"+to.ID.String()+"/edit", "")
	require.Contains(t, b.Text("main"), "Photosynthesis")
	require.Contains(t, b.Text("main"), "Hidden from learners")

	// A file that is not a package is refused in words.
	notZip := filepath.Join(t.TempDir(), "notes.imscc")
	require.NoError(t, os.WriteFile(notZip, []byte("just text"), 0o644))
	b.Go("/t/tenant-a/courses/"+to.ID.String()+"/cartridge", "")
	b.Run(chromedp.SetUploadFiles("#cartridge", []string{notZip}, chromedp.ByQuery))
	b.Submit(`form[data-upload] button[type=submit]`, "")
	require.Contains(t, b.Text("main"), "not a Common Cartridge")
}
