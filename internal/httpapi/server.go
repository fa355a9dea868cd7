// Package httpapi is the JSON API under /api/v1 and the health and metrics
// endpoints: its route table (routes.go and the h_*.go files beside the
// handlers) and the handlers, which return their reply or an error. The
// request kernel (internal/request) runs the chain before them and writes
// what they return.
package httpapi

import (
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/services"
)

// Server holds the services and the kernel the handlers use.
type Server struct {
	services.Set
	k     *request.Kernel
	doc   openapiDoc
	doc30 openapiDoc // the same in OpenAPI 3.0.3
}

// New is the API over the services, standing on kernel k.
func New(set services.Set, k *request.Kernel) *Server {
	return &Server{Set: set, k: k}
}

// Routes is the API's route table.
func (s *Server) Routes() []request.Route { return s.table() }
