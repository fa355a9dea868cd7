package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// workerHealth answers the worker's probes and scrapes: GET /healthz (the
// process is up), GET /readyz (its job client has started and the database
// answers: without them no job can be taken) and GET /metrics (the
// process's registry, as the API's: Go runtime and process figures, the
// database pool, the job queue, the outboxes and the object store calls,
// see internal/platform/metrics). The worker serves nothing else, so this
// is a plain mux, not the API's gin stack.
func (a *App) workerHealth(started *atomic.Bool) http.Handler {
	reg := a.Kernel.Registry
	reply := func(w http.ResponseWriter, status int, body map[string]string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if !started.Load() {
			reply(w, http.StatusServiceUnavailable, map[string]string{"status": "starting", "database": "unknown"})
			return
		}
		if err := a.DB.Ready(ctx); err != nil {
			// The reason goes to the log, as the API's /readyz does.
			slog.WarnContext(ctx, "worker readyz: database", "err", err)
			reply(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
			return
		}
		reply(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// serveHealth serves h on ln until ctx ends, then shuts down gracefully.
func serveHealth(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
