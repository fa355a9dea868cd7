package request

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Classify is err as the status table (StatusOf) should see it, given what
// happened to the request: a client that went away mid-body is
// ErrClientClosed (whatever the handler made of the broken read), a
// failure after a multipart body that ended without its closing boundary
// is the client's bad input, a failure after the client left is theirs,
// and a database or object store that cannot be reached is
// ErrUnavailable. Domain errors (4xx) otherwise stand as they are.
func Classify(c *gin.Context, err error) error {
	gone, cut := bodyFault(c)
	if gone != nil {
		return fmt.Errorf("%w: reading the request body: %v (then: %w)", errs.ErrClientClosed, gone, err)
	}
	if status, _ := StatusOf(err); status < 500 {
		return err
	}
	switch {
	case cut:
		return errs.Field("body", "ends before its multipart closing boundary: the upload was cut short, send it again")
	case c.Request.Context().Err() != nil:
		return fmt.Errorf("%w: %w", errs.ErrClientClosed, err)
	case unreachable(err):
		return fmt.Errorf("%w: %w", errs.ErrUnavailable, err)
	}
	return err
}

// unreachable reports whether err says that PostgreSQL or the object store
// could not be reached or dropped the connection, as opposed to refusing
// what was asked: the condition is transient and the request may be
// retried. Only called for errors the request body did not cause.
func unreachable(err error) bool {
	var (
		connect *pgconn.ConnectError
		pg      *pgconn.PgError
		op      *net.OpError
		dns     *net.DNSError
		send    *smithyhttp.RequestSendError
		resp    *smithyhttp.ResponseError
	)
	switch {
	case errors.As(err, &connect), errors.As(err, &op), errors.As(err, &dns), errors.As(err, &send):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return true
	case errors.As(err, &pg):
		// Class 08: connection exception; 57P01-57P03: the server is
		// shutting down or starting up; 53300: too many connections.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" ||
			pg.Code == "57P03" || pg.Code == "53300"
	case errors.As(err, &resp):
		// The store's own gateway or throttle answered for it.
		s := resp.HTTPStatusCode()
		return s == 502 || s == 503 || s == 504
	}
	return false
}
