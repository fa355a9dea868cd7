package roster

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// ReadParts reads a roster upload's parts: the OneRoster files by part
// or file name, or one zip in part "file". Files are read whole (the
// importer checks every row before writing), so the total is capped at
// MaxUploadBytes.
func ReadParts(mr *multipart.Reader) (map[string][]byte, error) {
	files := map[string][]byte{}
	var total int64
	add := func(name string, b []byte) error {
		if _, dup := files[name]; dup {
			return errs.Field(name, "is in the upload twice")
		}
		files[name] = b
		return nil
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bodyError(err)
		}
		form, fname := part.FormName(), path.Base(part.FileName())
		name := ""
		switch {
		case Known(form):
			name = form
		case (form == "file" || form == "files") && Known(fname):
			name = fname
		case form == "file" && strings.HasSuffix(strings.ToLower(fname), ".zip"):
			name = "zip"
		default:
			_ = part.Close()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, MaxUploadBytes-total+1))
		_ = part.Close()
		if err != nil {
			return nil, bodyError(err)
		}
		if total += int64(len(b)); total > MaxUploadBytes {
			return nil, errs.Field("body", "is larger than %d MiB", MaxUploadBytes>>20)
		}
		if len(b) == 0 && part.FileName() == "" {
			// A file box left empty on the page: browsers still send its
			// part, with no file name and nothing in it.
			continue
		}
		if name != "zip" {
			if err := add(name, b); err != nil {
				return nil, err
			}
			continue
		}
		inner, err := Unzip("file", b)
		if err != nil {
			return nil, err
		}
		for n, v := range inner {
			if err := add(n, v); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errs.Field("body", "is larger than %d MiB", MaxUploadBytes>>20)
	}
	return errs.Field("body", "is not a valid multipart body")
}
