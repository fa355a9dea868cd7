package httpapi

// discussionRoutes are the discussion area's routes.
func (s *Server) discussionRoutes() []Route { return nil }
