// Command samlidp is the SAML 2.0 identity provider the LMS's tests sign in
// with: crewjam/saml's samlidp package (a real IdP: signed assertions, its
// own login form, metadata) with an in-memory store, started by
// deploy/local/services.sh.
//
// Tests register service providers and users through the package's own
// admin API: PUT /services/{id} with the SP's metadata XML, PUT /users/{name}
// with JSON ({"password", "email", "common_name", "given_name", "surname",
// "groups"}), DELETE to remove them. The metadata is at /metadata.
//
// The admin API is unauthenticated, so the server listens on loopback only.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/crewjam/saml/samlidp"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:4460", "address to listen on")
	base := flag.String("url", "", "public base URL of the IdP (default http://<listen>)")
	dir := flag.String("dir", ".", "directory holding the signing key and certificate (made on first start)")
	flag.Parse()
	if err := run(*addr, *base, *dir); err != nil {
		log.Fatalf("samlidp: %v", err)
	}
}

func run(addr, base, dir string) error {
	if base == "" {
		base = "http://" + addr
	}
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("parse -url: %w", err)
	}
	key, cert, err := loadOrMakeKey(dir, u.Hostname())
	if err != nil {
		return err
	}
	srv, err := samlidp.New(samlidp.Options{
		URL:         *u,
		Key:         key,
		Signer:      key,
		Certificate: cert,
		Store:       &samlidp.MemoryStore{},
		// The package's own form has no labels; browser tests find the
		// fields by their labels, as people do.
		LoginFormTemplate: loginForm,
	})
	if err != nil {
		return fmt.Errorf("new IdP: %w", err)
	}
	log.Printf("samlidp: listening on %s, metadata %s/metadata", addr, base)
	hs := &http.Server{Addr: addr, Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	return hs.ListenAndServe()
}

// loginForm has the fields of samlidp's default form (user, password and the
// hidden SAMLRequest and RelayState) with labels and a "Sign in" button.
var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to the SAML identity provider</title></head>
<body>
<main>
<h1>Sign in to the SAML identity provider</h1>
{{if .Toast}}<p role="alert">{{.Toast}}</p>{{end}}
<form method="post" action="{{.URL}}">
<p><label for="user">Username</label>
<input id="user" name="user" autocomplete="username" required></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<input type="hidden" name="SAMLRequest" value="{{.SAMLRequest}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">
<p><button type="submit">Sign in</button></p>
</form>
</main>
</body>
</html>
`))

// loadOrMakeKey reads key.pem and cert.pem from dir, or makes a 2048-bit RSA
// key and a ten-year self-signed certificate there. Keeping them across
// restarts keeps the metadata (and so anything that cached it) valid.
func loadOrMakeKey(dir, host string) (*rsa.PrivateKey, *x509.Certificate, error) {
	keyFile, certFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	key, cert, err := loadKey(keyFile, certFile)
	if err == nil {
		return key, cert, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("make %s: %w", dir, err)
	}
	key, err = rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, fmt.Errorf("serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host, Organization: []string{"LMS test SAML IdP"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("self-sign certificate: %w", err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		return nil, nil, fmt.Errorf("parse certificate: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return nil, nil, fmt.Errorf("write key: %w", err)
	}
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		return nil, nil, fmt.Errorf("write certificate: %w", err)
	}
	log.Printf("samlidp: made a new signing key and certificate in %s", dir)
	return key, cert, nil
}

func loadKey(keyFile, certFile string) (*rsa.PrivateKey, *x509.Certificate, error) {
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, err
	}
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return nil, nil, fmt.Errorf("%s or %s is not PEM; remove both to make new ones", keyFile, certFile)
	}
	key, err := x509.ParsePKCS1PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", keyFile, err)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", certFile, err)
	}
	return key, cert, nil
}
