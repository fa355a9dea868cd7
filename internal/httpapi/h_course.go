package httpapi

// courseRoutes are courses, sections, content items, files, enrolments and
// teaching groups.
func (s *Server) courseRoutes() []Route { return nil }
