package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

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
			Area:    request.AreaTenant, Object: "course", Action: "read", Reply: files.Link{}, API: s.getPhoto},
		{Method: "GET", Path: tp + "/courses/:course/recordings",
			Summary: "A course's recordings (teachers also see who appears in each)", Area: request.AreaTenant,
			Object: "course", Action: "read", Reply: []media.Recording{}, API: request.ByID("course", s.Media.Recordings)},
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

func (s *Server) photoFile(c *gin.Context) (PhotoRequest, error) {
	var in PhotoRequest
	err := request.BindJSON(c, &in)
	return in, err
}

func (s *Server) setMyPhoto(c *gin.Context) (any, error) {
	in, err := s.photoFile(c)
	if err != nil {
		return nil, err
	}
	id, err := request.ParseID("file_id", in.FileID)
	if err != nil {
		return nil, err
	}
	sc := request.Scope(c)
	if err := s.Media.SetPhoto(c.Request.Context(), sc, sc.Actor().ID, id); err != nil {
		return nil, err
	}
	return nil, nil
}

func (s *Server) setPhoto(c *gin.Context) (any, error) {
	person, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	in, err := s.photoFile(c)
	if err != nil {
		return nil, err
	}
	id, err := request.ParseID("file_id", in.FileID)
	if err != nil {
		return nil, err
	}
	if err := s.Media.SetPhoto(c.Request.Context(), request.Scope(c), person, id); err != nil {
		return nil, err
	}
	return nil, nil
}

func (s *Server) getPhoto(c *gin.Context) (any, error) {
	person, err := request.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Media.Photo(c.Request.Context(), request.Scope(c), person)
}
