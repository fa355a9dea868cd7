package httpapi

// assignmentRoutes are the assignment area's routes.
func (s *Server) assignmentRoutes() []Route { return nil }
