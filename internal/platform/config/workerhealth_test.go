package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The worker's health address defaults to :8081 and a malformed one stops
// start-up, by name.
func TestWorkerHealthAddr(t *testing.T) {
	cleanEnv(t)
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, ":8081", c.WorkerHealthAddr)
	for _, bad := range []string{"8081", ":http-alt", ":70000", "localhost"} {
		t.Run(bad, func(t *testing.T) {
			t.Setenv("LMS_WORKER_HEALTH_ADDR", bad)
			_, err := Load()
			require.ErrorContains(t, err, "LMS_WORKER_HEALTH_ADDR")
		})
	}
	t.Setenv("LMS_WORKER_HEALTH_ADDR", "127.0.0.1:0")
	c, err = Load()
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:0", c.WorkerHealthAddr)
}
