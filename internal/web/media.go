package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// mediaPages are a course's recordings and people's photos: one's own
// profile photo, a school ID photo set by admins, and a photo shown where
// its person's consent allows.
func (s *Site) mediaPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/recordings", Summary: "A course's recordings",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(withID("course", "There is no such course.", s.recordingsPage))},
		{Method: "GET", Path: tp + "/recordings/:recording/download",
			Summary: "Watch or download a recording", Area: request.AreaTenant, Object: "course",
			Action: "read", Handler: s.serve(withID("recording", "There is no such recording.", s.recordingDownload))},
		{Method: "POST", Path: tp + "/admin/people/:id/photo", Summary: "Set a person's school ID photo",
			Area: request.AreaTenant, Upload: true, Object: "person", Action: "write",
			Handler: s.serve(withID("id", "", s.setSchoolPhoto))},
		{Method: "GET", Path: tp + "/my/photo", Summary: "My profile photo", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Handler: s.serve(s.myPhotoPage)},
		{Method: "POST", Path: tp + "/my/photo", Summary: "Set my profile photo", Area: request.AreaTenant,
			Upload: true, Object: "my-data", Action: "write", Handler: s.serve(s.setMyPhoto)},
		{Method: "GET", Path: tp + "/people/:id/photo",
			Summary: "A person's photo, where their photo consent allows", Area: request.AreaTenant,
			Object: "course", Action: "read", Handler: s.serve(withID("id", "", s.photoImage))},
	}
}

func (s *Site) recordingsPage(c *gin.Context, id uuid.UUID) (page, error) {
	rs, err := s.d.Media.Recordings(c.Request.Context(), request.Scope(c), id)
	return show("recordings", view{Title: "Recordings", Data: map[string]any{"Base": base(c), "CourseID": id, "Recordings": rs}}), err
}

func (s *Site) recordingDownload(c *gin.Context, id uuid.UUID) (page, error) {
	link, err := s.d.Media.RecordingLink(c.Request.Context(), request.Scope(c), id)
	return goTo(link.URL), err
}

// uploadPhoto streams the form's "photo" file into storage and returns its
// id; a field error when none was sent or it was refused.
func (s *Site) uploadPhoto(c *gin.Context) (uuid.UUID, error) {
	mr := request.MultipartOf(c)
	if mr == nil {
		return uuid.Nil, errs.Field("photo", "choose an image to upload")
	}
	ctx, sc := c.Request.Context(), request.Scope(c)
	id := uuid.Nil
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uuid.Nil, errs.Field("photo", "the form could not be read: try again")
		}
		if part.FormName() != "photo" || part.FileName() == "" || id != uuid.Nil {
			_, _ = io.Copy(io.Discard, part)
			continue
		}
		f, err := s.d.Files.Upload(ctx, sc, part.FileName(), part)
		if m, isField := formErrors(err); isField {
			return uuid.Nil, errs.Field("photo", "%s", firstMessage(m))
		} else if err != nil {
			return uuid.Nil, err
		}
		id = f.ID
	}
	if id == uuid.Nil {
		return uuid.Nil, errs.Field("photo", "choose an image to upload")
	}
	return id, nil
}

func (s *Site) myPhotoPage(c *gin.Context) (page, error) {
	return s.showMyPhoto(c, http.StatusOK, nil)
}

// showMyPhoto is the page of one's photo, with the upload form's errors.
func (s *Site) showMyPhoto(c *gin.Context, status int, fe map[string]string) (page, error) {
	sc := request.Scope(c)
	_, err := s.d.Media.Photo(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil && !notFound(err) {
		return page{}, err
	}
	return page{status: status, name: "my_photo", view: view{Title: "My photo", Errors: fe, Fields: []string{"photo"},
		Data: map[string]any{"Base": base(c), "Me": sc.Actor().ID, "HasPhoto": err == nil}}}, nil
}

func (s *Site) setMyPhoto(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	id, err := s.uploadPhoto(c)
	if err == nil {
		err = s.d.Media.SetPhoto(c.Request.Context(), sc, sc.Actor().ID, id)
	}
	if m, ok := formErrors(err); ok {
		return s.showMyPhoto(c, http.StatusBadRequest, renameFields(m, map[string]string{"file_id": "photo"}))
	}
	return goTo(base(c) + "/my/photo?done=photo-set"), err
}

func (s *Site) setSchoolPhoto(c *gin.Context, person uuid.UUID) (page, error) {
	id, err := s.uploadPhoto(c)
	if err == nil {
		err = s.d.Media.SetPhoto(c.Request.Context(), request.Scope(c), person, id)
	}
	if m, ok := formErrors(err); ok {
		return s.showPersonErrors(c, person, renameFields(m, map[string]string{"file_id": "photo"}), "photo")
	}
	return goTo(base(c) + "/admin/people/" + person.String() + "?done=photo-set"), err
}

// photoImage sends the browser to a short-lived link to the photo, or 404
// where the person's consent (or school) does not allow showing it.
func (s *Site) photoImage(c *gin.Context, person uuid.UUID) (page, error) {
	link, err := s.d.Media.Photo(c.Request.Context(), request.Scope(c), person)
	if err != nil {
		return page{}, err
	}
	c.Header("Cache-Control", "private, no-store")
	return goTo(link.URL), nil
}
