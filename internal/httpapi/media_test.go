package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// pngBytes is a 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// A recording lists who appears in it, and a participant's subject access
// export carries the recording (its row and the video). A profile photo is
// shown to others only while the person's photo consent is in force.
func TestRecordingParticipantsAreInTheirExport(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "rec-")
	base := "/api/v1/t/tenant-a"
	course := base + "/courses/" + fx.ID.String()
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	teacher, learner, learner2, outsider := login(fx.Teacher), login(fx.Learner), login(fx.Learner2), login(fx.Outsider)

	up := teacher.Upload(base+"/files", "lesson.mp4", bytes.NewReader(mp4Bytes))
	require.Equal(t, http.StatusCreated, up.Status, up.Text())
	video := up.JSON()["id"].(string)
	today := time.Now().Format(time.DateOnly)
	r := teacher.Do("POST", course+"/recordings", map[string]any{"title": "Fractions lesson", "kind": "lesson", "file_id": video, "recorded_on": today,
		"participants": []string{fx.Learner.ID.String(), fx.Outsider.ID.String()}})
	require.Equal(t, http.StatusBadRequest, r.Status, "only people on the course")
	r = teacher.Expect(http.StatusBadRequest, "POST", course+"/recordings", map[string]any{"title": "", "kind": "film", "file_id": video, "recorded_on": "2999-01-01"})
	require.ElementsMatch(t, []string{"kind", "recorded_on", "title"}, fieldsOf(t, r))
	r = teacher.Expect(http.StatusCreated, "POST", course+"/recordings", map[string]any{"title": "Fractions lesson", "kind": "lesson", "file_id": video, "recorded_on": today,
		"participants": []string{fx.Learner.ID.String()}})
	rec := r.JSON()["id"].(string)
	require.Contains(t, r.Text(), `"without_consent":["`+fx.Learner.ID.String(), "the teacher is told who has not consented")
	require.Equal(t, http.StatusForbidden, learner.Do("POST", course+"/recordings", map[string]any{"title": "x", "kind": "lesson", "file_id": video, "recorded_on": today}).Status)
	r = learner2.Expect(http.StatusOK, "GET", course+"/recordings", nil)
	require.Contains(t, r.Text(), rec)
	require.NotContains(t, r.Text(), fx.Learner.ID.String(), "learners do not see who appears")
	require.Equal(t, http.StatusOK, learner2.Do("GET", base+"/recordings/"+rec+"/download", nil).Status)
	require.Equal(t, http.StatusNotFound, outsider.Do("GET", base+"/recordings/"+rec+"/download", nil).Status)
	require.Equal(t, http.StatusNotFound, e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword).Do("GET", "/api/v1/t/tenant-b/recordings/"+rec+"/download", nil).Status)

	// The participant's own export carries the recording and the video.
	r = learner.Expect(http.StatusAccepted, "POST", base+"/my/exports", nil)
	x := r.JSON()["id"].(string)
	require.NoError(t, e.App.Subjects.RunExport(ctx, e.A.ID, uuid.MustParse(x)))
	r = learner.Expect(http.StatusOK, "GET", base+"/my/exports/"+x+"/download", nil)
	res, err := http.Get(r.JSON()["url"].(string))
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(b)
	}
	require.Contains(t, got["data/recording_participants.json"], rec)
	var withVideo bool
	for name := range got {
		withVideo = withVideo || strings.HasPrefix(name, "files/"+video)
	}
	require.True(t, withVideo, "the video is in the participant's export")

	// Photos: own choice; others see it only with photo consent in force.
	up = learner.Upload(base+"/files", "me.png", bytes.NewReader(pngBytes))
	require.Equal(t, http.StatusCreated, up.Status, up.Text())
	photo := up.JSON()["id"].(string)
	require.Equal(t, http.StatusBadRequest, learner.Do("PUT", base+"/my/photo", map[string]any{"file_id": "nope"}).Status)
	require.Equal(t, http.StatusNoContent, learner.Do("PUT", base+"/my/photo", map[string]any{"file_id": photo}).Status)
	me := base + "/people/" + fx.Learner.ID.String() + "/photo"
	require.Equal(t, http.StatusOK, learner.Do("GET", me, nil).Status)
	require.Equal(t, http.StatusNotFound, learner2.Do("GET", me, nil).Status, "no photo consent yet")
	require.Equal(t, http.StatusCreated, learner.Do("POST", base+"/my/consents", map[string]any{"purpose": "photo-video", "given": true}).Status)
	require.Equal(t, http.StatusOK, learner2.Do("GET", me, nil).Status)
	require.Equal(t, http.StatusCreated, learner.Do("POST", base+"/my/consents", map[string]any{"purpose": "photo-video", "given": false}).Status)
	require.Equal(t, http.StatusNotFound, learner2.Do("GET", me, nil).Status, "withdrawal counts at once")
	up = learner.Upload(base+"/files", "notes.pdf", bytes.NewReader(pdfBytes))
	require.Equal(t, http.StatusBadRequest, learner.Do("PUT", base+"/my/photo", map[string]any{"file_id": up.JSON()["id"]}).Status, "not an image")
}
