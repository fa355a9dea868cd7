// The Go client program's own module: it needs what the generated client
// imports (oapi-codegen's runtime) and nothing of the platform's.
module lmsclient

go 1.26.0

require (
	github.com/google/uuid v1.6.0
	github.com/oapi-codegen/runtime v1.1.2
	golang.org/x/oauth2 v0.38.0
)

require github.com/apapsch/go-jsonmerge/v2 v2.0.0 // indirect
