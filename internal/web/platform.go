package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/datause"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

// platformPages are the processor operators' pages: tenants with their
// contracts and operational figures (counts, storage, health), creating a
// tenant and setting a contract's end date. They show no personal data of
// any tenant: the figures are counted inside each tenant's scope and no
// row's content leaves it.
func (s *Site) platformPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/platform",
			Summary: "Tenants with contract status and operational figures, and platform health",
			Area:    request.AreaPlatform, Object: "platform-tenant", Action: "read",
			Handler: s.serve(s.tenantsPage)},
		{Method: "GET", Path: "/platform/tenants/new", Summary: "The form to create a tenant",
			Area: request.AreaPlatform, Object: "platform-tenant", Action: "read",
			Handler: s.serve(s.newTenantForm)},
		{Method: "POST", Path: "/platform/tenants/new", Summary: "Create a tenant",
			Area: request.AreaPlatform, Object: "platform-tenant", Action: "write",
			Handler: s.serve(s.createTenant)},
		{Method: "GET", Path: "/platform/tenants/:id",
			Summary: "One tenant: contract and operational figures", Area: request.AreaPlatform,
			Object: "platform-tenant", Action: "read", Handler: s.serve(withID("id", "There is no such tenant.", s.tenantPage))},
		{Method: "POST", Path: "/platform/tenants/:id/contract",
			Summary: "Set or clear a contract's end date", Area: request.AreaPlatform, Object: "contract",
			Action: "write", Handler: s.serve(withID("id", "There is no such tenant.", s.setContractEnd))},
	}
}

// health is the platform's own state, as /readyz sees it.
type health struct{ Database, ObjectStore string }

func (s *Site) health(ctx context.Context) health {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	h := health{Database: "Working", ObjectStore: "Working"}
	if err := s.d.DB.Ready(ctx); err != nil {
		h.Database = "Not answering"
	}
	if err := s.d.Store.Ready(ctx); err != nil {
		h.ObjectStore = "Not answering"
	}
	return h
}

type tenantsData struct {
	Tenants  []tenant.Summary
	Health   health
	Signals  identity.SignalFigures
	Pager    pager
	CanWrite bool
}

func (s *Site) tenantsPage(c *gin.Context) (page, error) {
	ctx, p := c.Request.Context(), request.Principal(c)
	ts, pg, err := listPage(c, func(after uuid.UUID, limit int) ([]tenant.Summary, error) {
		return s.d.Tenants.List(ctx, after, limit, p.ID)
	}, func(t tenant.Summary) uuid.UUID { return t.ID })
	if err != nil {
		return page{}, err
	}
	d := tenantsData{Tenants: ts, Health: s.health(ctx), Pager: pg, CanWrite: s.allowed(c, p, "platform-tenant", "write")}
	if d.Signals, err = s.d.Identity.SignalFigures(ctx, s.now()); err != nil {
		return page{}, err
	}
	return show("platform_tenants", view{Title: "Tenants", Data: d}), nil
}

type tenantData struct {
	T        tenant.Summary
	CanWrite bool
	Extracts []datause.Extract
	CanCopy  bool
	End      contractEnd
}

func (s *Site) tenantPage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showTenant(c, id, http.StatusOK, view{Form: map[string]string{}})
}

// showTenant is one tenant's page with status; v carries the contract
// form's values and errors when it comes back with a problem.
func (s *Site) showTenant(c *gin.Context, id uuid.UUID, status int, v view) (page, error) {
	p := request.Principal(c)
	t, err := s.d.Tenants.Get(c.Request.Context(), id, p.ID)
	if err != nil {
		return page{}, err
	}
	if _, given := v.Form["ends_on"]; !given && t.Contract.EndsOn != nil {
		v.Form["ends_on"] = t.Contract.EndsOn.String()
	}
	v.Title, v.Fields = t.Name, []string{"ends_on"}
	d := tenantData{T: t, CanWrite: s.allowed(c, p, "contract", "write"), CanCopy: s.allowed(c, p, "data-extract", "write")}
	if d.CanCopy {
		if d.Extracts, err = s.d.DataUse.Extracts(c.Request.Context(), id); err != nil {
			return page{}, err
		}
	}
	if err := s.contractEndOf(c, &d); err != nil {
		return page{}, err
	}
	v.Data = d
	return page{status: status, name: "platform_tenant", view: v}, nil
}

// setContractEnd sets the end date from the form, or clears it when the
// operator chose to reopen the contract.
func (s *Site) setContractEnd(c *gin.Context, id uuid.UUID) (page, error) {
	form := map[string]string{"ends_on": strings.TrimSpace(c.PostForm("ends_on"))}
	var end *tenant.Date
	if c.PostForm("action") != "reopen" {
		d, err := tenant.ParseDate(form["ends_on"])
		if err != nil {
			return s.showTenant(c, id, http.StatusBadRequest, view{Form: form, Errors: map[string]string{"ends_on": "Enter the end date as a date, for example 2027-08-31"}})
		}
		end = &d
	}
	_, err := s.d.Tenants.SetContractEnd(c.Request.Context(), id, tenant.EndOn(end))
	if fe, isField := formErrors(err); isField {
		return s.showTenant(c, id, http.StatusBadRequest, view{Form: form, Errors: map[string]string{"ends_on": "The end date " + fe["ends_on"]}})
	} else if conflict(err) {
		return s.showTenant(c, id, http.StatusConflict, view{Form: form, Errors: map[string]string{"ends_on": "This contract has ended; its end date can no longer change"}})
	} else if err != nil {
		return page{}, err
	}
	return goTo("/platform/tenants/" + id.String() + "?done=contract"), nil
}

