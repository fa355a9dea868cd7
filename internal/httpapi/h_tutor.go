package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/schoolcloud/lms/internal/lms/tutor"
)

// tutorRoutes are personal tutoring: assigning tutors (admins), tutees'
// engagement and meetings (tutors), and what learners share with their
// tutor (only with their explicit consent).
func (s *Server) tutorRoutes() []Route {
	return []Route{
		{Method: "PUT", Path: tp + "/people/:id/tutors/:tutor", Summary: "Make a member with the tutor role a learner's personal tutor", Area: AreaTenant, Object: "tutorship", Action: "write", Status: http.StatusNoContent, Handler: s.assignTutor},
		{Method: "DELETE", Path: tp + "/people/:id/tutors/:tutor", Summary: "End a tutorship (the tutor's access ends at once)", Area: AreaTenant, Object: "tutorship", Action: "write", Status: http.StatusNoContent, Handler: s.endTutor},
		{Method: "GET", Path: tp + "/tutees", Summary: "My tutees (tutors): learners in force, not those who left", Area: AreaTenant, Object: "tutee", Action: "read", Reply: []tutor.Tutee{}, Handler: s.listTutees},
		{Method: "GET", Path: tp + "/tutees/:person/engagement", Summary: "A tutee's engagement on each of their courses over 28 days", Area: AreaTenant, Object: "tutee", Action: "read", Reply: []tutor.CourseEngagement{}, Handler: s.tuteeEngagement},
		{Method: "GET", Path: tp + "/tutees/:person/meetings", Summary: "Meetings with a tutee", Area: AreaTenant, Object: "tutee", Action: "read", Reply: []tutor.Meeting{}, Handler: s.tuteeMeetings},
		{Method: "POST", Path: tp + "/tutees/:person/meetings", Summary: "Record a meeting and the support agreed", Area: AreaTenant, Object: "tutee", Action: "write", Status: http.StatusCreated, Request: tutor.NewMeeting{}, Reply: tutor.Meeting{}, Handler: s.addMeeting},
		{Method: "GET", Path: tp + "/people/:id/disclosures", Summary: "What a learner shared about their health or a disability (the learner, their tutor, the staff they named; nobody else)", Area: AreaTenant, Object: "disclosure", Action: "read", Reply: []tutor.Disclosure{}, Handler: s.disclosures},
		{Method: "POST", Path: tp + "/my/disclosures", Summary: "Share something about my health or a disability with my tutor (needs my explicit consent)", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated, Request: tutor.NewDisclosure{}, Reply: tutor.Disclosure{}, Handler: s.disclose},
		{Method: "DELETE", Path: tp + "/my/disclosures/:disclosure", Summary: "Withdraw something I shared", Area: AreaTenant, Object: "my-data", Action: "write", Status: http.StatusNoContent, Handler: s.withdrawDisclosure},
	}
}

func (s *Server) assignTutor(c *gin.Context) {
	ids, err := pathIDs(c, "id", "tutor")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Tutors.Assign(c.Request.Context(), scope(c), ids[0], ids[1]); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) endTutor(c *gin.Context) {
	ids, err := pathIDs(c, "id", "tutor")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Tutors.End(c.Request.Context(), scope(c), ids[0], ids[1]); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listTutees(c *gin.Context) {
	out, err := s.Tutors.Tutees(c.Request.Context(), scope(c))
	reply(c, http.StatusOK, out, err)
}

func (s *Server) tuteeEngagement(c *gin.Context) {
	id, err := pathID(c, "person")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tutors.Engagement(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) tuteeMeetings(c *gin.Context) {
	id, err := pathID(c, "person")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tutors.Meetings(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) addMeeting(c *gin.Context) {
	id, err := pathID(c, "person")
	if err != nil {
		fail(c, err)
		return
	}
	var in tutor.NewMeeting
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tutors.AddMeeting(c.Request.Context(), scope(c), id, in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) disclosures(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tutors.Disclosures(c.Request.Context(), scope(c), id)
	reply(c, http.StatusOK, out, err)
}

func (s *Server) disclose(c *gin.Context) {
	var in tutor.NewDisclosure
	if err := bindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	out, err := s.Tutors.Disclose(c.Request.Context(), scope(c), in)
	reply(c, http.StatusCreated, out, err)
}

func (s *Server) withdrawDisclosure(c *gin.Context) {
	id, err := pathID(c, "disclosure")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.Tutors.Withdraw(c.Request.Context(), scope(c), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
