package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/peer"
)

// peerRoutes are peer assessment of group assignments.
func (s *Server) peerRoutes() []Route {
	return []Route{
		{Method: "POST", Path: tp + "/assignments/:assignment/peer-assessment", Summary: "Set peer assessment of a group assignment: criteria learners rate their group members against", Area: AreaTenant, Object: "peer-assessment", Action: "write", Status: http.StatusCreated, Request: peer.NewAssessment{}, Reply: peer.Assessment{}, Handler: s.setPeerAssessment},
		{Method: "GET", Path: tp + "/peer-assessments/:peer/mine", Summary: "My group members to rate, what I gave, and the averages of what I received (never who gave it)", Area: AreaTenant, Object: "peer-rating", Action: "read", Reply: PeerMine{}, Handler: s.myPeerAssessment},
		{Method: "PUT", Path: tp + "/peer-assessments/:peer/ratings/:person", Summary: "Rate a member of my group (criterion → 1-5)", Area: AreaTenant, Object: "peer-rating", Action: "write", Status: http.StatusNoContent, Request: PeerScores{}, Handler: s.ratePeer},
		{Method: "GET", Path: tp + "/peer-assessments/:peer/results", Summary: "Every rating with who gave it, and suggested weightings (teachers; they decide the marks)", Area: AreaTenant, Object: "peer-assessment", Action: "read", Reply: peer.Results{}, Handler: s.peerResults},
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

func (s *Server) setPeerAssessment(c *gin.Context) {
	id, err := pathID(c, "assignment")
	if err != nil {
		fail(c, err)
		return
	}
	var in peer.NewAssessment
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Peers.Set(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) myPeerAssessment(c *gin.Context) {
	id, err := pathID(c, "peer")
	if err != nil {
		fail(c, err)
		return
	}
	a, members, received, err := s.Peers.Mine(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, PeerMine{Assessment: a, Members: members, Received: received}, err)
}

func (s *Server) ratePeer(c *gin.Context) {
	ids, err := pathIDs(c, "peer", "person")
	if err != nil {
		fail(c, err)
		return
	}
	id, person := ids[0], ids[1]
	var in PeerScores
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if err := s.Peers.Rate(c.Request.Context(), scope(c), id, person, in.Scores); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) peerResults(c *gin.Context) {
	id, err := pathID(c, "peer")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Peers.Results(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}
