// Package idptest gives tests the real identity providers that
// deploy/local/services.sh starts (and `make test` runs first): ORY Hydra as
// an OpenID Connect provider, with a small login-and-consent app (the
// "school directory", deploy/local/idp/cmd/directory) holding the users, and
// crewjam/saml's samlidp as a SAML 2.0 identity provider.
//
// Nothing here imitates a provider: the functions register clients, service
// providers and users in the running ones through their admin APIs, and
// remove them when the test ends. They read the addresses from the
// environment (.data/env):
//
//	LMS_TEST_OIDC_ISSUER         Hydra's issuer (its public URL, trailing slash included)
//	LMS_TEST_OIDC_ADMIN_URL      Hydra's admin API
//	LMS_TEST_OIDC_DIRECTORY_URL  the directory app (login form and user API)
//	LMS_TEST_SAML_IDP_URL        samlidp (metadata at /metadata)
package idptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

const startHint = "run `deploy/local/services.sh up` (or `make services`) and source .data/env"

// env returns the variable or fails the test naming what to run.
func env(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("idptest: %s is not set; %s", name, startHint)
	}
	return v
}

// probe fails the test unless GET url answers 2xx.
func probe(t testing.TB, what, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("idptest: %s at %s: %v", what, url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("idptest: %s does not answer at %s (%v); %s", what, url, err, startHint)
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("idptest: %s at %s answers %s; %s", what, url, resp.Status, startHint)
	}
}

// call sends body (JSON unless it is []byte) and decodes a JSON answer into
// out (if not nil). It returns the status for callers that accept a 404.
func call(ctx context.Context, method, url string, body, out any) (int, error) {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, contentType = bytes.NewReader(b), "application/xml"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, url, err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, url, err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, bytes.TrimSpace(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode answer: %w", method, url, err)
		}
	}
	return resp.StatusCode, nil
}

// cleanup runs fn when the test ends, reporting (not failing on) a 404:
// the test may have removed the thing itself.
func cleanup(t testing.TB, method, url string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if status, err := call(ctx, method, url, nil, nil); err != nil && status != http.StatusNotFound {
			t.Errorf("idptest: clean up: %v", err)
		}
	})
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("idptest: random: %v", err)
	}
	return hex.EncodeToString(b)
}

func trimSlash(s string) string { return strings.TrimSuffix(s, "/") }
