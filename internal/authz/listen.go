package authz

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/schoolcloud/lms/internal/identity"
)

// Listen keeps a connection LISTENing for role changes made by any process
// and invalidates the tenants it hears about. When the connection drops, a
// notification may have been missed, so everything cached is dropped.
// It returns when ctx ends.
func (a *Authorizer) Listen(ctx context.Context, pool *pgxpool.Pool) {
	for ctx.Err() == nil {
		a.listenOnce(ctx, pool)
		a.InvalidateAll()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (a *Authorizer) listenOnce(ctx context.Context, pool *pgxpool.Pool) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		slog.WarnContext(ctx, "authz: listen: acquire", "err", err)
		return
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+identity.AuthzChannel); err != nil {
		slog.WarnContext(ctx, "authz: listen", "err", err)
		return
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN *") //nolint:errcheck
	// Anything cached before LISTEN took effect may be stale.
	a.InvalidateAll()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() == nil {
				slog.WarnContext(ctx, "authz: listen: wait", "err", err)
			}
			return
		}
		if t, err := uuid.Parse(n.Payload); err == nil {
			a.Invalidate(t)
		}
	}
}
