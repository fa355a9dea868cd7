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

// passkeyPages are passkeys (WebAuthn): a member adds, lists and removes
// their passkeys from their account, and signs in with one alone (it is
// both steps). Each ceremony is two forms: the first makes a challenge
// and shows a page with the browser's options; static/passkeys.js asks
// the browser's authenticator and posts its answer with the second.
func (s *Site) passkeyPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: "/account/passkeys", Summary: "Your passkeys: add, list and remove them",
			Area: request.AreaSelf, Object: "self", Action: "read", Handler: s.serve(s.passkeysPage)},
		{Method: "POST", Path: "/account/passkeys", Summary: "Start adding a passkey",
			Area: request.AreaSelf, Object: "self", Action: "write", Handler: s.serve(s.beginPasskey)},
		{Method: "POST", Path: "/account/passkeys/finish", Summary: "Keep a new passkey",
			Area: request.AreaSelf, Object: "self", Action: "write", Handler: s.serve(s.finishPasskey)},
		{Method: "POST", Path: "/account/passkeys/:id/remove", Summary: "Remove a passkey",
			Area: request.AreaSelf, Object: "self", Action: "write", Handler: s.serve(withID("id", "No such passkey.", s.removePasskey))},
		{Method: "POST", Path: "/signin/passkey", Summary: "Start signing in with a passkey",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.beginPasskeySignIn)},
		{Method: "POST", Path: "/signin/passkey/finish", Summary: "Sign in with a passkey",
			Area: request.AreaPublic, Public: true, Throttled: true, Handler: s.serve(s.finishPasskeySignIn)},
	}
}

// relyingParty is the platform as passkeys know it: the public address.
func (s *Site) relyingParty() (*identity.RelyingParty, error) {
	return identity.NewRelyingParty(s.d.Config.PublicURL)
}

type passkeysData struct {
	Passkeys []identity.Passkey
}

// ceremonyData is the page that asks the browser's authenticator.
type ceremonyData struct {
	SignIn    bool   // a sign-in (else adding a passkey)
	Options   string // the options for the browser, JSON
	Challenge string
	Tenant    string // the school's sign-in name (a sign-in)
	Next      string
}

var passkeyFlashes = map[string]string{
	"passkey-added":   "The passkey is added. Next time, sign in with it: no password or code needed.",
	"passkey-removed": "The passkey is removed. It no longer signs you in.",
}

func (s *Site) passkeysPage(c *gin.Context) (page, error) {
	return s.showPasskeys(c, view{Flash: passkeyFlashes[c.Query("done")]})
}

func (s *Site) showPasskeys(c *gin.Context, v view) (page, error) {
	keys, err := s.d.Identity.Passkeys(c.Request.Context(), request.Principal(c))
	if err != nil {
		return page{}, err
	}
	v.Title = "Passkeys"
	if v.Form == nil {
		v.Form = map[string]string{}
	}
	v.Fields = []string{"name"}
	v.Data = passkeysData{Passkeys: keys}
	if len(v.Errors) > 0 {
		return again("passkeys", v), nil
	}
	return show("passkeys", v), nil
}

func (s *Site) beginPasskey(c *gin.Context) (page, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return page{}, err
	}
	name := strings.TrimSpace(c.PostForm("name"))
	id, opts, err := s.d.Identity.BeginPasskey(c.Request.Context(), request.Principal(c), rp, name)
	fe, err := formOutcome(err, nil)
	if err != nil {
		return page{}, err
	}
	if len(fe) > 0 {
		return s.showPasskeys(c, view{Errors: fe, Form: map[string]string{"name": name}})
	}
	return show("passkey_ceremony", view{Title: "Add a passkey", Form: map[string]string{},
		Data: ceremonyData{Options: string(opts), Challenge: id.String()}}), nil
}

func (s *Site) finishPasskey(c *gin.Context) (page, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return page{}, err
	}
	id, err := uuid.Parse(c.PostForm("challenge"))
	if err != nil {
		return page{}, errs.New(errs.ErrConflict, "That took too long or was already used. Start again.")
	}
	err = s.d.Identity.FinishPasskey(c.Request.Context(), request.Principal(c), rp, id, c.PostForm("credential"), request.Client(c))
	return goTo("/account/passkeys?done=passkey-added"), err
}

func (s *Site) removePasskey(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Identity.RemovePasskey(c.Request.Context(), request.Principal(c), id)
	return goTo("/account/passkeys?done=passkey-removed"), err
}

func (s *Site) beginPasskeySignIn(c *gin.Context) (page, error) {
	slug := strings.TrimSpace(c.PostForm("tenant"))
	next := safeNext(c.PostForm("next"))
	if slug == "" || len(slug) > 254 {
		return again("signin", view{Title: "Sign in", Form: map[string]string{}, Fields: []string{"tenant"},
			Errors: map[string]string{"tenant": "Enter your school's sign-in name"}, Data: signinData{Next: next}}), nil
	}
	rp, err := s.relyingParty()
	if err != nil {
		return page{}, err
	}
	id, opts, err := s.d.Identity.BeginPasskeySignIn(c.Request.Context(), rp, slug)
	if status, msg, ok := signinProblem(err); ok {
		return page{status: status, name: "signin", view: view{Title: "Sign in", Form: map[string]string{"tenant": slug}, Data: signinData{Next: next, Problem: msg}}}, nil
	} else if err != nil {
		return page{}, err
	}
	return show("passkey_ceremony", view{Title: "Sign in with a passkey", Form: map[string]string{},
		Data: ceremonyData{SignIn: true, Options: string(opts), Challenge: id.String(), Tenant: slug, Next: next}}), nil
}

func (s *Site) finishPasskeySignIn(c *gin.Context) (page, error) {
	slug := strings.TrimSpace(c.PostForm("tenant"))
	next := safeNext(c.PostForm("next"))
	rp, err := s.relyingParty()
	if err != nil {
		return page{}, err
	}
	id, perr := uuid.Parse(c.PostForm("challenge"))
	var iss identity.Issued
	var p identity.Person
	if perr != nil {
		err = errs.ErrUnauthenticated
	} else {
		iss, p, err = s.d.Identity.PasskeySignIn(c.Request.Context(), rp, slug, id, c.PostForm("credential"), request.Client(c))
	}
	if errors.Is(err, errs.ErrForbidden) && errs.Public(err) != "" {
		return page{status: http.StatusForbidden, name: "signin", view: view{Title: "Sign in", Form: map[string]string{"tenant": slug}, Data: signinData{Next: next, Problem: errs.Public(err)}}}, nil
	}
	if status, _, ok := signinProblem(err); ok {
		return page{status: status, name: "signin", view: view{Title: "Sign in", Form: map[string]string{"tenant": slug},
			Data: signinData{Next: next, Problem: "That passkey did not sign you in. Try again, or sign in with your username and password."}}}, nil
	} else if err != nil {
		return page{}, err
	}
	request.SetSessionCookie(c, iss.Secret, !s.d.Config.IsDev())
	if next == "" {
		slug, err := s.d.Tenants.SlugOf(c.Request.Context(), p.TenantID)
		if err != nil {
			return page{}, err
		}
		next = "/t/" + slug
	}
	return goTo(next), nil
}
