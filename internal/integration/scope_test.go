package integration_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/integration"
)

// Every scope an admin may give has its permissions in policies/roles.csv
// and plain words for the checkbox and the record of processing; only
// roster:write (roster deliveries) and courses:write (courses) change
// anything.
func TestScopesArePoliciesWithWords(t *testing.T) {
	t.Parallel()
	a, err := authz.New(nil)
	require.NoError(t, err)
	held, reads := map[string]int{}, map[string]bool{}
	for _, r := range a.Permissions() {
		held[r[0]]++
		reads[r[0]] = reads[r[0]] || r[2] == "read"
		if r[0] == authz.ScopeRole(string(integration.RosterWrite)) {
			require.Equal(t, []string{"roster-delivery", "write"}, r[1:])
		} else if r[0] == authz.ScopeRole(string(integration.CoursesWrite)) {
			require.Equal(t, "course", r[1], "courses:write touches courses only")
		} else if len(r[0]) > 6 && r[0][:6] == "scope:" {
			require.Equal(t, "read", r[2], "%s only reads", r[0])
		}
	}
	for _, s := range integration.Scopes {
		require.NotZero(t, held[authz.ScopeRole(string(s.Scope))], "%s has no permissions", s.Scope)
		require.NotEmpty(t, s.Label)
		require.True(t, s.Reads != "" || s.Does != "", "%s says what it reads or what it does", s.Scope)
		// The record of processing lists what each integration reads from
		// these words: a scope that reads must say what.
		require.Equal(t, reads[authz.ScopeRole(string(s.Scope))], s.Reads != "", "%s: reads and says so, or neither", s.Scope)
	}
	require.True(t, a.ScopeAllows("courses:read", "course", "read"))
	require.False(t, a.ScopeAllows("courses:read", "course", "write"))
	require.False(t, a.ScopeAllows("courses:read", "person", "read"))
	require.True(t, a.ScopeAllows("courses:write", "course", "write"))
	require.False(t, a.ScopeAllows("courses:write", "enrolment", "write"))
	for _, s := range integration.Scopes {
		require.Equal(t, s.Scope == integration.CoursesWrite, s.Scope.Writes(), "%s", s.Scope)
	}
}