// tenantFields are the create form's fields in page order.
var tenantFields = []string{"name", "slug", "kind", "region", "schools", "reference", "starts_on", "ends_on", "return_window_days", "admin_name", "admin_email", "admin_password"}

type newTenantData struct {
	Regions       []tenant.Region
	AllowPassword bool
}

func (s *Site) newTenantData() newTenantData {
	return newTenantData{Regions: tenant.RegionList(), AllowPassword: s.d.Tenants.AllowsInitialPasswords()}
}

func (s *Site) newTenantForm(c *gin.Context) (page, error) {
	if !s.allowed(c, request.Principal(c), "platform-tenant", "write") {
		return page{}, errs.New(errs.ErrForbidden, "Only processor operators create tenants.")
	}
	form := map[string]string{"kind": "school", "region": "uk", "starts_on": s.now().In(s.zone(c)).Format("2006-01-02"), "return_window_days": "30"}
	return show("platform_tenant_new", view{Title: "Create a tenant", Form: form, Data: s.newTenantData()}), nil
}

func (s *Site) createTenant(c *gin.Context) (page, error) {
	form := posted(c, tenantFields...)
	delete(form, "admin_password") // never shown again
	m, fe := manifestFromForm(form, c.PostForm("admin_password"))
	if len(fe) == 0 {
		res, err := s.d.Tenants.Create(c.Request.Context(), m, request.Principal(c).ID)
		if errs, isField := formErrors(err); isField {
			fe = manifestFieldsToForm(errs)
		} else if conflict(err) {
			fe = map[string]string{"slug": "That sign-in name was taken a moment ago; choose another"}
		} else if err != nil {
			return page{}, err
		} else {
			return goTo("/platform/tenants/" + res.TenantID.String() + "?done=tenant-made"), nil
		}
	}
	return again("platform_tenant_new", view{Title: "Create a tenant", Form: form, Errors: fe, Fields: tenantFields, Data: s.newTenantData()}), nil
}

// manifestFromForm builds a manifest from the create form. Schools are one
// per line; a single school may be left empty and takes the tenant's name.
// The manifest's own validation does the rest, mapped back to the form.
func manifestFromForm(form map[string]string, password string) (tenant.Manifest, map[string]string) {
	fe := map[string]string{}
	m := tenant.Manifest{
		Slug: form["slug"], Name: form["name"], Kind: form["kind"], Region: form["region"],
		Contract: tenant.ContractSpec{Reference: form["reference"], StartsOn: form["starts_on"], EndsOn: form["ends_on"]},
	}
	if v := form["return_window_days"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe["return_window_days"] = "Enter a number of days from 1 to 365"
			n = 30 // validate the rest
		}
		m.Contract.ReturnWindowDays = n
	}
	names := strings.Split(strings.ReplaceAll(form["schools"], "\r", ""), "\n")
	if strings.TrimSpace(form["schools"]) == "" {
		names = []string{form["name"]}
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			m.Schools = append(m.Schools, tenant.SchoolSpec{Slug: slugFrom(n), Name: n})
		}
	}
	m.Admins = []tenant.AdminSpec{{Email: form["admin_email"], DisplayName: form["admin_name"], InitialPassword: password}}
	if form["admin_email"] == "" {
		fe["admin_email"] = "Enter the first administrator's work email address"
	}
	if len(password) > 1024 {
		fe["admin_password"] = "The first password must be at most 1024 characters, as at sign-in"
	}
	if errs, isField := formErrors(m.Validate()); isField {
		for f, msg := range manifestFieldsToForm(errs) {
			if _, mine := fe[f]; !mine {
				fe[f] = msg
			}
		}
	}
	return m, fe
}

// schoolProblem words a problem with one school of the list.
func schoolProblem(path, msg string) string {
	switch {
	case strings.HasSuffix(path, ".slug") && strings.Contains(msg, "duplicates"):
		return "has the same name as another"
	case strings.HasSuffix(path, ".slug"):
		return "needs a name of at least two letters or digits"
	}
	return "name " + msg
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugFrom makes a school's slug from its name: "St Mary's C of E" becomes
// "st-mary-s-c-of-e".
func slugFrom(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}

// manifestFieldsToForm maps the manifest's field paths to the form's
// fields, in words an operator reads.
func manifestFieldsToForm(in map[string]string) map[string]string {
	out := map[string]string{}
	label := map[string]string{
		"name": "The name", "slug": "The sign-in name", "kind": "The kind", "region": "The data region",
		"reference": "The contract reference", "starts_on": "The start date", "ends_on": "The end date",
		"return_window_days": "The return window", "schools": "Schools", "admin_name": "The administrator's name",
		"admin_email": "The administrator's email address", "admin_password": "The first password",
	}
	for path, msg := range in {
		f := path
		switch {
		case strings.HasPrefix(path, "contract."):
			f = strings.TrimPrefix(path, "contract.")
		case strings.HasPrefix(path, "schools["):
			var i int
			fmt.Sscanf(path, "schools[%d]", &i)
			if _, dup := out["schools"]; !dup {
				out["schools"] = fmt.Sprintf("Schools: the school on line %d %s", i+1, schoolProblem(path, msg))
			}
			continue
		case path == "schools":
			f = "schools"
		case strings.HasSuffix(path, ".display_name"):
			f = "admin_name"
		case strings.HasSuffix(path, ".initial_password"):
			f = "admin_password"
		case strings.HasPrefix(path, "admins"):
			f = "admin_email"
		}
		if _, known := label[f]; !known {
			f = "name"
		}
		if _, dup := out[f]; !dup {
			out[f] = label[f] + " " + msg
		}
	}
	return out
}
