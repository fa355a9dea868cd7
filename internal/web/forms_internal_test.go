package web

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A service's field name lands on the form field of its longest matching
// prefix, whatever the map order.
func TestRenameFieldsLongestPrefix(t *testing.T) {
	names := map[string]string{"questions[0]": "q0_prompt", "questions[0].options": "q0_options", "questions[1]": "q1_prompt"}
	for range 50 {
		got := renameFields(map[string]string{"questions[0].options": "give 2-20 options", "questions[1].prompt": "too long", "title": "required"}, names)
		require.Equal(t, map[string]string{"q0_options": "give 2-20 options", "q1_prompt": "too long", "title": "required"}, got)
	}
}
