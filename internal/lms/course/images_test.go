package course_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// A 1×1 PNG.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// An image in a page is a file in the store that only the page's readers
// get a link to; taking it out of the page, or deleting the page, deletes
// it; a page cannot show another person's upload.
func TestPageImagesFollowThePage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apptest.New(t)
	c := lmstest.NewCourse(t, e.DB.App, e.A.ID, "img-")
	teacher, learner, outsider := c.Teacher.Scope(c.Tenant), c.Learner.Scope(c.Tenant), c.Outsider.Scope(c.Tenant)
	svc := e.App.Courses

	upload := func() files.File {
		f, err := e.App.Files.Upload(ctx, teacher, "diagram.png", bytes.NewReader(png))
		require.NoError(t, err)
		return f
	}
	img := upload()
	tag := func(id uuid.UUID) string { return `<img src="` + course.ImagePath(c.Tenant, id) + `" alt="A diagram">` }

	// Before the page is saved only its uploader may see it.
	_, err := svc.ImageLink(ctx, teacher, img.ID)
	require.NoError(t, err)
	_, err = svc.ImageLink(ctx, learner, img.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)

	body := "<h2>Cells</h2>" + tag(img.ID)
	it, err := svc.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: c.Section, Kind: course.KindPage, Title: "Cells", BodyHTML: &body})
	require.NoError(t, err)
	require.Contains(t, *it.BodyHTML, course.ImagePath(c.Tenant, img.ID), "the sanitiser keeps the image")
	_, err = svc.ImageLink(ctx, learner, img.ID)
	require.NoError(t, err, "a learner of the course reads the page's image")
	_, err = svc.ImageLink(ctx, outsider, img.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "someone not on the course does not")

	// Another person's upload cannot be shown by naming it.
	theirs, err := e.App.Files.Upload(ctx, learner, "mine.png", bytes.NewReader(png))
	require.NoError(t, err)
	stolen := body + tag(theirs.ID)
	_, err = svc.UpdateItem(ctx, teacher, it.ID, course.ItemPatch{BodyHTML: &stolen})
	require.ErrorIs(t, err, errs.ErrInvalid)

	// Replacing the image deletes the old one.
	next := upload()
	replaced := "<h2>Cells</h2>" + tag(next.ID)
	_, err = svc.UpdateItem(ctx, teacher, it.ID, course.ItemPatch{BodyHTML: &replaced})
	require.NoError(t, err)
	_, err = svc.ImageLink(ctx, teacher, img.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "the image taken out of the page is gone")
	_, err = svc.ImageLink(ctx, learner, next.ID)
	require.NoError(t, err)

	require.NoError(t, svc.DeleteItem(ctx, teacher, it.ID))
	_, err = svc.ImageLink(ctx, teacher, next.ID)
	require.ErrorIs(t, err, errs.ErrNotFound, "deleting the page deletes its images")
}
