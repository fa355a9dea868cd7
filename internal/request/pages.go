package request

import (
	"crypto/subtle"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/access"
)

const (
	ctxPage      = "page"
	ctxMultipart = "multipart"
	// CSRFField is the form field that carries the session's CSRF token;
	// in a multipart form it must be the first part.
	CSRFField = "csrf_token"
)

// markPage makes errors on this route render as pages and sets the pages'
// Content-Security-Policy: scripts and styles only from this origin, media
// and images (photos) also from the object store that presigned links
// point at, and frames only from the video players a course page may embed
// (the same hosts the page sanitiser keeps).
func (k *Kernel) markPage(c *gin.Context) {
	c.Set(ctxPage, k.pages)
	c.Header("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "+k.storeOrigin()+"; media-src 'self' "+k.storeOrigin()+
		"; frame-src https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com"+
		"; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	// Same-origin referrers let browsers send a real Origin on the pages'
	// own forms (with no-referrer they send "null"); other sites get none.
	c.Header("Referrer-Policy", "same-origin")
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead && !sameOrigin(c.Request) && !k.crossSite[c.FullPath()] {
		problem(c, http.StatusForbidden, "csrf", "This form was sent from another site. Open the page again and resend it.")
		return
	}
	if status, detail := plainForm(c, k.uploads[c.FullPath()]); status != 0 {
		problem(c, status, "invalid-input", detail)
		return
	}
	c.Next()
}

// plainForm checks a urlencoded form once for every page: too large a body
// is 413, and a value that is not UTF-8 text or holds a NUL is 400, so no
// handler passes bytes to PostgreSQL that it would refuse (a 500). Uploads
// (multipart) are streamed and checked by their handlers.
func plainForm(c *gin.Context, upload bool) (int, string) {
	if c.Request.Method != http.MethodPost {
		return 0, ""
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch {
	case ct == "multipart/form-data" && upload:
		return 0, "" // streamed and checked by the route's handler
	case ct == "multipart/form-data":
		return http.StatusUnsupportedMediaType, "This form is sent as a plain form. Open the page again and send it from there."
	case ct != "application/x-www-form-urlencoded":
		return 0, ""
	}
	if err := c.Request.ParseForm(); err != nil {
		return http.StatusRequestEntityTooLarge, "What you sent is too large or malformed. Shorten it and try again."
	}
	for _, vs := range c.Request.PostForm {
		for _, v := range vs {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return http.StatusBadRequest, "Some of what you entered is not plain text (it holds bytes that are not characters). Retype it and send the form again."
			}
		}
	}
	return 0, ""
}

// storeOrigin is where presigned links lead, for media-src and img-src:
// the endpoint itself with path-style addressing, its subdomains (one per
// bucket, as AWS names them) with virtual-hosted addressing.
func (k *Kernel) storeOrigin() string {
	u, err := url.Parse(k.Config.S3Endpoint)
	if err != nil || u.Host == "" {
		return "'none'"
	}
	if !k.Config.S3PathStyle {
		return u.Scheme + "://*." + u.Host
	}
	return u.Scheme + "://" + u.Host
}

// sameOrigin refuses a form posted from another site, including before a
// session exists (sign-in): browsers send Origin on every POST, and
// Sec-Fetch-Site where they support it. A client that sends neither is not
// a browser and is not riding anyone's cookie.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if o == "null" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// pageProblem renders an error on a page route; signed-out callers are sent
// to the sign-in page instead.
func pageProblem(c *gin.Context, pg Pages, status int, detail string) {
	if status == http.StatusUnauthorized {
		to := "/signin"
		if strings.HasPrefix(c.Request.URL.Path, "/platform") {
			to = "/staff/signin"
		}
		if c.Request.Method == http.MethodGet {
			to += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
		}
		c.Redirect(http.StatusSeeOther, to)
		c.Abort()
		return
	}
	pg.Error(c, status, detail)
	c.Abort()
}

// asPage reports the page renderer when c is a page route.
func asPage(c *gin.Context) (Pages, bool) {
	v, ok := c.Get(ctxPage)
	if !ok {
		return nil, false
	}
	pg, ok := v.(Pages)
	return pg, ok && pg != nil
}

// pageCSRF checks the token a page form carries: a urlencoded field, or the
// first part of a multipart form (so an upload is checked before a byte of
// the file is read; the handler continues with MultipartOf).
func pageCSRF(c *gin.Context, want string) bool {
	ct, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var got string
	switch ct {
	case "application/x-www-form-urlencoded":
		got = c.PostForm(CSRFField)
	case "multipart/form-data":
		mr := multipart.NewReader(c.Request.Body, params["boundary"])
		part, err := mr.NextPart()
		if err != nil || part.FormName() != CSRFField {
			return false
		}
		b, err := io.ReadAll(io.LimitReader(part, 256))
		if err != nil {
			return false
		}
		got = string(b)
		c.Set(ctxMultipart, mr)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// MultipartOf is the rest of a page's multipart form after its CSRF part
// (the whole form when the token came in the X-CSRF-Token header), or nil
// when the request was not multipart.
func MultipartOf(c *gin.Context) *multipart.Reader {
	if v, ok := c.Get(ctxMultipart); ok {
		mr, _ := v.(*multipart.Reader)
		return mr
	}
	ct, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct != "multipart/form-data" || params["boundary"] == "" {
		return nil
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	c.Set(ctxMultipart, mr)
	return mr
}

// ReadingScope is the scope processor staff read a tenant under (a support
// grant or legal order), when this request has one.
func ReadingScope(c *gin.Context) (access.Scope, bool) {
	v, ok := c.Get(ctxScope)
	if !ok {
		return access.Scope{}, false
	}
	sc, ok := v.(access.Scope)
	return sc, ok && sc.Reader()
}

// SetSessionCookie sets the session cookie after a sign-in (an empty
// secret removes it). secure: outside dev, HTTPS only.
func SetSessionCookie(c *gin.Context, secret string, secure bool) {
	age := 0
	if secret == "" {
		age = -1
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(SessionCookie, secret, age, "/", "", secure, true)
}
