package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// No adequacy country is accepted unless the deployment names it; a value
// that is not a two-letter code stops start-up, by name. (Whether a code
// has UK adequacy regulations is checked where the register is built.)
func TestSubProcessorAdequacyIsExplicit(t *testing.T) {
	cleanEnv(t)
	c, err := Load()
	require.NoError(t, err)
	require.Empty(t, c.SubProcessorAdequacy, "UK and EEA only by default")
	t.Setenv("LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES", "ch,jp")
	c, err = Load()
	require.NoError(t, err)
	require.Equal(t, []string{"ch", "jp"}, c.SubProcessorAdequacy)
	for _, bad := range []string{"Japan", "j p", "JP"} {
		t.Setenv("LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES", bad)
		_, err = Load()
		require.ErrorContains(t, err, "LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES", bad)
	}
}
