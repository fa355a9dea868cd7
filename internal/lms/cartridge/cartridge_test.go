package cartridge_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/cartridge"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// outline is a course's sections and items as titles and kinds, in order.
func outline(t *testing.T, svc *course.Service, ctx context.Context, c lmstest.Course, id uuid.UUID) []string {
	t.Helper()
	v, err := svc.Page(ctx, c.Teacher.Scope(c.Tenant), id)
	require.NoError(t, err)
	var out []string
	for _, s := range v.Sections {
		out = append(out, "# "+s.Title)
		for _, it := range s.Items {
			out = append(out, it.Kind+": "+it.Title)
		}
	}
	return out
}

// A course exported as a Common Cartridge and imported into another course
// comes back with its sections, pages (and their images), files and links
// in order; an assignment, which the format does not carry here, is said
// to be left out; nothing of a person is in the package.
func TestCommonCartridgeRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "cc-")
	teacher := c.Teacher.Scope(c.Tenant)
	svc := cartridge.NewService(e.App.DB, e.App.Courses, e.App.Files)

	img, err := e.App.Files.Upload(ctx, teacher, "cell.png", bytes.NewReader(png))
	require.NoError(t, err)
	body := `<h2>Cells</h2><p>Every living thing is made of cells.</p><img src="` + course.ImagePath(c.Tenant, img.ID) + `" alt="A cell">`
	_, err = e.App.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: c.Section, Kind: course.KindPage, Title: "What is a cell?", BodyHTML: &body})
	require.NoError(t, err)
	pdf, err := e.App.Files.Upload(ctx, teacher, "worksheet.pdf", bytes.NewReader([]byte("%PDF-1.4\n%%EOF\n")))
	require.NoError(t, err)
	_, err = e.App.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: c.Section, Kind: course.KindFile, Title: "Worksheet", FileID: &pdf.ID})
	require.NoError(t, err)
	sec2, err := e.App.Courses.AddSection(ctx, teacher, c.ID, course.NewSection{Title: "Forces"})
	require.NoError(t, err)
	u := "https://www.bbc.co.uk/bitesize/topics/zn77hyc"
	_, err = e.App.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: sec2.ID, Kind: course.KindLink, Title: "Forces on Bitesize", URL: &u})
	require.NoError(t, err)
	_, err = e.App.Assignments.Create(ctx, teacher, c.ID, assignment.NewAssignment{SectionID: sec2.ID, Title: "Playground forces", DueAt: time.Now().Add(24 * time.Hour), MaxScore: 10})
	require.NoError(t, err)

	var pkg bytes.Buffer
	skipped, err := svc.Export(ctx, teacher, c.ID, &pkg)
	require.NoError(t, err)
	require.Equal(t, []string{"Playground forces (assignment)"}, skipped)

	// The package names no person: no learner's or teacher's name or username.
	zr, err := zip.NewReader(bytes.NewReader(pkg.Bytes()), int64(pkg.Len()))
	require.NoError(t, err)
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		for _, who := range []string{c.Teacher.Username, c.Learner.Username, c.Learner2.Username, c.Teacher.ID.String()} {
			require.NotContains(t, string(b), who, f.Name)
		}
	}

	// Into a new course of the same school.
	to, err := e.App.Courses.Create(ctx, teacher, course.NewCourse{SchoolID: c.School, Title: "Copy"})
	require.NoError(t, err)
	rep, err := svc.Import(ctx, teacher, to.ID, zr)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Sections)
	require.Equal(t, 3, rep.Items)
	require.Empty(t, rep.Skipped)
	want := outline(t, e.App.Courses, ctx, c, c.ID)
	want = want[:len(want)-1] // the assignment stays behind
	require.Equal(t, want, outline(t, e.App.Courses, ctx, c, to.ID))

	v, err := e.App.Courses.Page(ctx, teacher, to.ID)
	require.NoError(t, err)
	page, err := e.App.Courses.GetItem(ctx, teacher, v.Sections[0].Items[0].ID)
	require.NoError(t, err)
	require.Contains(t, *page.BodyHTML, "Every living thing is made of cells.")
	require.NotContains(t, *page.BodyHTML, img.ID.String(), "the page points at its own copy of the image")
	require.Contains(t, *page.BodyHTML, `alt="A cell"`)
	start := strings.Index(*page.BodyHTML, "/images/") + len("/images/")
	copied := uuid.MustParse((*page.BodyHTML)[start : start+36])
	_, err = e.App.Courses.ImageLink(ctx, c.Learner.Scope(c.Tenant), copied)
	require.ErrorIs(t, err, errs.ErrNotFound, "imported items start hidden, and the learner is not on the new course")
	_, err = e.App.Courses.ImageLink(ctx, teacher, copied)
	require.NoError(t, err)
	link, err := e.App.Courses.GetItem(ctx, teacher, v.Sections[1].Items[0].ID)
	require.NoError(t, err)
	require.Equal(t, u, *link.URL)
	require.False(t, link.Published, "imported items wait for the teacher to show them")

	// A learner may neither export nor import.
	_, err = svc.Export(ctx, c.Learner.Scope(c.Tenant), c.ID, io.Discard)
	require.ErrorIs(t, err, errs.ErrForbidden)
}

