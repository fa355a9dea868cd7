package main

import (
	"encoding/json"
	"html/template"
	"log"
	"net/http"
)

type app struct {
	users *directory
	hydra *hydraAdminClient
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /login", a.showLogin)
	mux.HandleFunc("POST /login", a.submitLogin)
	mux.HandleFunc("GET /consent", a.consent)
	mux.HandleFunc("PUT /users/{username}", a.putUser)
	mux.HandleFunc("GET /users/{username}", a.getUser)
	mux.HandleFunc("DELETE /users/{username}", a.deleteUser)
	return mux
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to the school directory</title></head>
<body>
<main>
<h1>Sign in to the school directory</h1>
{{if .Error}}<p role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="login_challenge" value="{{.Challenge}}">
<p><label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="{{.Username}}" required></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</main>
</body>
</html>
`))

type loginView struct {
	Challenge, Username, Error string
}

func (a *app) showLogin(w http.ResponseWriter, r *http.Request) {
	challenge := r.URL.Query().Get("login_challenge")
	if challenge == "" {
		http.Error(w, "missing login_challenge", http.StatusBadRequest)
		return
	}
	lr, err := a.hydra.loginRequest(r.Context(), challenge)
	if err != nil {
		a.fail(w, err)
		return
	}
	// Hydra already knows who this is (an earlier remembered sign-in): say yes.
	if lr.Skip {
		name, u, ok := a.users.bySubject(lr.Subject)
		if ok {
			a.acceptLogin(w, r, challenge, name, u)
			return
		}
	}
	render(w, http.StatusOK, loginView{Challenge: challenge})
}

func (a *app) submitLogin(w http.ResponseWriter, r *http.Request) {
	challenge, name, password := r.PostFormValue("login_challenge"), r.PostFormValue("username"), r.PostFormValue("password")
	if challenge == "" {
		http.Error(w, "missing login_challenge", http.StatusBadRequest)
		return
	}
	u, ok := a.users.check(name, password)
	if !ok {
		render(w, http.StatusOK, loginView{Challenge: challenge, Username: name, Error: "The username or password is not right."})
		return
	}
	a.acceptLogin(w, r, challenge, name, u)
}

func (a *app) acceptLogin(w http.ResponseWriter, r *http.Request, challenge, name string, u user) {
	to, err := a.hydra.acceptLogin(r.Context(), challenge, u.subject(name), map[string]any{"id_token": u.idTokenClaims()})
	if err != nil {
		a.fail(w, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// consent grants at once what the client asked for, and puts the user's
// claims (from the login's context) into the ID token.
func (a *app) consent(w http.ResponseWriter, r *http.Request) {
	challenge := r.URL.Query().Get("consent_challenge")
	if challenge == "" {
		http.Error(w, "missing consent_challenge", http.StatusBadRequest)
		return
	}
	cr, err := a.hydra.consentRequest(r.Context(), challenge)
	if err != nil {
		a.fail(w, err)
		return
	}
	var ctxData struct {
		IDToken map[string]any `json:"id_token"`
	}
	if len(cr.Context) > 0 {
		_ = json.Unmarshal(cr.Context, &ctxData)
	}
	if ctxData.IDToken == nil {
		if _, u, ok := a.users.bySubject(cr.Subject); ok {
			ctxData.IDToken = u.idTokenClaims()
		}
	}
	if ctxData.IDToken == nil {
		ctxData.IDToken = map[string]any{}
	}
	to, err := a.hydra.acceptConsent(r.Context(), cr, ctxData.IDToken)
	if err != nil {
		a.fail(w, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func (a *app) putUser(w http.ResponseWriter, r *http.Request) {
	var u user
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&u); err != nil {
		http.Error(w, "body is not a user: "+err.Error(), http.StatusBadRequest)
		return
	}
	a.users.put(r.PathValue("username"), u)
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) getUser(w http.ResponseWriter, r *http.Request) {
	u, ok := a.users.get(r.PathValue("username"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(u)
}

func (a *app) deleteUser(w http.ResponseWriter, r *http.Request) {
	if !a.users.remove(r.PathValue("username")) {
		http.NotFound(w, r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) fail(w http.ResponseWriter, err error) {
	log.Printf("directory: %v", err)
	http.Error(w, err.Error(), http.StatusBadGateway)
}

func render(w http.ResponseWriter, status int, v loginView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := loginPage.Execute(w, v); err != nil {
		log.Printf("directory: render login page: %v", err)
	}
}
