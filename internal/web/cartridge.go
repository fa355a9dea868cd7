package web

import (
	"archive/zip"
	"io"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/cartridge"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// cartridgePages move a course's content in and out as an IMS Common
// Cartridge (the file Moodle, Canvas and Blackboard exchange).
func (s *Site) cartridgePages() []request.Route {
	const noCourse = "There is no such course."
	return []request.Route{
		{Method: "GET", Path: tp + "/courses/:course/cartridge", Summary: "Import or export a course's content as a Common Cartridge",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(withID("course", noCourse, s.cartridgePage))},
		{Method: "GET", Path: tp + "/courses/:course/cartridge.imscc", Summary: "The course's content as a Common Cartridge 1.3 (streamed)",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(withID("course", noCourse, s.exportCartridge))},
		{Method: "POST", Path: tp + "/courses/:course/cartridge", Summary: "Import a Common Cartridge into the course (streamed)",
			Area: request.AreaTenant, Upload: true, Object: "course", Action: "write", Handler: s.serve(withID("course", noCourse, s.importCartridge))},
	}
}

// cartridges is the cartridge service over the site's own course and file
// services (it holds nothing of its own).
func (s *Site) cartridges() *cartridge.Service {
	return cartridge.NewService(s.d.DB, s.d.Courses, s.d.Files)
}

type cartridgeData struct {
	Base   string
	Course uuid.UUID
	Title  string
	Report *cartridge.Report
}

func (s *Site) cartridgePage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showCartridge(c, id, http.StatusOK, nil)
}

func (s *Site) showCartridge(c *gin.Context, id uuid.UUID, status int, rep *cartridge.Report) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	ok, err := s.d.Courses.Teaches(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	if !ok {
		return page{}, errs.New(errs.ErrForbidden, "Only the course's teachers import and export its content.")
	}
	pv, err := s.d.Courses.Page(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	d := cartridgeData{Base: base(c), Course: id, Title: pv.Course.Title, Report: rep}
	return page{status: status, name: "cartridge", view: view{Title: "Common Cartridge: " + pv.Course.Title, Data: d}}, nil
}

// exportCartridge checks the reader may export before the first byte, so a
// refusal is an error page, then streams the package.
func (s *Site) exportCartridge(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	ok, err := s.d.Courses.Teaches(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	if !ok {
		return page{}, errs.New(errs.ErrForbidden, "Only the course's teachers export its content.")
	}
	return send(file{contentType: "application/zip", attachment: "course-" + id.String() + ".imscc", write: func(w io.Writer) error {
		_, err := s.cartridges().Export(ctx, sc, id, w)
		return err
	}}), nil
}

// maxCartridgeBytes bounds one import (it is spooled to a temporary file,
// since a zip is read from its end).
const maxCartridgeBytes = 1 << 30

// importCartridge spools the uploaded package to a temporary file, imports
// it, and shows what was imported and what was left out.
func (s *Site) importCartridge(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	if _, err := s.d.Courses.Teaches(ctx, sc, id); err != nil {
		return page{}, err
	}
	tmp, err := os.CreateTemp("", "lms-cartridge-*.zip")
	if err != nil {
		return page{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	var size int64
	err = eachFile(c, func(_ string, body io.Reader) error {
		if size > 0 {
			_, _ = io.Copy(io.Discard, body)
			return nil
		}
		n, err := io.Copy(tmp, io.LimitReader(body, maxCartridgeBytes+1))
		if err != nil {
			return err
		}
		if n > maxCartridgeBytes {
			return errs.New(errs.ErrInvalid, "The package is larger than 1 GiB: split the course.")
		}
		size = n
		return nil
	})
	if err == nil && size == 0 {
		err = errs.New(errs.ErrInvalid, "Choose the Common Cartridge file (.imscc or .zip) to import.")
	}
	if err != nil {
		return page{}, err
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		return page{}, errs.New(errs.ErrInvalid, "That file is not a Common Cartridge (it is not a zip package).")
	}
	rep, err := s.cartridges().Import(ctx, sc, id, zr)
	if err != nil {
		return page{}, err
	}
	return s.showCartridge(c, id, http.StatusOK, &rep)
}
