package request

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/idempotency"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Idempotency-Key on creates: a POST sent again with the same key by the
// same caller (a retry after a timeout) gets the first answer back,
// status, body and Location, for 24 hours, and creates nothing more. The
// same key with a different request (body, route or ids) is 422; while
// the first request with a key still runs, a second is 409 with
// Retry-After (the retry then gets the answer). Only a success is kept: a
// request that failed changed nothing, so its key is let go and a retry
// runs again. The keys and answers live in a tenant table
// (internal/idempotency).
//
// Taken by API POST routes of a tenant with a JSON body. Refused (400,
// never silently ignored) elsewhere: platform and account routes have no
// tenant to keep the answer in (the platform's creates are operators' own
// actions, and tenant creation is already an upsert by slug); an upload's
// body is streamed to storage, not held to be compared; and a route whose
// answer holds a secret shown once (a token) would have the table keep
// that secret.

// idempotentWhyNot is why rt does not take Idempotency-Key ("" when it does).
func idempotentWhyNot(rt Route) string {
	switch {
	case rt.Method != http.MethodPost || rt.API == nil || rt.Page:
		return "only API creates (POST) take it"
	case rt.Area != AreaTenant:
		return "only a school's routes (/api/v1/t/{tenant}/…) keep answers for replay"
	case rt.Upload:
		return "an upload's body is streamed, not kept to compare with a retry"
	case holdsSecret(rt.Reply):
		return "its answer holds a secret shown only once, which is never kept for replay"
	}
	return ""
}

// holdsSecret reports whether a reply prototype has a JSON field that
// carries a credential (a token or client secret shown once).
func holdsSecret(proto any) bool {
	return HasJSONField(proto, "secret", "client_secret", "token", "access_token", "password")
}

// HasJSONField reports whether the JSON of a prototype (a struct, or a
// pointer to one) has a member named one of names (case-insensitive), its
// own or an embedded struct's.
func HasJSONField(proto any, names ...string) bool { return jsonField(reflect.TypeOf(proto), names) }

func jsonField(t reflect.Type, names []string) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" && f.Anonymous { // its fields are the reply's own
			if jsonField(f.Type, names) {
				return true
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		for _, n := range names {
			if strings.EqualFold(name, n) {
				return true
			}
		}
	}
	return false
}

// idempotent answers a POST that carries Idempotency-Key from the key's
// first answer, or runs it and keeps its answer.
func (k *Kernel) idempotent(rt Route) gin.HandlerFunc {
	whyNot := idempotentWhyNot(rt)
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		switch {
		case key == "":
			c.Next()
			return
		case whyNot != "":
			Fail(c, errs.Field("Idempotency-Key", "is not taken by this route: %s", whyNot))
			return
		case !visibleASCII(key, 255):
			Fail(c, errs.Field("Idempotency-Key", "must be 1 to 255 visible ASCII characters (a UUID is a good key)"))
			return
		}
		// Hold the body to hash it, and hand the handler the same bytes
		// (BindJSON still refuses one over its limit: the rest follows).
		raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
		if err != nil {
			Fail(c, errs.Field("body", "could not be read"))
			return
		}
		c.Request.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(raw), c.Request.Body), c.Request.Body}
		h := sha256.New()
		_, _ = io.WriteString(h, resourceKey(c, rt)+"\n"+c.Request.URL.RawQuery+"\n")
		_, _ = h.Write(raw)
		ik := idempotency.Key{Tenant: Tenant(c), Principal: Principal(c).Subject(), Key: key, Hash: h.Sum(nil)}
		k.keyed(c, ik)
	}
}

// keyed runs or answers the request of ik.
func (k *Kernel) keyed(c *gin.Context, ik idempotency.Key) {
	ctx := c.Request.Context()
	st, ans, err := k.conv.replies.Begin(ctx, ik)
	switch {
	case err != nil:
		Fail(c, err)
		return
	case st == idempotency.Replay:
		if ans.Location != "" {
			c.Header("Location", ans.Location)
		}
		c.Header("Idempotent-Replayed", "true")
		c.Data(ans.Status, ans.ContentType, ans.Body)
		c.Abort()
		return
	case st == idempotency.Running:
		c.Header("Retry-After", "1")
		problem(c, http.StatusConflict, "conflict", "A request with this Idempotency-Key is still being answered. Send it again in a moment to get its answer.")
		return
	case st == idempotency.Mismatch:
		problem(c, http.StatusUnprocessableEntity, "unprocessable", "This Idempotency-Key was already used for a different request (another body, address or ids). Use a new key for a new request.")
		return
	}
	rec := &recorder{ResponseWriter: c.Writer}
	c.Writer = rec
	kept := false
	defer func() {
		c.Writer = rec.ResponseWriter
		if kept {
			return
		}
		// Failed (or panicked): nothing was made, so a retry runs again.
		if err := k.conv.replies.Release(context.WithoutCancel(ctx), ik); err != nil {
			slog.WarnContext(ctx, "idempotency key not let go; it frees itself later", "err", err)
		}
	}()
	c.Next()
	if s := rec.Status(); s >= 200 && s < 300 {
		ans := idempotency.Answer{Status: s, Location: rec.Header().Get("Location"),
			ContentType: rec.Header().Get("Content-Type"), Body: rec.body.Bytes()}
		// The key is not let go even when keeping the answer fails: the
		// thing was made, and a retry had better wait (409, then after
		// Abandoned run again) than make a second one at once. Logged, as
		// the client, already answered, cannot be told.
		kept = true
		if err := k.conv.replies.Finish(context.WithoutCancel(ctx), ik, ans); err != nil {
			slog.ErrorContext(ctx, "idempotency answer not kept", "err", err)
		}
	}
}

// recorder keeps a copy of the body written through it.
type recorder struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) WriteString(s string) (int, error) {
	r.body.WriteString(s)
	return r.ResponseWriter.WriteString(s)
}

// visibleASCII reports whether s is 1 to max printable ASCII characters
// (no spaces or controls), safe to store and compare as it is.
func visibleASCII(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
