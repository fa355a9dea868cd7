package web

import "github.com/schoolcloud/lms/internal/httpapi"

func (s *Site) adminPages() []httpapi.Route { return nil }