// What another platform's cartridge holds that has no place here is named
// in the report; what does is imported; a zip without a manifest is a 400.
func TestCommonCartridgeFromElsewhere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "cx-")
	teacher := c.Teacher.Scope(c.Tenant)
	svc := cartridge.NewService(e.App.DB, e.App.Courses, e.App.Files)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = io.WriteString(w, body)
		require.NoError(t, err)
	}
	add("imsmanifest.xml", `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cc" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
 <organizations><organization identifier="org" structure="rooted-hierarchy"><item identifier="root">
  <item identifier="week1"><title>Week 1</title>
   <item identifier="i1" identifierref="r1"><title>Welcome</title></item>
   <item identifier="sub"><title>Extra</title><item identifier="i2" identifierref="r2"><title>Quiz 1</title></item></item>
   <item identifier="i3" identifierref="r3"><title>Talk about it</title></item>
  </item>
  <item identifier="i4" identifierref="r4"><title>Library</title></item>
 </item></organization></organizations>
 <resources>
  <resource identifier="r1" type="webcontent" href="wiki_content/welcome.html"><file href="wiki_content/welcome.html"/></resource>
  <resource identifier="r2" type="imsqti_xmlv1p2/imscc_xmlv1p1/assessment"><file href="quiz.xml"/></resource>
  <resource identifier="r3" type="imsdt_xmlv1p1"><file href="topic.xml"/></resource>
  <resource identifier="r4" type="imswl_xmlv1p1"><file href="lib.xml"/></resource>
 </resources>
</manifest>`)
	add("wiki_content/welcome.html", `<html><body><p>Welcome!</p><script>alert(1)</script></body></html>`)
	add("lib.xml", `<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1"><title>Library</title><url href="https://library.example.org/"/></webLink>`)
	require.NoError(t, zw.Close())
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	rep, err := svc.Import(ctx, teacher, c.ID, zr)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Items)
	require.Len(t, rep.Skipped, 2)
	require.Contains(t, rep.Skipped[0], "Quiz 1: this platform has nowhere to put a test")
	require.Contains(t, rep.Skipped[1], "Talk about it: this platform has nowhere to put a discussion topic")
	got := outline(t, e.App.Courses, ctx, c, c.ID)
	require.Equal(t, []string{"# Week 1", "# Week 1", "page: Welcome", "# Imported", "link: Library"}, got)
	v, err := e.App.Courses.Page(ctx, teacher, c.ID)
	require.NoError(t, err)
	welcome, err := e.App.Courses.GetItem(ctx, teacher, v.Sections[1].Items[0].ID)
	require.NoError(t, err)
	require.Equal(t, "<p>Welcome!</p>", *welcome.BodyHTML, "the sanitiser still decides")

	var empty bytes.Buffer
	require.NoError(t, zip.NewWriter(&empty).Close())
	zr, err = zip.NewReader(bytes.NewReader(empty.Bytes()), int64(empty.Len()))
	require.NoError(t, err)
	_, err = svc.Import(ctx, teacher, c.ID, zr)
	require.ErrorIs(t, err, errs.ErrInvalid)
}
