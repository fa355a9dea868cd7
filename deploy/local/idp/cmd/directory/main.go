// Command directory is the "school directory" behind the test OpenID
// provider (ORY Hydra): Hydra has no users of its own and sends browsers to a
// login and a consent app; this is that app. It keeps its users in memory
// (seeded from users.json, which looks like Entra ID and Google Workspace
// accounts), shows a plain sign-in form, and tells Hydra's admin API who
// signed in and which claims go into the ID token.
//
// Tests change the users through a JSON admin API:
//
//	PUT    /users/{username}  {"password": "...", "claims": {"sub": "...", "email": "...", ...}}
//	DELETE /users/{username}
//	GET    /users/{username}
//	GET    /healthz
//
// The API is unauthenticated, so the server listens on loopback only.
package main

import (
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

//go:embed users.json
var seedUsers []byte

func main() {
	addr := flag.String("listen", "127.0.0.1:4446", "address to listen on")
	hydraAdmin := flag.String("hydra-admin", "http://127.0.0.1:4445", "Hydra's admin URL")
	usersFile := flag.String("users", "", "JSON file of seed users (default: the built-in users.json)")
	flag.Parse()
	if err := run(*addr, *hydraAdmin, *usersFile); err != nil {
		log.Fatalf("directory: %v", err)
	}
}

func run(addr, hydraAdmin, usersFile string) error {
	seed := seedUsers
	if usersFile != "" {
		b, err := os.ReadFile(usersFile)
		if err != nil {
			return fmt.Errorf("read seed users: %w", err)
		}
		seed = b
	}
	users := newDirectory()
	if err := users.seed(seed); err != nil {
		return err
	}
	app := &app{
		users: users,
		hydra: &hydraAdminClient{base: strings.TrimSuffix(hydraAdmin, "/"), http: &http.Client{Timeout: 15 * time.Second}},
	}
	log.Printf("directory: listening on %s (Hydra admin %s)", addr, hydraAdmin)
	hs := &http.Server{Addr: addr, Handler: app.routes(), ReadHeaderTimeout: 10 * time.Second}
	return hs.ListenAndServe()
}

// user is one person of the directory.
type user struct {
	Password string         `json:"password"`
	Claims   map[string]any `json:"claims"`
}

// subject is what Hydra knows the user by: claims.sub, else the username.
func (u user) subject(username string) string {
	if s, ok := u.Claims["sub"].(string); ok && s != "" {
		return s
	}
	return username
}

// idTokenClaims are the claims Hydra adds to the ID token: all but sub, which
// Hydra sets itself from the login's subject.
func (u user) idTokenClaims() map[string]any {
	out := make(map[string]any, len(u.Claims))
	for k, v := range u.Claims {
		if k != "sub" {
			out[k] = v
		}
	}
	return out
}

func decodeUsers(b []byte) (map[string]user, error) {
	var m map[string]user
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode users: %w", err)
	}
	return m, nil
}
