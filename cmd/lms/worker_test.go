package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/metrics/metricstest"
)

// `lms worker` answers its probes and scrapes on LMS_WORKER_HEALTH_ADDR:
// /readyz follows the database, and the server stops with the worker.
func TestWorkerHealth(t *testing.T) {
	db := cliEnv(t)
	addr := freeAddr(t)
	t.Setenv("LMS_WORKER_HEALTH_ADDR", addr)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		root := newRoot()
		root.SetOut(io.Discard)
		root.SetArgs([]string{"worker", "--concurrency", "2"})
		done <- root.ExecuteContext(ctx)
	}()
	get := func(path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	require.Eventually(t, func() bool { code, _ := get("/healthz"); return code == http.StatusOK }, 20*time.Second, 50*time.Millisecond)
	// Ready once its job client has started (before, a database cut short
	// failed the start: the test cut it while the worker was starting).
	require.Eventually(t, func() bool { code, _ := get("/readyz"); return code == http.StatusOK }, 20*time.Second, 50*time.Millisecond)
	code, body := get("/readyz")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `"database":"ok"`)
	code, body = get("/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "go_goroutines")
	// What an operator alerts on, from the worker too; promtool-clean.
	metricstest.Lint(t, body)
	for _, want := range []string{"lms_db_pool_connections{state=\"in_use\"}", "lms_db_pool_empty_acquires_total",
		`lms_outbox_pending_messages{outbox="email"}`, `lms_scrape_collector_success{collector="jobs"} 1`,
		`lms_scrape_collector_success{collector="outboxes"} 1`} {
		require.Contains(t, body, want)
	}
	code, _ = get("/nothing")
	require.Equal(t, http.StatusNotFound, code)

	// Without the database the worker is alive but not ready.
	admin, err := pgx.Connect(ctx, dbtest.AdminURL())
	require.NoError(t, err)
	defer admin.Close(context.Background())
	setConnections := func(allow bool) {
		_, err := admin.Exec(context.Background(), `ALTER DATABASE `+pgx.Identifier{db.Name}.Sanitize()+` ALLOW_CONNECTIONS `+map[bool]string{true: "true", false: "false"}[allow])
		require.NoError(t, err)
	}
	setConnections(false)
	defer setConnections(true)
	_, err = admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, db.Name)
	require.NoError(t, err)
	require.Eventually(t, func() bool { code, _ := get("/readyz"); return code == http.StatusServiceUnavailable }, 10*time.Second, 100*time.Millisecond)
	_, body = get("/readyz")
	require.Contains(t, body, `"database":"down"`)
	require.NotContains(t, body, "127.0.0.1", "the reason is logged, not shown")
	code, _ = get("/healthz")
	require.Equal(t, http.StatusOK, code)
	setConnections(true)
	require.Eventually(t, func() bool { code, _ := get("/readyz"); return code == http.StatusOK }, 10*time.Second, 100*time.Millisecond)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not stop")
	}
	code, _ = get("/healthz")
	require.Zero(t, code, "the health server stops with the worker")
}

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
