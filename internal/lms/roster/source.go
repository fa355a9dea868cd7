package roster

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"sort"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// source is where an import reads its files from: each file may be opened
// more than once, because the importer reads a file in passes (one to
// check it, then one per kind of record it takes from it) instead of
// holding its text. An upload in memory (memSource) and the stored zip a
// job applies (zipSource) are both sources; the zip's members are
// decompressed as they are read, so a job holds the compressed upload and
// the typed rows, never the files' text.
type source interface {
	// names lists the files an import knows that the source holds, sorted.
	names() []string
	// open reads one of them afresh.
	open(name string) (io.ReadCloser, error)
}

// memSource is an upload already in memory (file name → contents).
type memSource map[string][]byte

func (m memSource) names() []string {
	out := []string{}
	for n := range m {
		if Known(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (m memSource) open(name string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m[name])), nil
}

// zipSource is a stored upload: a zip whose members are the files.
type zipSource struct {
	files map[string]*zip.File
}

// openZip reads a stored upload's directory (zipFiles wrote it).
func openZip(field string, data []byte) (*zipSource, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errs.Field(field, "is not a zip archive")
	}
	z := &zipSource{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		name := path.Base(f.Name)
		if !Known(name) || f.FileInfo().IsDir() {
			continue
		}
		if _, dup := z.files[name]; dup {
			return nil, errs.Field(field, "holds %s twice", name)
		}
		z.files[name] = f
	}
	return z, nil
}

func (z *zipSource) names() []string {
	out := make([]string, 0, len(z.files))
	for n := range z.files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// open decompresses a member as it is read, never past MaxFileBytes (and
// a byte, for readTable to see it is too long): a zip bomb stops there.
func (z *zipSource) open(name string) (io.ReadCloser, error) {
	rc, err := z.files[name].Open()
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, MaxFileBytes+4), rc}, nil
}
