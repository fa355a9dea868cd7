package request

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

const ctxBody = "body_watch"

// bodyWatch stands between the connection and whoever reads a request
// body (a JSON decoder, a multipart reader, the object store's uploader),
// and remembers what only the raw stream shows: that the client went away
// before sending all of it, or that a multipart body ended without its
// closing boundary. A handler's error after that is the client's doing,
// whatever the layers above made of it, and fail answers accordingly
// (499 or 400) instead of 500.
type bodyWatch struct {
	rc io.ReadCloser

	mu    sync.Mutex
	err   error  // the first read error other than io.EOF
	eof   bool   // the body was read to its end
	delim []byte // "\r\n--boundary--" of a multipart body, else nil
	seen  bool   // delim was read
	tail  []byte // the last len(delim)-1 bytes read, to find delim across reads
	join  []byte // scratch for tail + the start of a read
}

// watchBody puts a bodyWatch on every request with a body.
func (k *Kernel) watchBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		// The stream is scanned as if a line break came first, so a body
		// with no parts ("--boundary--") ends properly too.
		w := &bodyWatch{rc: c.Request.Body, tail: []byte("\r\n")}
		if mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err == nil &&
			strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" {
			w.delim = []byte("\r\n--" + params["boundary"] + "--")
		}
		c.Request.Body = w
		c.Set(ctxBody, w)
	}
	c.Next()
}

func (w *bodyWatch) Read(p []byte) (int, error) {
	n, err := w.rc.Read(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.delim != nil && !w.seen {
		w.scan(p[:n])
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		w.eof = true
	case errors.Is(err, http.ErrBodyReadAfterClose):
		// Our own mistake, not the client's.
	case w.err == nil:
		w.err = err
	}
	return n, err
}

// scan looks for the closing delimiter in b and across the previous read.
func (w *bodyWatch) scan(b []byte) {
	k := len(w.delim) - 1
	head := b
	if len(head) > k {
		head = head[:k]
	}
	w.join = append(append(w.join[:0], w.tail...), head...)
	if bytes.Contains(w.join, w.delim) || bytes.Contains(b, w.delim) {
		w.seen = true
		return
	}
	if len(b) >= k {
		w.tail = append(w.tail[:0], b[len(b)-k:]...)
		return
	}
	w.join = append(append(w.join[:0], w.tail...), b...)
	w.tail = append(w.tail[:0], w.join[max(0, len(w.join)-k):]...)
}

func (w *bodyWatch) Close() error { return w.rc.Close() }

// fault says what the stream showed: the client left mid-body (gone), or
// a multipart body that ended before its closing boundary (cut).
func (w *bodyWatch) fault() (gone error, cut bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err, w.delim != nil && w.eof && !w.seen
}

// bodyFault is the fault of c's request body, if it has one.
func bodyFault(c *gin.Context) (gone error, cut bool) {
	v, ok := c.Get(ctxBody)
	if !ok {
		return nil, false
	}
	return v.(*bodyWatch).fault()
}
