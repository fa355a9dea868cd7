package config

import (
	"os"
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
