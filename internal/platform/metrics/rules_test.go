package metrics_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/metrics/metricstest"
)

const rulesFile = "../../../deploy/prometheus/alerts.yml"

// The operations guide's alerting rules are valid Prometheus rules, and
// every lms_ metric they name is one the processes export (HTTP figures
// come from package request; every other one from this package).
func TestAlertRules(t *testing.T) {
	t.Parallel()
	if tool := metricstest.Promtool(t); tool != "" {
		out, err := exec.Command(tool, "check", "rules", rulesFile).CombinedOutput()
		require.NoError(t, err, "promtool check rules:\n%s", out)
	}
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.store.EnsureBucket(ctx, "uk"))
	e, err := jobs.NewEnqueuer(b.db.App)
	require.NoError(t, err)
	require.NoError(t, e.Enqueue(ctx, probeArgs{}))
	fams := metricstest.Families(t, b.scrape(t))
	rules, err := os.ReadFile(rulesFile)
	require.NoError(t, err)
	named := regexp.MustCompile(`\blms_[a-z_]+`).FindAllString(string(rules), -1)
	require.NotEmpty(t, named)
	for _, n := range named {
		if strings.HasPrefix(n, "lms_http_") {
			continue
		}
		n = strings.TrimSuffix(n, "_bucket")
		require.Contains(t, fams, n, "the rules name %s, which nothing exports", n)
	}
}
