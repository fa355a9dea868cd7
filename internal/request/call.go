package request

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
)

// The shapes most API handlers have: read the path id and/or the JSON
// body, call one service method with the caller's scope, return what it
// returns. A route row of one of these shapes names the service method
// itself, e.g. API: request.ByID("course", s.Courses.Page), so the row reads
// from route to service in one line.

// ByID calls fn with the path id name.
func ByID[T any](name string, fn func(context.Context, access.Scope, uuid.UUID) (T, error)) Handler {
	return func(c *gin.Context) (any, error) {
		id, err := PathID(c, name)
		if err != nil {
			return nil, err
		}
		return fn(c.Request.Context(), Scope(c), id)
	}
}

// DoByID calls fn, which returns only an error, with the path id name
// (a route without a reply: 204).
func DoByID(name string, fn func(context.Context, access.Scope, uuid.UUID) error) Handler {
	return func(c *gin.Context) (any, error) {
		id, err := PathID(c, name)
		if err != nil {
			return nil, err
		}
		return nil, fn(c.Request.Context(), Scope(c), id)
	}
}

// FromBody calls fn with the JSON body.
func FromBody[In, T any](fn func(context.Context, access.Scope, In) (T, error)) Handler {
	return func(c *gin.Context) (any, error) {
		var in In
		if err := BindJSON(c, &in); err != nil {
			return nil, err
		}
		return fn(c.Request.Context(), Scope(c), in)
	}
}

// ByIDFromBody calls fn with the path id name and the JSON body.
func ByIDFromBody[In, T any](name string, fn func(context.Context, access.Scope, uuid.UUID, In) (T, error)) Handler {
	return func(c *gin.Context) (any, error) {
		id, err := PathID(c, name)
		if err != nil {
			return nil, err
		}
		var in In
		if err := BindJSON(c, &in); err != nil {
			return nil, err
		}
		return fn(c.Request.Context(), Scope(c), id, in)
	}
}
