package support

import (
	"database/sql/driver"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// Words is a text[] of plain words (area codes): letters, digits, hyphens.
type Words []string

// UUIDs is a uuid[]; nil is SQL NULL (no limit).
type UUIDs []uuid.UUID

var plainWord = regexp.MustCompile(`^[a-z0-9-]+$`)

// Value writes the array literal.
func (w Words) Value() (driver.Value, error) {
	for _, v := range w {
		if !plainWord.MatchString(v) {
			return nil, fmt.Errorf("support: %q is not a plain word", v)
		}
	}
	return "{" + strings.Join(w, ",") + "}", nil
}

// Scan reads the array literal.
func (w *Words) Scan(src any) error {
	parts, err := arrayParts(src)
	*w = parts
	return err
}

// Value writes the array literal, or NULL for nil.
func (u UUIDs) Value() (driver.Value, error) {
	if u == nil {
		return nil, nil
	}
	parts := make([]string, len(u))
	for i, id := range u {
		parts[i] = id.String()
	}
	return "{" + strings.Join(parts, ",") + "}", nil
}

// Scan reads the array literal; NULL is nil.
func (u *UUIDs) Scan(src any) error {
	if src == nil {
		*u = nil
		return nil
	}
	parts, err := arrayParts(src)
	if err != nil {
		return err
	}
	out := make(UUIDs, 0, len(parts))
	for _, p := range parts {
		id, err := uuid.Parse(p)
		if err != nil {
			return fmt.Errorf("support: uuid array: %w", err)
		}
		out = append(out, id)
	}
	*u = out
	return nil
}

// arrayParts splits a one-dimensional array literal of unquoted elements.
func arrayParts(src any) ([]string, error) {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		return nil, nil
	default:
		return nil, fmt.Errorf("support: cannot read array from %T", src)
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if s == "" {
		return []string{}, nil
	}
	return strings.Split(s, ","), nil
}
