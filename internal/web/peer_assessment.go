package web

import (
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// peerPages are peer assessment: a learner rates their group members and
// sees the averages they received; teachers set it from an assignment's
// page and see every rating.
func (s *Site) peerPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/peer-assessments/:peer",
			Summary: "Peer assessment: rate my group members; what I received (averages only)",
			Area:    request.AreaTenant, Object: "peer-rating", Action: "read", Handler: s.serve(withID("peer", "There is no such peer assessment.", s.peerPage))},
		{Method: "POST", Path: tp + "/peer-assessments/:peer/ratings/:person",
			Summary: "Rate a group member", Area: request.AreaTenant, Object: "peer-rating", Action: "write",
			Handler: s.serve(s.ratePeerPage)},
		{Method: "POST", Path: tp + "/assignments/:assignment/peer-assessment",
			Summary: "Set peer assessment of an assignment", Area: request.AreaTenant,
			Object: "peer-assessment", Action: "write", Handler: s.serve(withID("assignment", "There is no such assignment.", s.setPeerPage))},
	}
}

type peerData struct {
	Base       string
	Assessment peer.Assessment
	Members    []peer.Member
	Received   []peer.Received
	Results    *peer.Results
}

func (s *Site) peerPage(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	d := peerData{Base: base(c)}
	var err error
	if res, rerr := s.d.Peers.Results(ctx, sc, id); rerr == nil {
		d.Results, d.Assessment = &res, res.Assessment
	} else if d.Assessment, d.Members, d.Received, err = s.d.Peers.Mine(ctx, sc, id); err != nil {
		return page{}, err
	}
	return show("peer", view{Title: "Peer assessment", Data: d}), nil
}

func (s *Site) ratePeerPage(c *gin.Context) (page, error) {
	id, ok1 := pathID(c, "peer")
	person, ok2 := pathID(c, "person")
	if !ok1 || !ok2 {
		return page{}, errs.New(errs.ErrNotFound, "There is no such peer assessment.")
	}
	scores := map[string]int{}
	for i := 1; i <= 10; i++ {
		k := "c" + strconv.Itoa(i)
		if v := c.PostForm(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return page{}, errs.Field(k, "must be 1-5")
			}
			scores[k] = n
		}
	}
	err := s.d.Peers.Rate(c.Request.Context(), request.Scope(c), id, person, scores)
	return goTo(base(c) + "/peer-assessments/" + id.String() + "?done=rated"), err
}

// setPeerPage sets peer assessment from the assignment page's form:
// criteria one per line.
func (s *Site) setPeerPage(c *gin.Context, id uuid.UUID) (page, error) {
	form := map[string]string{"criteria": c.PostForm("criteria"), "peer_closes_at": c.PostForm("peer_closes_at")}
	fe := map[string]string{}
	in := peer.NewAssessment{Criteria: lines(form["criteria"])}
	in.ClosesAt = localTime(fe, "peer_closes_at", form["peer_closes_at"], s.zone(c))
	var a peer.Assessment
	if len(fe) == 0 {
		var err error
		a, err = s.d.Peers.Set(c.Request.Context(), request.Scope(c), id, in)
		if fe, err = formOutcome(err, map[string]string{"criteria": "criteria", "closes_at": "peer_closes_at"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		d, err := s.assignmentView(c, id)
		if err != nil {
			return page{}, err
		}
		return again("assignment", view{Title: d.A.Title, Form: form, Errors: fe, Fields: []string{"criteria", "peer_closes_at"}, Data: d}), nil
	}
	return goTo(base(c) + "/peer-assessments/" + a.ID.String() + "?done=peer-set"), nil
}
