package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// Health is the answer of /healthz and /readyz.
type Health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func (s *Server) healthz(*gin.Context) (any, error) {
	return Health{Status: "ok"}, nil
}

// readyz answers 200 only when the database and the object store both
// answer, so a load balancer sends no traffic to a replica that cannot serve.
func (s *Server) readyz(c *gin.Context) (any, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	h := Health{Status: "ok", Checks: map[string]string{"database": "ok", "object_store": "ok"}}
	// The reason goes to the log, not the answer: /readyz is public, and an
	// error names hosts, buckets and accounts.
	if err := s.DB.Ready(ctx); err != nil {
		h.Status, h.Checks["database"] = "unavailable", "down"
		slog.WarnContext(ctx, "readyz: database", "err", err)
	}
	if err := s.Store.Ready(ctx); err != nil {
		h.Status, h.Checks["object_store"] = "unavailable", "down"
		slog.WarnContext(ctx, "readyz: object store", "err", err)
	}
	if h.Status != "ok" {
		return request.Unready{Reply: h}, nil
	}
	return h, nil
}

// metricsHandler serves Prometheus, which scrapes each pod directly. A
// request relayed by a proxy (the ingress sets X-Forwarded-For) came from
// outside: it gets 404, so the public host never shows the metrics.
func (s *Server) metricsHandler() request.Handler {
	h := scrape{promhttp.HandlerFor(s.k.Registry, promhttp.HandlerOpts{})}
	return func(c *gin.Context) (any, error) {
		if c.GetHeader("X-Forwarded-For") != "" || c.GetHeader("Forwarded") != "" || c.GetHeader("X-Real-IP") != "" {
			return nil, errs.New(errs.ErrNotFound, "No such page.")
		}
		return h, nil
	}
}

// scrape is Prometheus's own answer, written by its handler.
type scrape struct{ h http.Handler }

// Write serves the scrape.
func (s scrape) Write(c *gin.Context) { s.h.ServeHTTP(c.Writer, c.Request) }
