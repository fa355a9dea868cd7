package request_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/request"
)

// A 201 names what it made: the GET route of the collection's path with
// the new id, or, for a thing made under a parent, the thing's own GET
// route; the Location answers 200. A create with no GET reading what it
// makes has none (and the API's table walker refuses such a route).
func TestLocationOnCreated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := do(t, b.a, http.StatusCreated, "POST", b.pathA+"/things", map[string]any{"title": "one"}, nil)
	id := r.JSON()["id"].(string)
	require.Equal(t, b.pathA+"/things/"+id, r.Header.Get("Location"))
	require.Equal(t, id, do(t, b.a, http.StatusOK, "GET", r.Header.Get("Location"), nil, nil).JSON()["id"])

	r = do(t, b.a, http.StatusCreated, "POST", b.pathA+"/things/"+id+"/parts", nil, nil)
	require.Equal(t, b.pathA+"/parts/"+r.JSON()["id"].(string), r.Header.Get("Location"))
	do(t, b.a, http.StatusOK, "GET", r.Header.Get("Location"), nil, nil)

	conv := request.Conventions(b.things.table())
	require.Equal(t, "/api/v1/t/:tenant/things/:thing", conv["POST /api/v1/t/:tenant/things"].Location)
	require.Equal(t, "/api/v1/t/:tenant/parts/:part", conv["POST /api/v1/t/:tenant/things/:thing/parts"].Location)
	require.Empty(t, conv["POST /api/v1/me/notes"].Location)
	require.Empty(t, do(t, b.a, http.StatusCreated, "POST", "/api/v1/me/notes", nil, nil).Header.Get("Location"))
	require.True(t, conv["PATCH /api/v1/t/:tenant/things/:thing"].IfMatch)
	require.False(t, conv["PUT /api/v1/t/:tenant/things/:thing/tags/:tag"].IfMatch)
	require.True(t, conv["POST /api/v1/t/:tenant/things"].IdempotencyKey)
	require.False(t, conv["POST /api/v1/me/notes"].IdempotencyKey)
}
