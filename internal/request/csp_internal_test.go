package request

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/config"
)

// Presigned links point at the endpoint (path-style) or at a subdomain of
// it per bucket (virtual-hosted, as on AWS): the pages' policy allows
// exactly that, or photos and videos would be refused by the browser.
func TestStoreOriginFollowsAddressing(t *testing.T) {
	s := &Kernel{Deps: Deps{Config: config.Config{S3Endpoint: "http://127.0.0.1:7070", S3PathStyle: true}}}
	require.Equal(t, "http://127.0.0.1:7070", s.storeOrigin())
	s.Config = config.Config{S3Endpoint: "https://s3.eu-west-2.amazonaws.com", S3PathStyle: false}
	require.Equal(t, "https://*.s3.eu-west-2.amazonaws.com", s.storeOrigin())
	s.Config = config.Config{S3Endpoint: "::"}
	require.Equal(t, "'none'", s.storeOrigin())
}
