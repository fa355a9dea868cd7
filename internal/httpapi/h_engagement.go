package httpapi

// engagementRoutes are the engagement area's routes.
func (s *Server) engagementRoutes() []Route { return nil }
