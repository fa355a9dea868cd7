package web

import (
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// signInOptionPages are where a school's admin connects its Microsoft,
// Google or other provider, and switches password sign-in off for roles
// that sign in there. Connections are the whole tenant's: an admin of
// only some schools of a trust sees them but may not change them.
func (s *Site) signInOptionPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/admin/sign-in", Summary: "How the school's people sign in: Microsoft, Google, SAML, passwords",
			Area: request.AreaTenant, Object: "security-event", Action: "read", Handler: s.serve(s.signInOptionsPage)},
		{Method: "POST", Path: tp + "/admin/sign-in/providers", Summary: "Connect the school's Microsoft, Google or other OpenID provider",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.connectProvider)},
		{Method: "POST", Path: tp + "/admin/sign-in/saml", Summary: "Connect the school's SAML 2.0 identity provider from its metadata",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.connectSAML)},
		{Method: "POST", Path: tp + "/admin/sign-in/providers/:id/remove", Summary: "Remove a sign-in provider",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(withID("id", "No such sign-in option.", s.removeProvider))},
		{Method: "POST", Path: tp + "/admin/sign-in/passwords", Summary: "Switch password sign-in off or on for roles",
			Area: request.AreaTenant, Object: "school-settings", Action: "write", Handler: s.serve(s.savePasswordOff)},
	}
}

type signInOptionsData struct {
	Base       string
	TenantWide bool
	Providers  []identity.Provider
	Callback   string
	SPMetadata string
	Kinds      []choice
	Inputs     []input
	Roles      []choice
	Off        map[string]bool
}

// input is one text field of a form, as the template draws it.
type input struct{ Name, Label, Hint, Type, Value, Error string }

// providerInputs are the connect form's text fields.
func providerInputs(v view) []input {
	in := []input{
		{"directory_id", "Directory (tenant) ID, for Microsoft", "On the Overview page of Microsoft Entra ID. Only accounts of your school's directory may sign in. Leave it empty for Google and most other providers.", "text", "", ""},
		{"issuer", "Issuer address, for another OpenID provider", "The provider's address, starting https://, as its setup guide gives it (for example https://id.example.org). Leave it empty for Microsoft and Google.", "url", "", ""},
		{"client_id", "Client ID (application ID)", "Given when you register this platform with your provider: in Entra ID the Application (client) ID, in Google the Client ID.", "text", "", ""},
		{"client_secret", "Client secret", "Given with the client ID. Kept encrypted and never shown again, so type it again if the form shows a mistake.", "password", "", ""},
		{"domains", "Allowed email domains", "Separate them with commas, like oakfield.sch.uk. Needed for Google; for the others, leave empty to allow any of the provider's accounts.", "text", "", ""},
	}
	for i := range in {
		if in[i].Type != "password" {
			in[i].Value = v.Form[in[i].Name]
		}
		in[i].Error = v.Errors[in[i].Name]
	}
	return in
}

var providerKinds = []choice{
	{identity.ProviderMicrosoft, identity.ProviderKindWords(identity.ProviderMicrosoft)},
	{identity.ProviderGoogle, identity.ProviderKindWords(identity.ProviderGoogle)},
	{identity.ProviderOIDC, identity.ProviderKindWords(identity.ProviderOIDC)},
}

var signInFlashes = map[string]string{
	"connected": "Connected. The school's sign-in page now shows its button.",
	"removed":   "Removed. Its button is gone from the sign-in page.",
	"saved":     "Saved.",
}

func (s *Site) signInOptionsPage(c *gin.Context) (page, error) {
	return s.showSignInOptions(c, view{Flash: signInFlashes[c.Query("done")]})
}

