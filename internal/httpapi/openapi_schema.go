package httpapi

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/swaggest/jsonschema-go"

	"github.com/schoolcloud/lms/internal/processor/tenant"
)

const componentSchemas = "#/components/schemas/"

// schemas reflects the route table's Go types into the document's named
// component schemas with swaggest/jsonschema-go. The Go type is the
// contract: a field without omitempty is required (unless its binding tag
// says omitempty: a body may leave it out), a pointer may be null,
// a slice or map is always sent (the API writes [] and {}, never null),
// gin's binding tags give lengths, ranges, e-mail and oneof enums, and a
// typed string's Enum method gives its values.
type schemas struct {
	r     jsonschema.Reflector
	defs  map[string]map[string]any
	names map[reflect.Type]string
	taken map[string]reflect.Type
}

func newSchemas() *schemas {
	s := &schemas{defs: map[string]map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
	s.r.AddTypeMapping(tenant.Date{}, jsonschema.Date{})
	s.r.InlineDefinition(uuid.UUID{})
	return s
}

// ref is the schema of v's type: a $ref to its named component, or an
// inline schema for slices, maps and unnamed types.
func (s *schemas) ref(v any) (map[string]any, error) {
	var collectErr error
	sc, err := s.r.Reflect(v,
		jsonschema.RootRef,
		jsonschema.DefinitionsPrefix(componentSchemas),
		jsonschema.CollectDefinitions(func(name string, d jsonschema.Schema) {
			m, err := d.ToSchemaOrBool().ToSimpleMap()
			if err != nil {
				collectErr = err
			}
			s.defs[name] = m
		}),
		jsonschema.InterceptDefName(s.defName),
		jsonschema.InterceptProp(fieldRules),
		jsonschema.InterceptNullability(neverNullCollections),
	)
	if err != nil {
		return nil, fmt.Errorf("reflect %T: %w", v, err)
	}
	if collectErr != nil {
		return nil, collectErr
	}
	sc.Definitions = nil
	return sc.ToSchemaOrBool().ToSimpleMap()
}

// defName names a component after its Go type ("Person"); a generic page
// after its items ("PersonPage"); the package's name comes first only when
// two packages have a type of the same name ("CourseSummary").
func (s *schemas) defName(t reflect.Type, def string) string {
	if n, ok := s.names[t]; ok {
		return n
	}
	n := t.Name()
	if i := strings.IndexByte(n, '['); i >= 0 && t.Kind() == reflect.Struct && t.NumField() > 0 {
		items := t.Field(0).Type
		for items.Kind() == reflect.Slice || items.Kind() == reflect.Pointer {
			items = items.Elem()
		}
		n = s.defName(items, items.Name()) + n[:i]
	}
	if other, ok := s.taken[n]; ok && other != t {
		n = strings.ToUpper(path.Base(t.PkgPath())[:1]) + path.Base(t.PkgPath())[1:] + n
	}
	if n == "" {
		n = def
	}
	s.names[t], s.taken[n] = n, t
	return n
}

// neverNullCollections undoes the reflector's default of a nullable slice
// or map: the API's answers carry [] and {} (a test validates every answer
// against the document, so a nil that slips through fails it).
func neverNullCollections(p jsonschema.InterceptNullabilityParams) {
	k := p.Type.Kind()
	if p.NullAdded && (k == reflect.Slice || k == reflect.Map) {
		p.Schema.RemoveType(jsonschema.Null)
	}
}

var timeType = reflect.TypeOf(time.Time{})

// formatExamples are an example value of each string format the document
// uses, so every such field shows one.
var formatExamples = map[string]string{
	"date":      "2026-09-01",
	"date-time": "2026-09-01T08:30:00Z",
	"email":     "ada.lovelace@school.example",
	"uuid":      "0b6f3f6e-1c1d-4f51-9a53-3f0c6f1c2a10",
}

// fieldRules reads what a field's tags and name say about its value.
func fieldRules(p jsonschema.InterceptPropParams) error {
	if !p.Processed || p.PropertySchema == nil {
		return nil
	}
	f, sc := p.Field, p.PropertySchema
	ft := f.Type
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	jsonTag := f.Tag.Get("json")
	required := !strings.Contains(jsonTag, ",omitempty") && f.Type.Kind() != reflect.Pointer
	if d := f.Tag.Get("doc"); d != "" {
		sc.WithDescription(d)
	}
	if f.Tag.Get("nullable") == "true" {
		nullable(sc)
	}
	if ft == timeType && strings.Contains(f.Tag.Get("gorm"), "type:date") {
		sc.WithFormat("date")
	}
	if ft.Kind() == reflect.String && (p.Name == "email" || strings.HasSuffix(p.Name, "_email")) {
		sc.WithFormat("email")
	}
	if sc.Format != nil && len(sc.Examples) == 0 {
		if ex, ok := formatExamples[*sc.Format]; ok {
			sc.WithExamples(ex)
		}
	}
	for _, rule := range strings.Split(f.Tag.Get("binding"), ",") {
		key, val, _ := strings.Cut(rule, "=")
		switch key {
		case "required":
			required = true
		case "omitempty":
			required = false // a body may leave it out: the service fills it in
		case "email":
			sc.WithFormat("email")
		case "oneof":
			sc.Enum = nil
			for _, v := range strings.Fields(val) {
				sc.Enum = append(sc.Enum, v)
			}
		case "min", "max":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				continue
			}
			bound(sc, ft.Kind(), key == "min", n)
		}
	}
	if required && p.ParentSchema != nil && !slices.Contains(p.ParentSchema.Required, p.Name) {
		p.ParentSchema.Required = append(p.ParentSchema.Required, p.Name)
	}
	return nil
}

// nullable lets a field be null as well: a collection whose null means
// something ("no limit"), tagged nullable:"true". A named type is a $ref,
// which takes no siblings of its kind, so it becomes anyOf the ref or null.
func nullable(sc *jsonschema.Schema) {
	if sc.Ref == nil {
		sc.AddType(jsonschema.Null)
		return
	}
	ref := *sc.Ref
	sc.Ref = nil
	sc.AnyOf = []jsonschema.SchemaOrBool{
		(&jsonschema.Schema{Ref: &ref}).ToSchemaOrBool(),
		(&jsonschema.Schema{}).WithType(jsonschema.Null.Type()).ToSchemaOrBool(),
	}
}

// bound sets a binding tag's min or max as a length, an item count or a
// range, by the field's kind.
func bound(sc *jsonschema.Schema, k reflect.Kind, isMin bool, n int64) {
	switch {
	case k == reflect.String && isMin:
		sc.WithMinLength(n)
	case k == reflect.String:
		sc.WithMaxLength(n)
	case (k == reflect.Slice || k == reflect.Map) && isMin:
		sc.WithMinItems(n)
	case k == reflect.Slice || k == reflect.Map:
		sc.WithMaxItems(n)
	case isMin:
		sc.WithMinimum(float64(n))
	default:
		sc.WithMaximum(float64(n))
	}
}
