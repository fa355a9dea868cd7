package httpapi

import (
	"encoding/json"
	"fmt"
)

// The API's document is OpenAPI 3.1 (JSON Schema 2020-12). Some
// generators still read only 3.0 (oapi-codegen, among the most used Go
// ones, stops at the first `type: [string, "null"]`), so the API also
// serves the same document written down to 3.0.3: every rule it states is
// kept, in 3.0's words. It is derived from the 3.1 document, never written
// by hand, so the two cannot say different things.

// OpenAPI30JSON is the document in OpenAPI 3.0.3, built once.
func (s *Server) OpenAPI30JSON() ([]byte, error) {
	d := &s.doc30
	d.once.Do(func() {
		var src []byte
		if src, d.err = s.OpenAPIJSON(); d.err != nil {
			return
		}
		d.json, d.err = downTo30(src)
	})
	return d.json, d.err
}

// downTo30 rewrites a 3.1 document as 3.0.3.
func downTo30(src []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("openapi 3.0: read the 3.1 document: %w", err)
	}
	doc["openapi"] = "3.0.3"
	delete(doc, "jsonSchemaDialect")
	delete(doc, "webhooks")
	findSchemas(doc)
	return json.Marshal(doc)
}

// findSchemas walks the document outside schemas and rewrites every
// schema it meets: a "schema" of a parameter, header or media type, and
// the components' schemas.
func findSchemas(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			switch {
			case k == "schema":
				schema30(sub)
			case k == "schemas":
				if m, ok := sub.(map[string]any); ok {
					for _, s := range m {
						schema30(s)
					}
				}
			default:
				findSchemas(sub)
			}
		}
	case []any:
		for _, sub := range v {
			findSchemas(sub)
		}
	}
}

// schema30 rewrites one JSON Schema 2020-12 schema, and those inside it,
// in OpenAPI 3.0's dialect.
func schema30(v any) {
	s, ok := v.(map[string]any)
	if !ok {
		return
	}
	// type: [T, "null"] is type: T, nullable: true.
	if types, ok := s["type"].([]any); ok {
		var kept []any
		for _, t := range types {
			if t == "null" {
				s["nullable"] = true
			} else {
				kept = append(kept, t)
			}
		}
		if len(kept) == 1 {
			s["type"] = kept[0]
		} else {
			delete(s, "type") // several types: 3.0 says none of them
		}
	}
	// anyOf [X, {type: null}] is X made nullable; a $ref takes no
	// siblings in 3.0, so it is wrapped in allOf.
	for _, key := range []string{"anyOf", "oneOf"} {
		alts, ok := s[key].([]any)
		if !ok {
			continue
		}
		var kept []any
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok && len(m) == 1 && m["type"] == "null" {
				s["nullable"] = true
				continue
			}
			kept = append(kept, a)
		}
		switch {
		case len(kept) == 1:
			delete(s, key)
			s["allOf"] = kept
		default:
			s[key] = kept
		}
	}
	if ex, ok := s["examples"].([]any); ok {
		delete(s, "examples")
		if len(ex) > 0 {
			s["example"] = ex[0]
		}
	}
	if c, ok := s["const"]; ok {
		delete(s, "const")
		s["enum"] = []any{c}
	}
	if _, ok := s["contentMediaType"]; ok {
		delete(s, "contentMediaType") // a file part: 3.0 says binary
		s["format"] = "binary"
	}
	for _, key := range []string{"items", "additionalProperties", "not"} {
		schema30(s[key])
	}
	for _, key := range []string{"properties", "patternProperties"} {
		if m, ok := s[key].(map[string]any); ok {
			for _, sub := range m {
				schema30(sub)
			}
		}
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		if alts, ok := s[key].([]any); ok {
			for _, a := range alts {
				schema30(a)
			}
		}
	}
}
