package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/media"
	"github.com/schoolcloud/lms/internal/request"
)

// mediaRoutes are profile photos and recordings.
func (s *Server) mediaRoutes() []request.Route {
	return []request.Route{
		{Method: "PUT", Path: tp + "/my/photo", Summary: "Set my profile photo from an image I uploaded",
			Area: request.AreaTenant, Object: "my-data", Action: "write", Status: http.StatusNoContent,
			Request: PhotoRequest{}, API: s.setMyPhoto},
		{Method: "PUT", Path: tp + "/people/:id/photo",
			Summary: "Set a person's school ID photo from an image I uploaded (admins)",
			Area:    request.AreaTenant, Object: "person", Action: "write", Status: http.StatusNoContent,
			Request: PhotoRequest{}, API: s.setPhoto},
		{Method: "GET", Path: tp + "/people/:id/photo",
			Summary: "A link to a person's photo: shown to others only while their photo consent is in force",
			Area:    request.AreaTenant, Object: "course", Action: "read", Reply: files.Link{},
			API: request.ByID("id", s.Media.Photo)},
		{Method: "GET", Path: tp + "/courses/:course/recordings",
			Summary: "A course's recordings (teachers also see who appears in each)", Area: request.AreaTenant,
			Object: "course", Action: "read", Reply: request.Page[media.Recording]{},
			API: request.PagedByID("course", media.Recording.At, s.Media.RecordingPage)},
		{Method: "POST", Path: tp + "/courses/:course/recordings",
			Summary: "Add a recorded lesson or video assessment, with who appears in it",
			Area:    request.AreaTenant, Object: "recording", Action: "write", Status: http.StatusCreated,
			Request: media.NewRecording{}, Reply: media.Recording{}, API: request.ByIDFromBody("course", s.Media.AddRecording)},
		{Method: "GET", Path: tp + "/recordings/:recording/download",
			Summary: "A link to a recording (members of its course)", Area: request.AreaTenant,
			Object: "course", Action: "read", Reply: files.Link{}, API: request.ByID("recording", s.Media.RecordingLink)},
	}
}

// PhotoRequest names an uploaded image.
type PhotoRequest struct {
	FileID string `json:"file_id"`
}

// setMyPhoto sets the caller's own photo: the person is never taken from
// the request.
func (s *Server) setMyPhoto(c *gin.Context) (any, error) {
	return s.setPhotoOf(c, me(c))
}

func (s *Server) setPhoto(c *gin.Context) (any, error) {
	person, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.setPhotoOf(c, person)
}

// setPhotoOf makes the uploaded image the body names person's photo.
func (s *Server) setPhotoOf(c *gin.Context, person uuid.UUID) (any, error) {
	var in PhotoRequest
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	id, err := request.ParseID("file_id", in.FileID)
	if err != nil {
		return nil, err
	}
	return nil, s.Media.SetPhoto(c.Request.Context(), request.Scope(c), person, id)
}
