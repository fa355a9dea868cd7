// Package logging sets up log/slog as JSON and carries request-scoped
// attributes (request id, tenant id) in the context, so every line logged
// with a request's context names them without each caller repeating them.
package logging

import (
	"context"
	"io"
	"log/slog"
)

type ctxKey struct{}

// With returns ctx carrying extra attributes for every log line.
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	merged := make([]slog.Attr, 0, len(prev)+len(attrs))
	merged = append(append(merged, prev...), attrs...)
	return context.WithValue(ctx, ctxKey{}, merged)
}

type handler struct{ slog.Handler }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	if attrs, ok := ctx.Value(ctxKey{}).([]slog.Attr); ok {
		r.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, r)
}

func (h handler) WithAttrs(a []slog.Attr) slog.Handler { return handler{h.Handler.WithAttrs(a)} }
func (h handler) WithGroup(n string) slog.Handler      { return handler{h.Handler.WithGroup(n)} }

// Setup installs a JSON logger at level as the default and returns it.
func Setup(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	lg := slog.New(handler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})})
	slog.SetDefault(lg)
	return lg
}
