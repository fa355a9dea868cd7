package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/objstore"
)

// ownStore is an S3 server of the test's own: versitygw, built by
// deploy/local/services.sh, on a free port with its own data directory,
// so the test can kill it and start it again without disturbing the
// server every other test shares.
type ownStore struct {
	t              *testing.T
	bin, dir, addr string
	cmd            *exec.Cmd
	done           chan struct{}
}

const ownAccess, ownSecret = "lmsown", "lmsown-secret-key"

func startOwnStore(t *testing.T) *ownStore {
	t.Helper()
	bin, err := filepath.Abs("../../.data/bin/versitygw")
	require.NoError(t, err)
	if _, err := os.Stat(bin); err != nil {
		// make test builds it (deploy/local/services.sh): a missing one is a
		// broken set-up, not a reason to pass.
		bin, err = exec.LookPath("versitygw")
		require.NoError(t, err, "no versitygw binary to kill and restart: run make services (it builds .data/bin/versitygw)")
	}
	s := &ownStore{t: t, bin: bin, dir: t.TempDir(), addr: freeAddr(t)}
	for _, d := range []string{"root", "versions"} {
		require.NoError(t, os.MkdirAll(filepath.Join(s.dir, d), 0o755))
	}
	s.start()
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *ownStore) endpoint() string { return "http://" + s.addr }

func (s *ownStore) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "--access", ownAccess, "--secret", ownSecret, "--region", "eu-west-2", "--port", s.addr, "--quiet",
		"posix", "--versioning-dir", filepath.Join(s.dir, "versions"), filepath.Join(s.dir, "root"))
	require.NoError(s.t, s.cmd.Start())
	s.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(s.cmd, s.done)
	st := objstore.New(objstore.Config{Endpoint: s.endpoint(), Region: "eu-west-2", AccessKey: ownAccess, SecretKey: ownSecret, PathStyle: true})
	require.True(s.t, poll(20*time.Second, 20*time.Millisecond, func() bool { return st.Ready(context.Background()) == nil }),
		"versitygw did not answer on %s", s.addr)
}

// kill stops the server at once, as a crash would.
func (s *ownStore) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// signal sends sig (SIGSTOP freezes it mid-request, SIGCONT resumes it).
func (s *ownStore) signal(sig syscall.Signal) { require.NoError(s.t, s.cmd.Process.Signal(sig)) }

// waitForPart waits until an upload of a key match accepts has a part
// stored, and says which key.
func waitForPart(t *testing.T, st *objstore.Store, bucket, prefix string, match func(string) bool) string {
	t.Helper()
	ctx, key := context.Background(), ""
	ok := poll(2*time.Minute, 5*time.Millisecond, func() bool {
		ups, err := st.ListUploads(ctx, bucket, prefix)
		require.NoError(t, err)
		for _, u := range ups {
			if !match(u.Key) {
				continue
			}
			parts, err := st.S3.ListParts(ctx, &s3.ListPartsInput{Bucket: &bucket, Key: &u.Key, UploadId: &u.UploadID})
			if err == nil && len(parts.Parts) > 0 {
				key = u.Key
				return true
			}
		}
		return false
	})
	require.True(t, ok, "no part of an upload under %s was stored", prefix)
	return key
}

// leftovers lists every object version, delete marker and incomplete
// multipart upload under prefix in every bucket of the store.
func leftovers(t *testing.T, st *objstore.Store, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	out := []string{}
	buckets, err := st.S3.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	for _, b := range buckets.Buckets {
		p := s3.NewListObjectVersionsPaginator(st.S3, &s3.ListObjectVersionsInput{Bucket: b.Name, Prefix: &prefix})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, v := range page.Versions {
				out = append(out, fmt.Sprintf("%s: version %s@%s", *b.Name, *v.Key, *v.VersionId))
			}
			for _, m := range page.DeleteMarkers {
				out = append(out, fmt.Sprintf("%s: delete marker %s@%s", *b.Name, *m.Key, *m.VersionId))
			}
		}
		ups, err := st.ListUploads(ctx, *b.Name, prefix)
		require.NoError(t, err)
		for _, u := range ups {
			out = append(out, fmt.Sprintf("%s: incomplete upload %s (%s)", *b.Name, u.Key, u.UploadID))
		}
	}
	return out
}

// rowsNaming counts, per table of every schema (the job queue's too), the
// rows whose text holds id, read as the database's administrator (no
// row-level security).
func rowsNaming(t *testing.T, conn *pgx.Conn, id uuid.UUID) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`)
	require.NoError(t, err)
	type table struct{ schema, name string }
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (table, error) {
		var tb table
		return tb, r.Scan(&tb.schema, &tb.name)
	})
	require.NoError(t, err)
	out := map[string]int64{}
	for _, tb := range tables {
		var n int64
		q := `SELECT count(*) FROM ` + pgx.Identifier{tb.schema, tb.name}.Sanitize() + ` t WHERE strpos(t::text, $1) > 0`
		require.NoError(t, conn.QueryRow(ctx, q, id.String()).Scan(&n), tb.name)
		if n > 0 {
			out[strings.TrimPrefix(tb.schema+"."+tb.name, "public.")] = n
		}
	}
	return out
}

// randomPDF is n bytes a content sniffer takes for a PDF, random after the
// header so no zip makes them smaller.
type randomPDF struct {
	head []byte
	left int
	rng  *rand.ChaCha8
}

func newRandomPDF(n int) *randomPDF {
	return &randomPDF{head: []byte("%PDF-1.4\n"), left: n, rng: rand.NewChaCha8([32]byte{1})}
}

func (r *randomPDF) Read(p []byte) (int, error) {
	if len(r.head) > 0 {
		k := copy(p, r.head)
		r.head = r.head[k:]
		return k, nil
	}
	if r.left <= 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.left)
	_, _ = r.rng.Read(p[:k])
	r.left -= k
	return k, nil
}
