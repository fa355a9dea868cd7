package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// The pages every API problem's type URI points at read well for a
// developer who follows one: the index lists every type, one type's page
// explains it and links back; both pass axe and fit 375 px.
func TestProblemPagesInBrowser(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	dev := webtest.New(t, e.Server.URL)
	dev.Go("/problems", "problems-index")
	require.Contains(t, dev.Text("main"), "/problems/precondition-failed")
	require.Contains(t, dev.Text("main"), "/problems/invalid-input")
	dev.Go("/problems/precondition-failed", "problems-precondition-failed")
	require.Contains(t, dev.Text("h1"), "Changed since you read it")
	require.Contains(t, dev.Text("main"), "If-Match")
	dev.Submit(`a[href="/problems"]`, "problems-index-again")
	require.Contains(t, dev.Text("h1"), "Problem types")
}
