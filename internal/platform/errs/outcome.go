package errs

import "errors"

// Sentinels for failures that are nobody's fault in the request itself.
var (
	// ErrUnavailable: something the service depends on (the database, the
	// object store) cannot be reached just now; the same request may work
	// in a moment. The HTTP layer answers 503 with Retry-After.
	ErrUnavailable = errors.New("temporarily unavailable")
	// ErrClientClosed: the caller went away (closed the connection, gave
	// up mid-upload) before the request was done. Nobody is left to answer;
	// it is the client's doing, not a server error.
	ErrClientClosed = errors.New("client closed the request")
)
