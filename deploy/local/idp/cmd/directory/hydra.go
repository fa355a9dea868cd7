package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// hydraAdminClient speaks to the few endpoints of Hydra's admin API a login
// and consent app needs.
type hydraAdminClient struct {
	base string
	http *http.Client
}

type loginRequest struct {
	Challenge string `json:"challenge"`
	Skip      bool   `json:"skip"`
	Subject   string `json:"subject"`
}

type consentRequest struct {
	Challenge                    string          `json:"challenge"`
	Subject                      string          `json:"subject"`
	RequestedScope               []string        `json:"requested_scope"`
	RequestedAccessTokenAudience []string        `json:"requested_access_token_audience"`
	Context                      json.RawMessage `json:"context"`
}

type redirect struct {
	RedirectTo string `json:"redirect_to"`
}

func (h *hydraAdminClient) loginRequest(ctx context.Context, challenge string) (loginRequest, error) {
	var out loginRequest
	err := h.do(ctx, http.MethodGet, "/admin/oauth2/auth/requests/login", "login_challenge", challenge, nil, &out)
	return out, err
}

// acceptLogin tells Hydra who signed in; ctxData travels to the consent
// request, so the claims are those of the sign-in even if the user changes.
func (h *hydraAdminClient) acceptLogin(ctx context.Context, challenge, subject string, ctxData any) (string, error) {
	var out redirect
	body := map[string]any{"subject": subject, "remember": false, "context": ctxData}
	err := h.do(ctx, http.MethodPut, "/admin/oauth2/auth/requests/login/accept", "login_challenge", challenge, body, &out)
	return out.RedirectTo, err
}

func (h *hydraAdminClient) consentRequest(ctx context.Context, challenge string) (consentRequest, error) {
	var out consentRequest
	err := h.do(ctx, http.MethodGet, "/admin/oauth2/auth/requests/consent", "consent_challenge", challenge, nil, &out)
	return out, err
}

func (h *hydraAdminClient) acceptConsent(ctx context.Context, req consentRequest, idToken map[string]any) (string, error) {
	var out redirect
	scope, aud := req.RequestedScope, req.RequestedAccessTokenAudience
	if scope == nil {
		scope = []string{}
	}
	if aud == nil {
		aud = []string{}
	}
	body := map[string]any{
		"grant_scope":                 scope,
		"grant_access_token_audience": aud,
		"remember":                    false,
		"session":                     map[string]any{"id_token": idToken},
	}
	err := h.do(ctx, http.MethodPut, "/admin/oauth2/auth/requests/consent/accept", "consent_challenge", req.Challenge, body, &out)
	return out.RedirectTo, err
}

func (h *hydraAdminClient) do(ctx context.Context, method, path, param, challenge string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s body: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	u := h.base + path + "?" + url.Values{param: {challenge}}.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("hydra %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return fmt.Errorf("hydra %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("hydra %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("hydra %s %s: decode answer: %w", method, path, err)
	}
	return nil
}
