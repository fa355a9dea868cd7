package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// maxBody caps JSON request bodies; file uploads have their own route.
const maxBody = 1 << 20

// validate checks `binding:` tags and names fields by their JSON names,
// as the client sent them. Made once and never changed.
var validate = func() *validator.Validate {
	v := validator.New()
	v.SetTagName("binding")
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}()

// validStruct validates dst when it is (a pointer to) a struct.
func validStruct(dst any) error {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return validate.Struct(dst)
}

// BindJSON decodes and validates the body into dst, returning field errors.
// Only application/json is accepted, which also keeps cross-site HTML forms
// from reaching the API. The body must be valid UTF-8, one JSON value, with
// no NUL characters (PostgreSQL text cannot hold them) and no unknown fields.
func BindJSON(c *gin.Context, dst any) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/json" {
		return errs.Field("body", "send application/json")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errs.Field("body", "is larger than %d bytes", maxBody)
	case err != nil:
		return errs.Field("body", "could not be read")
	case len(bytes.TrimSpace(raw)) == 0:
		return errs.Field("body", "is empty")
	case !utf8.Valid(raw):
		return errs.Field("body", "is not valid UTF-8")
	case bytes.Contains(raw, []byte(`\u0000`)):
		return errs.Field("body", "must not contain NUL characters")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil && dec.More() {
		return errs.Field("body", "must be a single JSON value")
	}
	if err == nil {
		err = validStruct(dst)
	}
	if err == nil {
		return nil
	}
	var fe errs.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	var ve validator.ValidationErrors
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ve):
		var fe errs.FieldErrors
		for _, e := range ve {
			fe.Add(fieldPath(e), "%s", describe(e))
		}
		return fe
	case errors.As(err, &te):
		return errs.Field(te.Field, "must be %s", te.Type.String())
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Field("body", "is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errs.Field(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a known field")
	}
	if field, msg, ok := culprit(raw, dst); ok {
		return errs.Field(field, "is not valid: %s", msg)
	}
	return errs.Field("body", "%s", err.Error())
}

// culprit finds which top-level field of a JSON object failed to decode
// into dst's struct, for errors the decoder does not place (a value's own
// UnmarshalText or UnmarshalJSON failing: a bad UUID, a bad time).
func culprit(raw []byte, dst any) (string, string, bool) {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var fields map[string]json.RawMessage
	if t == nil || t.Kind() != reflect.Struct || json.Unmarshal(raw, &fields) != nil {
		return "", "", false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		v, given := fields[name]
		if !given {
			continue
		}
		if err := json.Unmarshal(v, reflect.New(f.Type).Interface()); err != nil {
			return name, err.Error(), true
		}
	}
	return "", "", false
}

func fieldPath(e validator.FieldError) string {
	ns := e.Namespace()
	if i := strings.IndexByte(ns, '.'); i >= 0 {
		return ns[i+1:]
	}
	return e.Field()
}

func describe(e validator.FieldError) string {
	switch e.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an e-mail address"
	case "min", "max":
		word := map[string]string{"min": "at least", "max": "at most"}[e.Tag()]
		if k := e.Kind(); k == reflect.String {
			return "must be " + word + " " + e.Param() + " characters"
		}
		return "must be " + word + " " + e.Param()
	case "oneof":
		return "must be one of: " + e.Param()
	}
	return fmt.Sprintf("fails %s", e.Tag())
}

// pathID parses a UUID path parameter; a malformed id is simply not found.
func PathID(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, errs.New(errs.ErrNotFound, "%s %q", name, c.Param(name))
	}
	return id, nil
}

// pathIDs reads several uuid path segments, answering not found for the
// first that is not one.
func PathIDs(c *gin.Context, names ...string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(names))
	for i, n := range names {
		id, err := PathID(c, n)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// parseID reads an id given in a body field, or says which field is wrong.
func ParseID(field, v string) (uuid.UUID, error) {
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, errs.Field(field, "is not an id")
	}
	return id, nil
}