func (s *Site) showSignInOptions(c *gin.Context, v view) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	ps, err := s.d.Identity.Providers(ctx, sc)
	if err != nil {
		return page{}, err
	}
	off, err := s.d.Identity.PasswordOff(ctx, sc)
	if err != nil {
		return page{}, err
	}
	d := signInOptionsData{Base: base(c), TenantWide: sc.TenantWide(), Providers: ps, Kinds: providerKinds,
		Off: map[string]bool{}, Callback: s.ssoCallback(c.Param("tenant")),
		SPMetadata: s.d.Config.PublicURL + "/signin/saml/" + c.Param("tenant") + "/metadata"}
	for _, r := range off {
		d.Off[string(r)] = true
	}
	if ticked, ok := v.Form["password_off"]; ok { // the switches as sent, when they were refused
		d.Off = map[string]bool{}
		for _, r := range strings.Fields(ticked) {
			d.Off[r] = true
		}
	}
	for _, r := range identity.TenantRoles {
		d.Roles = append(d.Roles, choice{string(r), roleWords[r]})
	}
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	for name, first := range map[string]string{"kind": identity.ProviderMicrosoft, "match_by": identity.MatchEmail} {
		if v.Form[name] == "" {
			v.Form[name] = first
		}
	}
	d.Inputs = providerInputs(v)
	v.Title, v.Data = "Sign-in options", d
	v.Fields = []string{"kind", "directory_id", "issuer", "client_id", "client_secret", "domains", "match_by", "metadata", "saml_domains", "saml_match_by", "password_off"}
	if len(v.Errors) > 0 {
		return again("admin_sign_in", v), nil
	}
	return show("admin_sign_in", v), nil
}

// trustWide refuses a change to the whole tenant's sign-in by an admin of
// only some of its schools.
func trustWide(c *gin.Context) error {
	if !request.Scope(c).TenantWide() {
		return errs.New(errs.ErrForbidden, "Only an administrator of the whole trust can change how its people sign in.")
	}
	return nil
}

func (s *Site) connectProvider(c *gin.Context) (page, error) {
	if err := trustWide(c); err != nil {
		return page{}, err
	}
	form := formValues(c, "kind", "directory_id", "issuer", "client_id", "domains", "match_by", "create_people")
	in := identity.NewProvider{Kind: form["kind"], DirectoryID: form["directory_id"], Issuer: form["issuer"],
		ClientID: form["client_id"], ClientSecret: c.PostForm("client_secret"), Domains: form["domains"],
		MatchBy: form["match_by"], CreatePeople: form["create_people"] == "yes"}
	_, err := s.d.Identity.ConnectProvider(c.Request.Context(), request.Scope(c), in)
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showSignInOptions(c, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/admin/sign-in?done=connected"), nil
}

func (s *Site) connectSAML(c *gin.Context) (page, error) {
	if err := trustWide(c); err != nil {
		return page{}, err
	}
	form := formValues(c, "saml_domains", "saml_match_by", "saml_create_people")
	form["metadata"] = c.PostForm("metadata")
	in := identity.NewSAML{Metadata: form["metadata"], Domains: form["saml_domains"], MatchBy: form["saml_match_by"], CreatePeople: form["saml_create_people"] == "yes"}
	_, err := s.d.Identity.ConnectSAML(c.Request.Context(), request.Scope(c), in)
	fe, err := formOutcome(err, map[string]string{"domains": "saml_domains", "match_by": "saml_match_by"})
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showSignInOptions(c, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/admin/sign-in?done=connected"), nil
}

func (s *Site) removeProvider(c *gin.Context, id uuid.UUID) (page, error) {
	if err := trustWide(c); err != nil {
		return page{}, err
	}
	if err := s.d.Identity.DisconnectProvider(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	return goTo(base(c) + "/admin/sign-in?done=removed"), nil
}

func (s *Site) savePasswordOff(c *gin.Context) (page, error) {
	if err := trustWide(c); err != nil {
		return page{}, err
	}
	var roles []identity.Role
	ticked := c.PostFormArray("password_off")
	for _, r := range ticked {
		roles = append(roles, identity.Role(r))
	}
	fe, err := formOutcome(s.d.Identity.SetPasswordOff(c.Request.Context(), request.Scope(c), roles), nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showSignInOptions(c, view{Errors: fe, Form: map[string]string{"password_off": strings.Join(ticked, " ")}})
	}
	return goTo(base(c) + "/admin/sign-in?done=saved"), nil
}

// formValues is the named fields of a posted form, trimmed.
func formValues(c *gin.Context, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = strings.TrimSpace(c.PostForm(n))
	}
	return out
}
