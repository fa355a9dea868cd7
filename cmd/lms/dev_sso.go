package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/identity"
)

// The demo school's sign-in with "Microsoft": the local OpenID provider
// (ORY Hydra and its directory, started by deploy/local/services.sh) plays
// a school's Entra ID, whose seed account ada.entra is Ada Lovelace of the
// contoso.example directory.
const (
	demoClientID     = "lms-demo"
	demoClientSecret = "lms-demo-client-secret"
	demoDirectory    = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	demoSSOEmail     = "ada.lovelace@contoso.example"
)

// seedSSO connects Oakfield to the local OpenID provider when one runs
// (LMS_TEST_OIDC_*), so a newcomer can try "Sign in with your school
// account" as Ada. Nothing happens without it; a provider the school
// already has is left alone.
func seedSSO(ctx context.Context, a *app.App, tenant uuid.UUID, publicURL string) error {
	issuer, admin := os.Getenv("LMS_TEST_OIDC_ISSUER"), os.Getenv("LMS_TEST_OIDC_ADMIN_URL")
	if issuer == "" || admin == "" {
		return nil
	}
	callback := publicURL + "/signin/sso/oakfield-primary/callback"
	if err := ensureDemoClient(ctx, admin, callback); err != nil {
		return fmt.Errorf("demo sign-in client at %s: %w", admin, err)
	}
	var head uuid.UUID
	err := access.Transact(ctx, a.DB, access.System(tenant, "demo-seed"), func(tx *gorm.DB) error {
		p, err := identity.FindByUsernameTx(tx, "head@oakfield.example")
		head = p.ID
		return err
	})
	if err != nil {
		return err
	}
	sc := access.Member(tenant, head)
	if ps, err := a.Identity.Providers(ctx, sc); err != nil || len(ps) > 0 {
		return err
	}
	if _, err := a.Identity.FindByUsername(ctx, sc, "ada.lovelace"); err != nil {
		email := demoSSOEmail
		if _, err := a.Identity.CreatePerson(ctx, sc, identity.NewPerson{Username: "ada.lovelace", DisplayName: "Ada Lovelace",
			Email: &email, Role: identity.RoleLearner}); err != nil {
			return fmt.Errorf("demo: Ada: %w", err)
		}
	}
	_, err = a.Identity.ConnectProvider(ctx, sc, identity.NewProvider{Kind: identity.ProviderOIDC, Issuer: issuer,
		DirectoryID: demoDirectory, ClientID: demoClientID, ClientSecret: demoClientSecret, Domains: "contoso.example"})
	if err == nil {
		fmt.Println("demo: oakfield-primary signs in with the local OpenID provider too (ada.entra / entra-password-1)")
	}
	return err
}

// ensureDemoClient registers the demo client with Hydra, which keeps its
// clients in memory and forgets them when it restarts.
func ensureDemoClient(ctx context.Context, admin, callback string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	base := strings.TrimSuffix(admin, "/") + "/admin/clients"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+demoClientID, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"client_id": demoClientID, "client_secret": demoClientSecret, "client_name": "LMS demo",
		"redirect_uris": []string{callback}, "grant_types": []string{"authorization_code"}, "response_types": []string{"code"},
		"scope": "openid email profile", "token_endpoint_auth_method": "client_secret_basic"})
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("register client: %s", resp.Status)
	}
	return nil
}
