package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// Small but real files: the content-type check reads their first bytes.
var (
	pdfBytes = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	mp4Bytes = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 64)...)
)

// objectVersions counts the stored versions of a file's object.
func objectVersions(t *testing.T, e *apptest.Env, region string, tenant, file uuid.UUID) int {
	t.Helper()
	key := files.Key(tenant, file)
	out, err := e.App.Store.S3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: ptr(e.App.Store.Bucket(region)), Prefix: &key})
	require.NoError(t, err)
	return len(out.Versions) + len(out.DeleteMarkers)
}

func ptr[T any](v T) *T { return &v }

func firstSchool(t *testing.T, c *apptest.Client, slug string) string {
	t.Helper()
	r := c.Expect(200, "GET", "/api/v1/t/"+slug+"/schools", nil)
	schools := itemsOf[map[string]any](r)
	require.NotEmpty(t, schools)
	return schools[0]["id"].(string)
}

// A course from creation to a learner's view: drafts are invisible to
// learners, HTML is sanitised, links must be http(s), file items come with
// a working short-lived link, a view shows in the learner's progress, and
// removing an item removes its object from storage.
func TestCourseContentLifecycle(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "cl-")
	learner := e.Login(e.A.Slug, fx.Outsider.Username, lmstest.Password)
	base := "/api/v1/t/tenant-a"

	r := admin.Expect(201, "POST", base+"/courses", map[string]any{"school_id": firstSchool(t, admin, "tenant-a"), "title": "  Biology  ", "summary": "Cells\nand more"})
	courseID := r.JSON()["id"].(string)
	require.Equal(t, "Biology", r.JSON()["title"])
	require.Equal(t, "draft", r.JSON()["status"])
	r = admin.Expect(200, "PUT", base+"/courses/"+courseID+"/enrolments/"+fx.Outsider.ID.String(), map[string]any{"role": "learner"})

	// A draft is invisible to its learner: 404, and absent from their list.
	require.Equal(t, 404, learner.Do("GET", base+"/courses/"+courseID, nil).Status)
	require.NotContains(t, learner.Do("GET", base+"/courses", nil).Text(), courseID)

	r = admin.Expect(201, "POST", base+"/courses/"+courseID+"/sections", map[string]any{"title": "Week 1"})
	section := r.JSON()["id"].(string)
	r = admin.Expect(201, "POST", base+"/courses/"+courseID+"/items", map[string]any{"section_id": section, "kind": "page", "title": "Intro",
		"body_html": `<h2>Cells</h2><p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:x()">x</a> <a href="https://example.org">ok</a></p>`})
	page := r.JSON()["id"].(string)
	body := r.JSON()["body_html"].(string)
	require.Contains(t, body, "<h2>Cells</h2>")
	require.Contains(t, body, `href="https://example.org"`)
	for _, bad := range []string{"<script", "onclick", "javascript:", "alert(1)"} {
		require.NotContains(t, body, bad)
	}

	// Bad input is a field error, never a 500.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"section_id": section, "kind": "link", "title": "x", "url": "javascript:alert(1)"}, "url"},
		{map[string]any{"section_id": section, "kind": "link", "title": "x"}, "url"},
		{map[string]any{"section_id": section, "kind": "video", "title": "x"}, "file_id"},
		{map[string]any{"section_id": section, "kind": "video", "title": "x", "file_id": uuid.NewString()}, "file_id"},
		{map[string]any{"section_id": uuid.NewString(), "kind": "page", "title": "x", "body_html": "<p>x</p>"}, "section_id"},
		{map[string]any{"section_id": section, "kind": "quiz", "title": "x"}, "kind"},
		{map[string]any{"section_id": section, "kind": "page", "title": "", "body_html": "x"}, "title"},
	} {
		r = admin.Do("POST", base+"/courses/"+courseID+"/items", tc.body)
		require.Equal(t, 400, r.Status, "%v: %s", tc.body, r.Text())
		require.Contains(t, r.Text(), `"field":"`+tc.field+`"`, "%v", tc.body)
	}

	// Upload a PDF, attach it; a PDF is not a video.
	r = admin.Upload(base+"/files", "notes.pdf", bytes.NewReader(pdfBytes))
	require.Equal(t, 201, r.Status, r.Text())
	pdf := r.JSON()["id"].(string)
	require.Equal(t, "application/pdf", r.JSON()["content_type"])
	r = admin.Expect(400, "POST", base+"/courses/"+courseID+"/items", map[string]any{"section_id": section, "kind": "video", "title": "x", "file_id": pdf})
	r = admin.Expect(201, "POST", base+"/courses/"+courseID+"/items", map[string]any{"section_id": section, "kind": "file", "title": "Notes", "file_id": pdf})
	pdfItem := r.JSON()["id"].(string)
	// A file is held by one item only.
	r = admin.Expect(400, "POST", base+"/courses/"+courseID+"/items", map[string]any{"section_id": section, "kind": "file", "title": "Again", "file_id": pdf})
	r = admin.Expect(201, "POST", base+"/courses/"+courseID+"/items", map[string]any{"section_id": section, "kind": "link", "title": "Hidden", "url": "https://example.org/x", "published": false})
	hidden := r.JSON()["id"].(string)

	require.Equal(t, 200, admin.Do("PATCH", base+"/courses/"+courseID, map[string]any{"status": "published"}).Status)

	// The learner sees the published items only, and can open the PDF.
	r = learner.Expect(200, "GET", base+"/courses/"+courseID, nil)
	require.Equal(t, "learner", r.JSON()["course"].(map[string]any)["my_role"])
	require.Contains(t, r.Text(), pdfItem)
	require.NotContains(t, r.Text(), hidden)
	require.Equal(t, 404, learner.Do("GET", base+"/items/"+hidden, nil).Status)
	require.Equal(t, 403, learner.Do("PATCH", base+"/items/"+page, map[string]any{"title": "mine"}).Status)
	r = learner.Expect(200, "GET", base+"/items/"+pdfItem, nil)
	link := r.JSON()["file"].(map[string]any)["url"].(string)
	resp, err := http.Get(link)
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, pdfBytes, got)

	// The view shows in the learner's own progress.
	r = learner.Do("GET", base+"/courses/"+courseID, nil)
	var pv struct {
		Sections []struct {
			Items []struct {
				ID       string
				Progress *struct{ Views int }
			}
		}
	}
	r.Decode(&pv)
	seen := map[string]int{}
	for _, s := range pv.Sections {
		for _, it := range s.Items {
			if it.Progress != nil {
				seen[it.ID] = it.Progress.Views
			}
		}
	}
	require.Equal(t, map[string]int{pdfItem: 1}, seen)

	// Removing the item removes the object, every version.
	pdfID := uuid.MustParse(pdf)
	require.Equal(t, 1, objectVersions(t, e, "uk", e.A.ID, pdfID))
	require.Equal(t, 204, admin.Do("DELETE", base+"/items/"+pdfItem, nil).Status)
	require.Equal(t, 0, objectVersions(t, e, "uk", e.A.ID, pdfID))
	require.Equal(t, 404, learner.Do("GET", base+"/items/"+pdfItem, nil).Status)

	// Reordering: the page moves after the hidden link.
	r = admin.Expect(200, "PATCH", base+"/items/"+page, map[string]any{"position": 5})
	require.Equal(t, float64(1), r.JSON()["position"])
}

