package web

import "github.com/schoolcloud/lms/internal/httpapi"

func (s *Site) learnPages() []httpapi.Route { return nil }
