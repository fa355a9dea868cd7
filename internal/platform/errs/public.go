package errs

import (
	"errors"
	"fmt"
)

// Error is a domain failure that carries the sentence a person may read,
// so no layer has to make one by trimming err.Error(). Kind is one of the
// sentinels above; the HTTP layer chooses the status from it (one table)
// and shows Message as it is.
type Error struct {
	Kind    error
	Message string
}

// New returns an *Error of kind with a message for a person (plain words,
// no field names, no internal detail).
func New(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Error keeps the "message: kind" shape of a wrapped sentinel, for logs.
func (e *Error) Error() string { return e.Message + ": " + e.Kind.Error() }

// Unwrap makes errors.Is(err, e.Kind) true.
func (e *Error) Unwrap() error { return e.Kind }

// Public is what a person may be told about err: the message of the first
// *Error in its chain, or "" when it carries none (the caller then says
// something general for its kind). Internal errors never carry one.
func Public(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if errors.Is(err, ErrBusy) {
		return "Many people are signing in right now. Wait a few seconds and try again."
	}
	var locked LockedError
	if errors.As(err, &locked) {
		mins := (locked.RetryAfterSeconds + 59) / 60
		unit := "minutes"
		if mins == 1 {
			unit = "minute"
		}
		return fmt.Sprintf("Too many failed attempts: this account is locked. Try again in %d %s, or ask your administrator to unlock it.", mins, unit)
	}
	return ""
}
