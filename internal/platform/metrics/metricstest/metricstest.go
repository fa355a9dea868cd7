// Package metricstest checks a process's scrape the way Prometheus's own
// tooling does, and reads values out of it for assertions.
package metricstest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

// Promtool is the pinned promtool deploy/local/promtool.sh installs into
// the repository's .data/bin. Missing, the test fails: make test
// installs it, so a missing promtool is a broken set-up.
func Promtool(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		require.NotEqual(t, "/", dir, "no go.mod above the test")
	}
	p := filepath.Join(dir, ".data", "bin", "promtool")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	t.Fatalf("promtool is not installed at %s: run deploy/local/promtool.sh (make test does)", p)
	return ""
}

// Lint fails t on any problem `promtool check metrics` finds in scrape
// (text exposition format). promlint, the same checks as a library, runs
// always; promtool itself when installed (always under CI).
func Lint(t testing.TB, scrape string) {
	t.Helper()
	problems, err := promlint.New(strings.NewReader(scrape)).Lint()
	require.NoError(t, err)
	require.Empty(t, problems, "promlint")
	if tool := Promtool(t); tool != "" {
		cmd := exec.Command(tool, "check", "metrics")
		cmd.Stdin = strings.NewReader(scrape)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "promtool check metrics:\n%s", out)
	}
}

// Families parses a scrape.
func Families(t testing.TB, scrape string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewBufferString(scrape))
	require.NoError(t, err)
	return fams
}

// Value is the value of family's series whose labels include want, and
// whether there is one (a counter's, a gauge's, or a histogram's count).
func Value(fams map[string]*dto.MetricFamily, family string, want map[string]string) (float64, bool) {
	f := fams[family]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}
