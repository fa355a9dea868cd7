package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/request"
)

// peerRoutes are peer assessment of group assignments.
func (s *Server) peerRoutes() []request.Route {
	return []request.Route{
		{Method: "POST", Path: tp + "/assignments/:assignment/peer-assessment",
			Summary: "Set peer assessment of a group assignment: criteria learners rate their group members against",
			Area:    request.AreaTenant, Object: "peer-assessment", Action: "write", Status: http.StatusCreated,
			Request: peer.NewAssessment{}, Reply: peer.Assessment{}, API: request.ByIDFromBody("assignment", s.Peers.Set)},
		{Method: "GET", Path: tp + "/peer-assessments/:peer/mine",
			Summary: "My group members to rate, what I gave, and the averages of what I received (never who gave it)",
			Area:    request.AreaTenant, Object: "peer-rating", Action: "read", Reply: PeerMine{},
			API: s.myPeerAssessment},
		{Method: "PUT", Path: tp + "/peer-assessments/:peer/ratings/:person",
			Summary: "Rate a member of my group (criterion → 1-5)", Area: request.AreaTenant,
			Object: "peer-rating", Action: "write", Status: http.StatusNoContent, Request: PeerScores{},
			API: s.ratePeer},
		{Method: "GET", Path: tp + "/peer-assessments/:peer/results",
			Summary: "Every rating with who gave it, and suggested weightings (teachers; they decide the marks)",
			Area:    request.AreaTenant, Object: "peer-assessment", Action: "read", Reply: peer.Results{},
			API: request.ByID("peer", s.Peers.Results)},
	}
}

// PeerMine is a learner's view of a peer assessment.
type PeerMine struct {
	Assessment peer.Assessment `json:"assessment"`
	Members    []peer.Member   `json:"members"`
	Received   []peer.Received `json:"received"`
}

// PeerScores are ratings of one member, criterion id → 1-5.
type PeerScores struct {
	Scores map[string]int `json:"scores"`
}

func (s *Server) myPeerAssessment(c *gin.Context) (any, error) {
	id, err := request.PathID(c, "peer")
	if err != nil {
		return nil, err
	}
	a, members, received, err := s.Peers.Mine(c.Request.Context(), request.Scope(c), id)
	return PeerMine{Assessment: a, Members: members, Received: received}, err
}

func (s *Server) ratePeer(c *gin.Context) (any, error) {
	ids, err := request.PathIDs(c, "peer", "person")
	if err != nil {
		return nil, err
	}
	var in PeerScores
	if err := request.BindJSON(c, &in); err != nil {
		return nil, err
	}
	return nil, s.Peers.Rate(c.Request.Context(), request.Scope(c), ids[0], ids[1], in.Scores)
}
