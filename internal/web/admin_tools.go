package web

import (
	"bytes"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/request"
)

// adminToolPages are the admin's everyday tools: unlocking an account that
// failed sign-ins locked, and the fragments progress.js fetches so that
// work done in the background (exports, rollovers) shows its progress, and
// its download, without the page being reloaded.
func (s *Site) adminToolPages() []request.Route {
	return []request.Route{
		{Method: "POST", Path: tp + "/admin/people/:id/unlock",
			Summary: "Unlock an account that failed sign-ins locked", Area: request.AreaTenant, Object: "person",
			Action: "write", Handler: s.serve(withID("id", "", s.unlockPerson))},
		{Method: "GET", Path: tp + "/my/privacy/exports", Summary: "How far my exports have got (updates My data)",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.serve(s.myExportsProgress)},
		{Method: "GET", Path: tp + "/admin/requests/:sreq/exports", Summary: "How far a request's exports have got (updates its page)",
			Area: request.AreaTenant, Object: "subject-request", Action: "read",
			Handler: s.serve(withID("sreq", "There is no such request.", s.requestExportsProgress))},
		{Method: "GET", Path: tp + "/admin/contract/exports", Summary: "How far the school's full exports have got (updates the contract page)",
			Area: request.AreaTenant, Object: "tenant-export", Action: "read", Handler: s.serve(s.tenantExportsProgress)},
		{Method: "GET", Path: tp + "/rollovers/:rollover/progress", Summary: "How far a rollover has got (updates its page)",
			Area: request.AreaTenant, Object: "course", Action: "read",
			Handler: s.serve(withID("rollover", "There is no such rollover.", s.rolloverProgress))},
	}
}

// unlockPerson ends a lockout at once; one that ran out in the meantime
// (or that another admin ended) is simply done.
func (s *Site) unlockPerson(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Identity.Unlock(c.Request.Context(), request.Scope(c), id)
	if conflict(err) {
		err = nil
	}
	return goTo(base(c) + "/admin/people/" + id.String() + "?done=unlocked"), err
}

// fragment renders one partial of a page's template set (in the viewer's
// time zone) as a piece of HTML, not a page: what progress.js puts in
// place of the part of the page it updates.
func (s *Site) fragment(c *gin.Context, pageName, partial string, data any) (page, error) {
	t, ok := s.pages.in(s.zone(c)).byName[pageName]
	if !ok {
		return page{}, fmt.Errorf("web: no template %s", pageName)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, partial, data); err != nil {
		return page{}, fmt.Errorf("render %s: %w", partial, err)
	}
	return send(file{contentType: "text/html; charset=utf-8", body: buf.Bytes()}), nil
}

func (s *Site) myExportsProgress(c *gin.Context) (page, error) {
	sc := request.Scope(c)
	exports, err := s.d.Subjects.Exports(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil {
		return page{}, err
	}
	return s.fragment(c, "my_privacy", "myExports", map[string]any{"Base": base(c), "Exports": exports})
}

func (s *Site) requestExportsProgress(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	r, err := s.d.Subjects.Get(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	exports := []subject.Export{}
	if r.PersonID != nil {
		if exports, err = s.d.Subjects.Exports(ctx, sc, *r.PersonID); err != nil {
			return page{}, err
		}
	}
	return s.fragment(c, "admin_request", "requestExports", map[string]any{"Base": base(c), "Request": r.ID, "Exports": exports})
}

func (s *Site) tenantExportsProgress(c *gin.Context) (page, error) {
	exports, err := s.d.Handback.Exports(c.Request.Context(), request.Scope(c))
	if err != nil {
		return page{}, err
	}
	return s.fragment(c, "admin_timeline", "tenantExports", map[string]any{"Base": base(c), "Exports": exports})
}

func (s *Site) rolloverProgress(c *gin.Context, id uuid.UUID) (page, error) {
	r, err := s.d.Courses.GetRollover(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return s.fragment(c, "rollover", "rolloverProgress", map[string]any{"Base": base(c), "Rollover": r})
}
