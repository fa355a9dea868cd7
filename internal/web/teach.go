package web

import "github.com/schoolcloud/lms/internal/httpapi"

func (s *Site) teachPages() []httpapi.Route { return nil }
