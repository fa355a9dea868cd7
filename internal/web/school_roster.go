package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/request"
)

type rosterData struct {
	Base    string
	Imports []roster.Import
	Pager   pager
	Held    []roster.Import      // waiting for an admin to confirm
	Limit   int                  // the safety limit, in percent
	Confirm bool                 // the viewer may confirm a held import
	By      map[uuid.UUID]string // imports a roster sync run made: the delivering tool
}

func (s *Site) rosterView(c *gin.Context) (rosterData, error) {
	list, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]roster.Import, error) {
		return s.d.Roster.List(c.Request.Context(), request.Scope(c), "", after, limit)
	}, func(i roster.Import) uuid.UUID { return i.ID })
	if err != nil {
		return rosterData{}, err
	}
	held, err := s.d.Roster.List(c.Request.Context(), request.Scope(c), roster.Held, uuid.Nil, 20)
	if err != nil {
		return rosterData{}, err
	}
	ids := make([]uuid.UUID, 0, len(list))
	for _, i := range list {
		ids = append(ids, i.ID)
	}
	by, err := s.d.RosterSync.DeliveredBy(c.Request.Context(), request.Scope(c), ids)
	return rosterData{Base: base(c), Imports: list, Pager: pg, Held: held, Limit: roster.EndLimit,
		Confirm: s.allowed(c, request.Principal(c), "roster", "write"), By: by}, err
}

func (s *Site) rosterPage(c *gin.Context) (page, error) {
	d, err := s.rosterView(c)
	return show("admin_roster", view{Title: "Bulk import", Data: d}), err
}

// rosterImport runs an upload through the roster service; accepted or
// rejected, every import is recorded, so the result is shown on the
// import's own page.
func (s *Site) rosterImport(c *gin.Context) (page, error) {
	mr := request.MultipartOf(c)
	var files map[string][]byte
	var err error
	if mr == nil {
		err = errs.Field("files", "Send the form from the import page")
	} else {
		files, err = roster.ReadParts(mr)
	}
	// "Check only" posts the same form to ?dry_run=true (formaction).
	dryRun := c.Query("dry_run") == "true"
	if err == nil {
		if len(files) == 0 {
			err = errs.Field("files", "Choose the CSV files (or one zip) to import")
		}
	}
	if m, isField := formErrors(err); isField {
		d, verr := s.rosterView(c)
		if verr != nil {
			return page{}, verr
		}
		fe := map[string]string{}
		for k, v := range m {
			if !roster.Known(k) && k != "file" {
				k = "files"
			}
			fe[k] = v
		}
		return again("admin_roster", view{Title: "Bulk import", Errors: fe, Data: d}), nil
	} else if err != nil {
		return page{}, err
	}
	sc := request.Scope(c)
	rec, err := s.d.Roster.Import(c.Request.Context(), sc, files, dryRun)
	if rej, ok := roster.AsRejected(err); ok {
		rec, err = rej.Import, nil
	}
	if err != nil {
		return page{}, err
	}
	if rec.Status == roster.Applied {
		s.d.Authz.Invalidate(sc.Tenant())
	}
	return goTo(base(c) + "/admin/roster/" + rec.ID.String()), nil
}

func (s *Site) rosterResult(c *gin.Context, id uuid.UUID) (page, error) {
	rec, err := s.d.Roster.Get(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return show("admin_roster_result", view{Title: "Import of " + localtime.DateTime(rec.CreatedAt, s.zone(c)), Data: struct {
		Base    string
		Rec     roster.Import
		Limit   int
		Confirm bool
	}{base(c), rec, roster.EndLimit, s.allowed(c, request.Principal(c), "roster", "write")}}), nil
}

// rosterConfirm applies an import the safety limit held. If the files no
// longer apply cleanly, the new (rejected) run is shown instead.
func (s *Site) rosterConfirm(c *gin.Context, id uuid.UUID) (page, error) {
	sc := request.Scope(c)
	rec, err := s.d.Roster.Confirm(c.Request.Context(), sc, id)
	if rej, ok := roster.AsRejected(err); ok {
		return goTo(base(c) + "/admin/roster/" + rej.Import.ID.String()), nil
	}
	if err != nil {
		return page{}, err
	}
	s.d.Authz.Invalidate(sc.Tenant())
	return goTo(base(c) + "/admin/roster/" + rec.ID.String()), nil
}

// rosterDiscard drops an import the safety limit held.
func (s *Site) rosterDiscard(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Roster.Discard(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/admin/roster/" + id.String()), err
}
