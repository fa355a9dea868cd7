// Package errs holds the domain error sentinels shared by every layer and the
// field-error type used for input validation. The HTTP layer maps them to
// RFC 9457 problem responses in one place; nothing else chooses a status.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Sentinels. Wrap them with %w and context; compare with errors.Is.
var (
	// ErrNotFound: the object does not exist or the caller may not know it exists.
	// Another tenant's object is always ErrNotFound, never ErrForbidden.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request clashes with the current state (duplicate, stale).
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated: no valid credential was presented.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrLocked: the account is temporarily locked after repeated failures.
	ErrLocked = errors.New("locked")
	// ErrBusy: too many password checks at once in this process (a whole
	// school signing in at nine); the caller may try again in a moment.
	ErrBusy = errors.New("busy")
	// ErrInvalid: the input is malformed; see FieldErrors for detail.
	ErrInvalid = errors.New("invalid input")
	// ErrUnprocessable: the input is well formed but its content cannot be
	// used (a roster whose rows break the rules).
	ErrUnprocessable = errors.New("unprocessable")
)

// FieldError is one problem with one input field. Field uses the JSON name.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// FieldErrors collects every problem with an input so the caller can fix all
// of them at once. It unwraps to ErrInvalid.
type FieldErrors []FieldError

// Add appends one field problem.
func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when empty, so `return fe.Err()` ends a validator.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	sort.SliceStable(fe, func(i, j int) bool { return fe[i].Field < fe[j].Field })
	return fe
}

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (fe FieldErrors) Unwrap() error { return ErrInvalid }

// Field returns a FieldErrors with a single entry.
func Field(field, format string, args ...any) error {
	var fe FieldErrors
	fe.Add(field, format, args...)
	return fe
}

// LockedError says until when an account is locked.
type LockedError struct{ RetryAfterSeconds int }

func (e LockedError) Error() string {
	return fmt.Sprintf("account locked; try again in %d seconds", e.RetryAfterSeconds)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e LockedError) Unwrap() error { return ErrLocked }

// BusyError says how soon to try again when the service is too busy to
// check a password now.
type BusyError struct{ RetryAfterSeconds int }

func (e BusyError) Error() string {
	return fmt.Sprintf("too many sign-ins at once; try again in %d seconds", e.RetryAfterSeconds)
}

// Unwrap makes errors.Is(err, ErrBusy) true.
func (e BusyError) Unwrap() error { return ErrBusy }

// RetryAfter is how many seconds the caller should wait.
func (e BusyError) RetryAfter() int { return e.RetryAfterSeconds }

// RetryAfter is how many seconds the caller should wait.
func (e LockedError) RetryAfter() int { return e.RetryAfterSeconds }

// HasControl reports whether s holds control or format characters (NUL,
// escapes, bidirectional overrides), which no name or label needs.
func HasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// HasControlText is HasControl for multi-line text: line breaks and tabs
// are allowed, everything else HasControl refuses is not.
func HasControlText(s string) bool {
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// Line checks a one-line value (a title, a name): trimmed, min to max
// characters, no control or format characters. A problem is added to fe
// under field; the trimmed value is returned either way.
func (fe *FieldErrors) Line(field, s string, min, max int) string {
	s = strings.TrimSpace(s)
	if n := len([]rune(s)); n < min || n > max || HasControl(s) {
		fe.Add(field, "%s without control characters", lengthRule(min, max))
	}
	return s
}

// Text checks multi-line text as Line does, allowing line breaks and tabs.
func (fe *FieldErrors) Text(field, s string, min, max int) string {
	s = strings.TrimSpace(s)
	if n := len([]rune(s)); n < min || n > max || HasControlText(s) {
		fe.Add(field, "%s without control characters", lengthRule(min, max))
	}
	return s
}

func lengthRule(min, max int) string {
	if min == 0 {
		return fmt.Sprintf("must be at most %d characters", max)
	}
	return fmt.Sprintf("must be %d-%d characters", min, max)
}
