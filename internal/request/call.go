package request

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/access"
)

// The shapes most API handlers have: read the path ids and/or the JSON
// body, call one service method with the caller's scope, return what it
// returns. A route row of one of these shapes names the service method
// itself, e.g. API: request.ByID("course", s.Courses.Page), so the row reads
// from route to service in one line. Path ids are read before the body, so
// a malformed id is 404 whatever the body.

// withIDs reads the path ids names, in order, and calls call with them.
func withIDs(names []string, call func(c *gin.Context, ids []uuid.UUID) (any, error)) Handler {
	return func(c *gin.Context) (any, error) {
		ids, err := PathIDs(c, names...)
		if err != nil {
			return nil, err
		}
		return call(c, ids)
	}
}

// withBody binds the JSON body and calls call with it.
func withBody[In any](c *gin.Context, call func(in In) (any, error)) (any, error) {
	var in In
	if err := BindJSON(c, &in); err != nil {
		return nil, err
	}
	return call(in)
}

// Scoped calls fn with the caller's scope alone.
func Scoped[T any](fn func(context.Context, access.Scope) (T, error)) Handler {
	return func(c *gin.Context) (any, error) { return fn(c.Request.Context(), Scope(c)) }
}

// ByID calls fn with the path id name.
func ByID[T any](name string, fn func(context.Context, access.Scope, uuid.UUID) (T, error)) Handler {
	return withIDs([]string{name}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return fn(c.Request.Context(), Scope(c), ids[0])
	})
}

// DoByID calls fn, which returns only an error, with the path id name
// (a route without a reply: 204).
func DoByID(name string, fn func(context.Context, access.Scope, uuid.UUID) error) Handler {
	return withIDs([]string{name}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return nil, fn(c.Request.Context(), Scope(c), ids[0])
	})
}

// ByIDs calls fn with the path ids a and b.
func ByIDs[T any](a, b string, fn func(context.Context, access.Scope, uuid.UUID, uuid.UUID) (T, error)) Handler {
	return withIDs([]string{a, b}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return fn(c.Request.Context(), Scope(c), ids[0], ids[1])
	})
}

// DoByIDs calls fn, which returns only an error, with the path ids a and b.
func DoByIDs(a, b string, fn func(context.Context, access.Scope, uuid.UUID, uuid.UUID) error) Handler {
	return withIDs([]string{a, b}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return nil, fn(c.Request.Context(), Scope(c), ids[0], ids[1])
	})
}

// FromBody calls fn with the JSON body.
func FromBody[In, T any](fn func(context.Context, access.Scope, In) (T, error)) Handler {
	return func(c *gin.Context) (any, error) {
		return withBody(c, func(in In) (any, error) { return fn(c.Request.Context(), Scope(c), in) })
	}
}

// IDAndBody reads the path id name, then the JSON body: what a handler
// needs that passes the service only some of the body, or not the scope.
func IDAndBody[In any](c *gin.Context, name string) (uuid.UUID, In, error) {
	var in In
	id, err := PathID(c, name)
	if err == nil {
		err = BindJSON(c, &in)
	}
	return id, in, err
}

// ByIDFromBody calls fn with the path id name and the JSON body.
func ByIDFromBody[In, T any](name string, fn func(context.Context, access.Scope, uuid.UUID, In) (T, error)) Handler {
	return func(c *gin.Context) (any, error) {
		id, in, err := IDAndBody[In](c, name)
		if err != nil {
			return nil, err
		}
		return fn(c.Request.Context(), Scope(c), id, in)
	}
}

// ByIDsFromBody calls fn with the path ids a and b and the JSON body.
func ByIDsFromBody[In, T any](a, b string, fn func(context.Context, access.Scope, uuid.UUID, uuid.UUID, In) (T, error)) Handler {
	return withIDs([]string{a, b}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return withBody(c, func(in In) (any, error) { return fn(c.Request.Context(), Scope(c), ids[0], ids[1], in) })
	})
}

// StaffByID calls fn, on a platform route, with the signed-in staff
// member's id and the path id name: the platform's services act as staff,
// not in a tenant's scope.
func StaffByID[T any](name string, fn func(ctx context.Context, staff, id uuid.UUID) (T, error)) Handler {
	return withIDs([]string{name}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return fn(c.Request.Context(), Principal(c).ID, ids[0])
	})
}

// OnlyID calls fn, on a platform route, with the path id name alone: a
// platform service that needs neither scope nor caller (authorization
// already decided who may call it).
func OnlyID[T any](name string, fn func(ctx context.Context, id uuid.UUID) (T, error)) Handler {
	return withIDs([]string{name}, func(c *gin.Context, ids []uuid.UUID) (any, error) {
		return fn(c.Request.Context(), ids[0])
	})
}
