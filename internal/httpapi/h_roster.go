package httpapi

// rosterRoutes are the roster area's routes.
func (s *Server) rosterRoutes() []Route { return nil }
