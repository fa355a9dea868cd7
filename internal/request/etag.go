package request

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Versioned is a reply whose ETag is computed from less than its JSON: one
// that carries something made fresh on every read (a presigned download
// link) returns what identifies its version instead, so the ETag changes
// when the thing changes and not with each read.
type Versioned interface{ ETagBasis() any }

// encoded is a reply as the API writes it (the same bytes gin's c.JSON
// would write) and its strong ETag.
type encoded struct {
	body []byte
	etag string
}

// encode marshals a JSON reply and tags it.
func encode(v any) (encoded, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return encoded{}, fmt.Errorf("encoding the reply: %w", err)
	}
	basis := body
	if vv, ok := v.(Versioned); ok {
		if basis, err = json.Marshal(vv.ETagBasis()); err != nil {
			return encoded{}, fmt.Errorf("encoding the reply's version: %w", err)
		}
	}
	return encoded{body: body, etag: etagOf(basis)}, nil
}

// etagOf is the strong ETag of bytes: 128 bits of their SHA-256, enough
// that two versions of one resource never share a tag.
func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// listed reports whether an If-Match or If-None-Match header lists tag
// (or is "*"). If-None-Match compares weakly (RFC 9110 13.1.2: a W/
// prefix is ignored); If-Match strongly (13.1.1: a weak tag never
// matches), and our tags are all strong.
func listed(header, tag string, weak bool) bool {
	if strings.TrimSpace(header) == "*" {
		return true
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if w, ok := strings.CutPrefix(t, "W/"); ok {
			if !weak {
				continue
			}
			t = w
		}
		if t == tag {
			return true
		}
	}
	return false
}