// Invariant: a teacher cannot read courses they do not teach; a learner not
// enrolled cannot either; learners cannot change a course or see its class
// list; only a school admin enrols.
func TestCourseVisibleOnlyToItsPeople(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "cv-")
	base := "/api/v1/t/tenant-a"
	path := base + "/courses/" + fx.ID.String()
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	other := e.Login(e.A.Slug, fx.OtherTeacher.Username, lmstest.Password)
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)
	outsider := e.Login(e.A.Slug, fx.Outsider.Username, lmstest.Password)

	require.Equal(t, 200, teacher.Do("GET", path, nil).Status)
	require.Equal(t, 200, learner.Do("GET", path, nil).Status)
	require.Equal(t, 404, other.Do("GET", path+"/enrolments", nil).Status)
	require.Equal(t, 403, outsider.Do("GET", path+"/enrolments", nil).Status) // learners never read class lists
	for _, c := range []*apptest.Client{other, outsider} {
		require.Equal(t, 404, c.Do("GET", path, nil).Status)
		require.NotContains(t, c.Do("GET", base+"/courses", nil).Text(), fx.ID.String())
	}
	require.Equal(t, 404, other.Do("PATCH", path, map[string]any{"title": "Mine now"}).Status)
	require.Equal(t, 403, learner.Do("PATCH", path, map[string]any{"title": "Mine now"}).Status)
	require.Equal(t, 403, learner.Do("GET", path+"/enrolments", nil).Status)
	require.Equal(t, 403, teacher.Do("PUT", path+"/enrolments/"+fx.Outsider.ID.String(), map[string]any{"role": "teacher"}).Status) // teachers enrol learners only

	r := teacher.Expect(200, "GET", path+"/enrolments?role=learner&limit=1", nil)
	var pg struct {
		Items      []map[string]any
		NextCursor string `json:"next_cursor"`
	}
	r.Decode(&pg)
	require.Len(t, pg.Items, 1)
	require.NotEmpty(t, pg.NextCursor)
	r = teacher.Expect(200, "GET", path+"/enrolments?role=learner&limit=1&cursor="+pg.NextCursor, nil)
	require.Contains(t, r.Text(), "display_name")
	require.Equal(t, 400, teacher.Do("GET", path+"/enrolments?role=owner", nil).Status)
	require.Equal(t, 400, teacher.Do("GET", base+"/courses?school_id=nope&status=gone", nil).Status)

	// A draft course disappears from its learners, not its teacher.
	require.Equal(t, 200, teacher.Do("PATCH", path, map[string]any{"status": "draft"}).Status)
	require.Equal(t, 404, learner.Do("GET", path, nil).Status)
	require.Equal(t, 200, teacher.Do("GET", path, nil).Status)

	// Groups hold only people on the course.
	r = teacher.Expect(201, "POST", path+"/groups", map[string]any{"name": "Set 1"})
	g := r.JSON()["id"].(string)
	require.Equal(t, 400, teacher.Do("POST", path+"/groups", map[string]any{"name": "Set 1"}).Status)
	require.Equal(t, 204, teacher.Do("PUT", base+"/groups/"+g+"/members/"+fx.Learner.ID.String(), nil).Status)
	require.Equal(t, 404, teacher.Do("PUT", base+"/groups/"+g+"/members/"+fx.Outsider.ID.String(), nil).Status)
	require.Equal(t, 404, other.Do("PUT", base+"/groups/"+g+"/members/"+fx.Learner.ID.String(), nil).Status)
	r = teacher.Do("GET", path+"/groups", nil)
	require.Contains(t, r.Text(), fx.Learner.ID.String())
}

