package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/tutor"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

// tutorPages are personal tutoring: a tutor's tutees (engagement,
// meetings), what a learner shares with their tutor, and admins assigning
// and ending tutorships.
func (s *Site) tutorPages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/tutees", Summary: "My tutees", Area: request.AreaTenant,
			Object: "tutee", Action: "read", Handler: s.serve(s.tuteesPage)},
		{Method: "GET", Path: tp + "/tutees/:person", Summary: "A tutee: engagement, meetings",
			Area: request.AreaTenant, Object: "tutee", Action: "read", Handler: s.serve(withID("person", "There is no such tutee.", s.tuteePage))},
		{Method: "POST", Path: tp + "/tutees/:person/meetings", Summary: "Record a meeting",
			Area: request.AreaTenant, Object: "tutee", Action: "write", Handler: s.serve(withID("person", "There is no such tutee.", s.addMeetingPage))},
		{Method: "GET", Path: tp + "/my/tutor", Summary: "Share something with my personal tutor",
			Area: request.AreaTenant, Object: "my-data", Action: "read", Handler: s.serve(s.myTutorPage)},
		{Method: "POST", Path: tp + "/my/tutor",
			Summary: "Share something with my tutor (with my explicit consent)", Area: request.AreaTenant,
			Object: "my-data", Action: "write", Handler: s.serve(s.shareWithTutor)},
		{Method: "POST", Path: tp + "/my/tutor/:disclosure/withdraw",
			Summary: "Withdraw something I shared", Area: request.AreaTenant, Object: "my-data",
			Action: "write", Handler: s.serve(withID("disclosure", "There is nothing to withdraw.", s.withdrawShared))},
		{Method: "POST", Path: tp + "/admin/people/:id/tutors", Summary: "Assign a personal tutor",
			Area: request.AreaTenant, Object: "tutorship", Action: "write",
			Handler: s.serve(withID("id", "", s.assignTutorPage))},
		{Method: "POST", Path: tp + "/admin/people/:id/tutors/:tutor/end", Summary: "End a tutorship",
			Area: request.AreaTenant, Object: "tutorship", Action: "write", Handler: s.serve(s.endTutorPage)},
	}
}

func (s *Site) tuteesPage(c *gin.Context) (page, error) {
	ts, err := s.d.Tutors.Tutees(c.Request.Context(), request.Scope(c))
	return show("tutees", view{Title: "My tutees", Data: map[string]any{"Base": base(c), "Tutees": ts}}), err
}

type tuteeData struct {
	Base       string
	PersonID   uuid.UUID
	Name       string
	Engagement []tutor.CourseEngagement
	Meetings   []tutor.Meeting
	Shared     []tutor.Disclosure
	HasPhoto   bool // the tutee's photo consent allows showing it
}

func (s *Site) tuteePage(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showTutee(c, id, http.StatusOK, view{Form: map[string]string{}})
}

// showTutee is the tutee page with v's form (its values and errors).
func (s *Site) showTutee(c *gin.Context, id uuid.UUID, status int, v view) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	d := tuteeData{Base: base(c), PersonID: id}
	var err error
	if d.Engagement, err = s.d.Tutors.Engagement(ctx, sc, id); err == nil {
		if d.Meetings, err = s.d.Tutors.Meetings(ctx, sc, id); err == nil {
			d.Shared, err = s.d.Tutors.Disclosures(ctx, sc, id)
		}
	}
	if err != nil {
		return page{}, err
	}
	switch _, err := s.d.Media.Photo(ctx, sc, id); {
	case err == nil:
		d.HasPhoto = true
	case !notFound(err):
		return page{}, err
	}
	if ts, err := s.d.Tutors.Tutees(ctx, sc); err == nil {
		for _, t := range ts {
			if t.PersonID == id {
				d.Name = t.DisplayName
			}
		}
	}
	v.Title, v.Data, v.Fields = "Tutee: "+d.Name, d, []string{"met_on", "notes", "agreed_support"}
	return page{status: status, name: "tutee", view: v}, nil
}

func (s *Site) addMeetingPage(c *gin.Context, id uuid.UUID) (page, error) {
	in := tutor.NewMeeting{MetOn: c.PostForm("met_on"), Notes: c.PostForm("notes"), AgreedSupport: c.PostForm("agreed_support")}
	_, err := s.d.Tutors.AddMeeting(c.Request.Context(), request.Scope(c), id, in)
	if fe, ok := formErrors(err); ok {
		return s.showTutee(c, id, http.StatusBadRequest, view{Form: map[string]string{"met_on": in.MetOn, "notes": in.Notes, "agreed_support": in.AgreedSupport}, Errors: fe})
	}
	return goTo(base(c) + "/tutees/" + id.String() + "?done=meeting-saved"), err
}

func (s *Site) myTutorPage(c *gin.Context) (page, error) {
	return s.showMyTutor(c, http.StatusOK, view{Form: map[string]string{}})
}

// showMyTutor is the form to share with one's tutor, with v's values and errors.
func (s *Site) showMyTutor(c *gin.Context, status int, v view) (page, error) {
	sc := request.Scope(c)
	shared, err := s.d.Tutors.Disclosures(c.Request.Context(), sc, sc.Actor().ID)
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Share with my tutor", []string{"category", "details", "consent"}
	v.Data = map[string]any{"Base": base(c), "Shared": shared, "Wording": tutor.ConsentWording}
	return page{status: status, name: "my_tutor", view: v}, nil
}

func (s *Site) shareWithTutor(c *gin.Context) (page, error) {
	in := tutor.NewDisclosure{Category: c.PostForm("category"), Details: c.PostForm("details"), Consent: c.PostForm("consent") == "yes"}
	_, err := s.d.Tutors.Disclose(c.Request.Context(), request.Scope(c), in)
	if fe, ok := formErrors(err); ok {
		return s.showMyTutor(c, http.StatusBadRequest, view{Form: map[string]string{"category": in.Category, "details": in.Details}, Errors: fe})
	}
	return goTo(base(c) + "/my/tutor?done=shared"), err
}

func (s *Site) withdrawShared(c *gin.Context, id uuid.UUID) (page, error) {
	err := s.d.Tutors.Withdraw(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/my/tutor?done=withdrawn"), err
}

func (s *Site) assignTutorPage(c *gin.Context, learner uuid.UUID) (page, error) {
	tutorID, err := uuid.Parse(c.PostForm("tutor"))
	if err == nil {
		err = s.d.Tutors.Assign(c.Request.Context(), request.Scope(c), learner, tutorID)
	} else {
		err = errs.Field("tutor", "choose a tutor from the list")
	}
	if m, ok := formErrors(err); ok {
		return s.showPersonErrors(c, learner, m, "tutor")
	}
	return goTo(base(c) + "/admin/people/" + learner.String() + "?done=tutor-assigned"), err
}

func (s *Site) endTutorPage(c *gin.Context) (page, error) {
	learner, ok1 := pathID(c, "id")
	tutorID, ok2 := pathID(c, "tutor")
	if !ok1 || !ok2 {
		return page{}, errs.ErrNotFound
	}
	err := s.d.Tutors.End(c.Request.Context(), request.Scope(c), learner, tutorID)
	return goTo(base(c) + "/admin/people/" + learner.String() + "?done=tutor-ended"), err
}
