package roster

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Unzip reads the files an import knows from a OneRoster zip (as SIS
// exports ship them; members may sit in one folder). Sizes are checked as
// the bytes come out, not as the archive claims, so a zip bomb stops at
// the limit. An archive with none of the files is a field error on field.
func Unzip(field string, data []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errs.Field(field, "is not a zip archive")
	}
	out := map[string][]byte{}
	budget := int64(MaxUnzippedBytes)
	for _, f := range zr.File {
		name := path.Base(f.Name)
		if !Known(name) || f.FileInfo().IsDir() {
			continue
		}
		if _, dup := out[name]; dup {
			return nil, errs.Field(field, "holds %s twice", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, errs.Field(field, "member %s cannot be read", name)
		}
		b, err := io.ReadAll(io.LimitReader(rc, min(MaxFileBytes, budget)+1))
		rc.Close()
		if err != nil {
			return nil, errs.Field(field, "member %s cannot be read: %s", name, err)
		}
		if len(b) > MaxFileBytes {
			return nil, errs.Field(field, "member %s is larger than %d MiB", name, MaxFileBytes>>20)
		}
		if budget -= int64(len(b)); budget < 0 {
			return nil, errs.Field(field, "holds files larger than %d MiB together once unzipped", MaxUnzippedBytes>>20)
		}
		out[name] = b
	}
	if len(out) == 0 {
		return nil, errs.Field(field, "holds none of %s", fmt.Sprint(UsersFile, ", ", RolesFile, ", ", ClassesFile, ", ", EnrollmentsFile))
	}
	return out, nil
}
