package web

import "github.com/schoolcloud/lms/internal/httpapi"

func (s *Site) platformPages() []httpapi.Route { return nil }
