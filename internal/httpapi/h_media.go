package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/media"
)

// mediaRoutes are profile photos and recordings.
func (s *Server) mediaRoutes() []Route {
	return []Route{
		{Method: "PUT", Path: tp + "/my/photo", Summary: "Set my profile photo from an image I uploaded", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusNoContent, Request: PhotoRequest{}, Handler: s.setMyPhoto},
		{Method: "PUT", Path: tp + "/people/:id/photo", Summary: "Set a person's school ID photo from an image I uploaded (admins)", Area: AreaTenant, Object: "person", Action: "write", Status: http.StatusNoContent, Request: PhotoRequest{}, Handler: s.setPhoto},
		{Method: "GET", Path: tp + "/people/:id/photo", Summary: "A link to a person's photo: shown to others only while their photo consent is in force", Area: AreaTenant, Object: "course", Action: "read", Reply: files.Link{}, Handler: s.getPhoto},
		{Method: "GET", Path: tp + "/courses/:course/recordings", Summary: "A course's recordings (teachers also see who appears in each)", Area: AreaTenant, Object: "course", Action: "read", Reply: []media.Recording{}, Handler: s.listRecordings},
		{Method: "POST", Path: tp + "/courses/:course/recordings", Summary: "Add a recorded lesson or video assessment, with who appears in it", Area: AreaTenant, Object: "recording", Action: "write", Status: http.StatusCreated, Request: media.NewRecording{}, Reply: media.Recording{}, Handler: s.addRecording},
		{Method: "GET", Path: tp + "/recordings/:recording/download", Summary: "A link to a recording (members of its course)", Area: AreaTenant, Object: "course", Action: "read", Reply: files.Link{}, Handler: s.downloadRecording},
	}
}

// PhotoRequest names an uploaded image.
type PhotoRequest struct {
	FileID string `json:"file_id"`
}

func (s *Server) photoFile(c *gin.Context) (PhotoRequest, error) {
	var in PhotoRequest
	err := bindJSON(c, &in)
	return in, err
}

func (s *Server) setMyPhoto(c *gin.Context) {
	in, err := s.photoFile(c)
	if err != nil {
		fail(c, err)
		return
	}
	id, err := parseID("file_id", in.FileID)
	if err != nil {
		fail(c, err)
		return
	}
	sc := scope(c)
	if err := s.Media.SetPhoto(c.Request.Context(), sc, sc.Actor().ID, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) setPhoto(c *gin.Context) {
	person, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	in, err := s.photoFile(c)
	if err != nil {
		fail(c, err)
		return
	}
	id, err := parseID("file_id", in.FileID)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Media.SetPhoto(c.Request.Context(), scope(c), person, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) getPhoto(c *gin.Context) {
	person, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Media.Photo(c.Request.Context(), scope(c), person)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) listRecordings(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Media.Recordings(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) addRecording(c *gin.Context) {
	id, err := pathID(c, "course")
	if err != nil {
		fail(c, err)
		return
	}
	var in media.NewRecording
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Media.AddRecording(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) downloadRecording(c *gin.Context) {
	id, err := pathID(c, "recording")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Media.RecordingLink(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}
