package web

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/request"
)

// integrationsPath is the admin's page of the school's integrations.
const integrationsPath = "/admin/integrations"

// integrationPages are where a school's admins register the programs
// that call the API without a person (OAuth2 client credentials), see
// the client id and secret once, list them and revoke them after a
// confirmation. Only an admin of the whole tenant reaches them.
func (s *Site) integrationPages() []request.Route {
	a := tp + integrationsPath
	return []request.Route{
		{Method: "GET", Path: a, Summary: "Integrations: programs that call the API for the school, and registering one",
			Area: request.AreaTenant, Object: "integration", Action: "read", Handler: s.serve(s.integrationsPage)},
		{Method: "POST", Path: a, Summary: "Register an integration (its secret is shown once)",
			Area: request.AreaTenant, Object: "integration", Action: "write", Handler: s.serve(s.registerIntegration)},
		{Method: "GET", Path: a + "/:integration/revoke", Summary: "Confirm revoking an integration",
			Area: request.AreaTenant, Object: "integration", Action: "read",
			Handler: s.serve(withID("integration", "No such integration.", s.confirmRevokeIntegration))},
		{Method: "POST", Path: a + "/:integration/revoke", Summary: "Revoke an integration",
			Area: request.AreaTenant, Object: "integration", Action: "write",
			Handler: s.serve(withID("integration", "No such integration.", s.revokeIntegration))},
	}
}

// integrationRow is an integration as the list shows it.
type integrationRow struct {
	integration.Integration
	Can []string // what its scopes allow, in words
}

type integrationsData struct {
	Base         string
	Integrations []integrationRow
	Scopes       []integration.ScopeInfo
	Chosen       map[string]bool
	Registered   *integration.Registered
	TokenURL     string
}

func (s *Site) integrationsPage(c *gin.Context) (page, error) {
	v := view{}
	if c.Query("done") == "revoked" {
		v.Flash = "Revoked. The integration's tokens stopped working at once and it gets no new ones."
	}
	return s.showIntegrations(c, v, nil)
}

func (s *Site) showIntegrations(c *gin.Context, v view, reg *integration.Registered) (page, error) {
	list, err := s.d.Integrations.List(c.Request.Context(), request.Scope(c), uuid.Nil, 0)
	if err != nil {
		return page{}, err
	}
	d := integrationsData{Base: base(c), Scopes: integration.Scopes, Chosen: ticked(c.PostFormArray("scopes")),
		Registered: reg, TokenURL: s.d.Config.PublicURL + integration.TokenPath}
	for _, in := range list {
		row := integrationRow{Integration: in}
		for _, sc := range in.Scopes {
			if info, ok := integration.Info(sc); ok {
				row.Can = append(row.Can, info.Label)
			}
		}
		d.Integrations = append(d.Integrations, row)
	}
	v.Title, v.Data, v.Fields = "Integrations", d, []string{"name", "scopes"}
	if len(v.Errors) > 0 {
		return again("admin_integrations", v), nil
	}
	return show("admin_integrations", v), nil
}

// registerIntegration registers one and shows its client id and secret
// on the page it answers with: the only time the secret is shown.
func (s *Site) registerIntegration(c *gin.Context) (page, error) {
	form := formValues(c, "name")
	in := integration.NewIntegration{Name: form["name"]}
	for _, sc := range c.PostFormArray("scopes") {
		in.Scopes = append(in.Scopes, integration.Scope(sc))
	}
	reg, err := s.d.Integrations.Register(c.Request.Context(), request.Scope(c), in)
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showIntegrations(c, view{Form: form, Errors: fe}, nil)
	}
	return s.showIntegrations(c, view{Flash: "Registered. Copy the client secret now: it is not shown again."}, &reg)
}

func (s *Site) confirmRevokeIntegration(c *gin.Context, id uuid.UUID) (page, error) {
	in, err := s.d.Integrations.Get(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return show("admin_integration_revoke", view{Title: "Revoke " + in.Name, Data: struct {
		Base string
		In   integration.Integration
	}{base(c), in}}), nil
}

func (s *Site) revokeIntegration(c *gin.Context, id uuid.UUID) (page, error) {
	if _, err := s.d.Integrations.Revoke(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	return goTo(base(c) + integrationsPath + "?done=revoked"), nil
}
