package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// ssoStateCookie holds, in the browser that began a sign-in through a
// school's provider, the state the answer must carry: an answer brought
// to another browser (a login forced on someone) finds no match.
const ssoStateCookie = "lms_sso_state"

// ssoPages are single sign-on: the school's sign-in page sends a person
// to the school's Microsoft, Google or other OpenID provider, and takes
// the answer back. Starting is a link (GET), not a form, because the
// pages' Content-Security-Policy keeps forms on this site (form-action
// 'self'), and browsers apply that to the redirect a form leads to.
func (s *Site) ssoPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/signin/sso/:school/start", Summary: "Go to the school's sign-in service (Microsoft, Google, another OpenID provider)",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.startSSO)},
		{Method: "GET", Path: "/signin/sso/:school/callback", Summary: "Come back signed in from the school's OpenID provider",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.finishOIDC)},
		{Method: "GET", Path: "/signin/saml/:school/metadata", Summary: "The platform's SAML metadata, for the school's identity provider",
			Area: request.AreaPublic, Public: true, Handler: s.serve(s.samlMetadata)},
		{Method: "POST", Path: "/signin/saml/:school/acs", Summary: "Come back signed in from the school's SAML identity provider",
			Area: request.AreaPublic, Public: true, Throttled: true, CrossSite: true, Handler: s.serve(s.finishSAML)},
	}
}

// ssoCallback is the address a school registers with its OpenID provider.
func (s *Site) ssoCallback(slug string) string {
	return s.d.Config.PublicURL + "/signin/sso/" + slug + "/callback"
}

type ssoRefusedData struct {
	Problem string
	Slug    string
}

// ssoRefused is the page a sign-in through a provider ends on when it
// fails: what went wrong in plain words, and the way back.
func ssoRefused(err error, slug string) (page, error) {
	status, msg, ok := signinProblem(err)
	if !ok {
		if !errors.Is(err, errs.ErrNotFound) && !errors.Is(err, errs.ErrUnavailable) {
			return page{}, err
		}
		status, msg = http.StatusNotFound, errs.Public(err)
		if errors.Is(err, errs.ErrUnavailable) {
			status = http.StatusServiceUnavailable
		}
	}
	if p := errs.Public(err); p != "" {
		msg = p
	}
	return page{status: status, name: "sso_refused", view: view{Title: "You are not signed in", Data: ssoRefusedData{Problem: msg, Slug: slug}}}, nil
}

// ssoSchool finds the school a sign-in names by its sign-in name.
func (s *Site) ssoSchool(c *gin.Context) (uuid.UUID, string, error) {
	slug := strings.ToLower(c.Param("school"))
	t, err := s.d.Tenants.BySlug(c.Request.Context(), slug)
	if err != nil {
		return uuid.Nil, slug, errs.New(errs.ErrNotFound, "There is no school with that sign-in name.")
	}
	return t.ID, t.Slug, nil
}

func (s *Site) startSSO(c *gin.Context) (page, error) {
	tenant, slug, err := s.ssoSchool(c)
	if err != nil {
		return ssoRefused(err, "")
	}
	id, err := uuid.Parse(c.Query("provider"))
	if err != nil {
		return ssoRefused(errs.New(errs.ErrNotFound, "That sign-in option is no longer available."), slug)
	}
	next := safeNext(c.Query("next"))
	if len(next) > maxNext {
		next = "" // kept with the waiting sign-in: anyone may start one
	}
	if s.d.Identity.IsSAML(c.Request.Context(), tenant, id) {
		to, err := s.d.Identity.StartSAML(c.Request.Context(), tenant, id, s.samlSite(slug), next)
		if err != nil {
			return ssoRefused(err, slug)
		}
		return goTo(to), nil
	}
	to, state, err := s.d.Identity.StartOIDC(c.Request.Context(), tenant, id, s.ssoCallback(slug), next)
	if err != nil {
		return ssoRefused(err, slug)
	}
	c.SetSameSite(http.SameSiteLaxMode) // sent back on the provider's redirect (a top-level GET)
	c.SetCookie(ssoStateCookie, state, 600, "/signin/sso/", "", !s.d.Config.IsDev(), true)
	return goTo(to), nil
}

func (s *Site) finishOIDC(c *gin.Context) (page, error) {
	tenant, slug, err := s.ssoSchool(c)
	if err != nil {
		return ssoRefused(err, "")
	}
	held, _ := c.Cookie(ssoStateCookie)
	c.SetCookie(ssoStateCookie, "", -1, "/signin/sso/", "", !s.d.Config.IsDev(), true)
	a := identity.OIDCAnswer{State: c.Query("state"), BrowserHeld: held, Code: c.Query("code"),
		Error: c.Query("error"), Callback: s.ssoCallback(slug)}
	iss, _, next, err := s.d.Identity.FinishOIDC(c.Request.Context(), tenant, a, request.Client(c))
	if err != nil {
		return ssoRefused(err, slug)
	}
	return s.signedInTo(c, iss, slug, next), nil
}

// samlSite is the platform as a school's SAML identity provider knows it.
func (s *Site) samlSite(slug string) identity.SAMLSite {
	at := s.d.Config.PublicURL + "/signin/saml/" + slug
	return identity.SAMLSite{EntityID: at + "/metadata", ACS: at + "/acs"}
}

func (s *Site) samlMetadata(c *gin.Context) (page, error) {
	_, slug, err := s.ssoSchool(c)
	if err != nil {
		return page{}, err
	}
	b, err := identity.SAMLMetadata(s.samlSite(slug))
	return send(file{contentType: "application/samlmetadata+xml", body: b, attachment: "lms-" + slug + "-saml-metadata.xml"}), err
}

// maxNext caps the return address a sign-in keeps while it waits.
const maxNext = 2000

// finishSAML takes the answer the school's IdP had the browser post here
// (a form from another site, allowed on this route only: the answer
// carries the IdP's signature and names a request of ours).
func (s *Site) finishSAML(c *gin.Context) (page, error) {
	tenant, slug, err := s.ssoSchool(c)
	if err != nil {
		return ssoRefused(err, "")
	}
	if err := c.Request.ParseForm(); err != nil {
		return ssoRefused(errs.New(errs.ErrUnauthenticated, "The answer from your school's sign-in service could not be read."), slug)
	}
	iss, _, next, err := s.d.Identity.FinishSAML(c.Request.Context(), tenant, c.Request, s.samlSite(slug), request.Client(c))
	if err != nil {
		return ssoRefused(err, slug)
	}
	return s.signedInTo(c, iss, slug, next), nil
}

// signedInTo sets the new session's cookie and sends the person on: to
// their second step if they owe one, else where they were going, else
// their school's home.
func (s *Site) signedInTo(c *gin.Context, iss identity.Issued, slug, next string) page {
	request.SetSessionCookie(c, iss.Secret, !s.d.Config.IsDev())
	if iss.SecondFactor != "" {
		return goTo(secondStepAddress(iss.SecondFactor, next))
	}
	if next == "" {
		next = "/t/" + slug
	}
	return goTo(next)
}
