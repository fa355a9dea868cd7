package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Invariant (operations): every variable the code reads is in the
// operations guide's configuration reference and in the README's table,
// and neither names a variable the code does not read.
func TestOperationsGuideListsEveryVariable(t *testing.T) {
	known := map[string]bool{"LMS_MAIL_CATCHER_URL": true} // read by tests only
	// The local services' ports, read by the scripts make run and make test use.
	local := regexp.MustCompile(`LMS_LOCAL_[A-Z0-9_]*[A-Z0-9]`)
	scripts, err := filepath.Glob("../../../deploy/local/*.sh")
	require.NoError(t, err)
	for _, sh := range scripts {
		raw, err := os.ReadFile(sh)
		require.NoError(t, err)
		for _, name := range local.FindAllString(string(raw), -1) {
			known[name] = true
		}
	}
	typ := reflect.TypeOf(Config{})
	for i := range typ.NumField() {
		if name := typ.Field(i).Tag.Get("env"); name != "" {
			known[name] = true
		}
	}
	mentioned := regexp.MustCompile(`LMS_[A-Z0-9_]*[A-Z0-9]`)
	for _, doc := range []string{"../../../deploy/README.md", "../../../README.md"} {
		raw, err := os.ReadFile(doc)
		require.NoError(t, err)
		text := string(raw)
		for name := range known {
			if strings.HasPrefix(name, "LMS_LOCAL_") && doc != "../../../README.md" {
				continue // the operations guide is about production
			}
			require.True(t, strings.Contains(text, "`"+name+"`"), "%s does not describe %s", doc, name)
		}
		for _, line := range strings.Split(text, "\n") {
			if !strings.HasPrefix(line, "| `LMS_") {
				continue
			}
			for _, name := range mentioned.FindAllString(line, -1) {
				require.True(t, known[name], "%s describes %s, which the code does not read", doc, name)
			}
		}
	}
}