// heapWatch samples the heap while f runs and returns the peak growth.
func heapWatch(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
					peak.Store(m.HeapInuse - base)
				}
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

// countingReader yields n pseudo-random bytes (a video header first, so the
// type check passes) and hashes them, without holding them.
type countingReader struct {
	left int64
	head []byte
	buf  []byte
	h    io.Writer
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	var n int
	if len(r.head) > 0 {
		n = copy(p, r.head)
		r.head = r.head[n:]
	} else {
		n = copy(p, r.buf[:min(int64(len(p)), int64(len(r.buf)), r.left)])
	}
	r.h.Write(p[:n])
	r.left -= int64(n)
	return n, nil
}

// A file larger than 64 MiB streams through the server to storage as a
// multipart upload: the server's heap grows by a few parts, not by the
// file, and the stored size and hash are the file's.
func TestCourseLargeUploadStreams(t *testing.T) {
	// -short is only for a quick loop on a laptop (96 MiB through the real
	// S3 server takes a few seconds); `make test` and CI never pass it, so
	// there this test always runs, and it fails, not skips, when S3 is down.
	if testing.Short() {
		t.Skip("-short: skips the 96 MiB upload; make test runs it")
	}
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	const size = 96 << 20
	buf := make([]byte, 1<<20)
	_, _ = rand.Read(buf)
	h := sha256.New()
	src := &countingReader{left: size, head: mp4Bytes, buf: buf, h: h}
	var r *apptest.Response
	growth := heapWatch(func() { r = admin.Upload("/api/v1/t/tenant-a/files", "lesson.mp4", src) })
	require.Equal(t, 201, r.Status, r.Text())
	require.Equal(t, float64(size), r.JSON()["size_bytes"])
	require.Equal(t, "video/mp4", r.JSON()["content_type"])
	t.Logf("heap growth during a %d MiB upload: %d MiB", size>>20, growth>>20)
	// Parts are 8 MiB with two in flight; the whole file would be 96 MiB.
	require.Less(t, growth, uint64(48<<20), "server memory grew with the file")

	id := uuid.MustParse(r.JSON()["id"].(string))
	head, err := e.App.Store.S3.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: ptr(e.App.Store.Bucket("uk")), Key: ptr(files.Key(e.A.ID, id))})
	require.NoError(t, err)
	require.Equal(t, int64(size), *head.ContentLength)
	var stored []byte
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT sha256 FROM files WHERE id = ?`, id).Row().Scan(&stored)
	}))
	require.Equal(t, hex.EncodeToString(h.Sum(nil)), hex.EncodeToString(stored))
}

// Uploads over the school's limit, of forbidden types or without a file are
// refused with a field error and leave nothing behind.
func TestCourseUploadLimits(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	// The limit is the contract's, set by the tenant manifest.
	m := apptest.Manifest("tenant-a", "uk")
	m.MaxFileMiB = 1
	res, err := e.App.Tenants.Apply(context.Background(), m, uuid.Nil)
	require.NoError(t, err)
	require.Contains(t, res.Changes, "updated max_file_mib")
	big := io.MultiReader(bytes.NewReader(pdfBytes), bytes.NewReader(make([]byte, 2<<20)))
	r := admin.Upload("/api/v1/t/tenant-a/files", "big.pdf", big)
	require.Equal(t, 400, r.Status, r.Text())
	require.Contains(t, r.Text(), "limit of 1 MiB")
	r = admin.Upload("/api/v1/t/tenant-a/files", "page.html", strings.NewReader("<!DOCTYPE html><html><script>alert(1)</script></html>"))
	require.Equal(t, 400, r.Status, r.Text())
	r = admin.Upload("/api/v1/t/tenant-a/files", "empty.pdf", strings.NewReader(""))
	require.Equal(t, 400, r.Status, r.Text())
	r = admin.Expect(400, "POST", "/api/v1/t/tenant-a/files", map[string]any{"file": "x"})
	// Nothing half-stored: no rows, no objects.
	var rows int64
	require.NoError(t, access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Table("files").Count(&rows).Error
	}))
	require.Zero(t, rows)
	out, err := e.App.Store.S3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: ptr(e.App.Store.Bucket("uk")), Prefix: ptr("t/" + e.A.ID.String() + "/files/")})
	require.NoError(t, err)
	require.Empty(t, out.Versions)
}
