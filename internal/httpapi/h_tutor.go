package httpapi

import (
	"net/http"

	"github.com/schoolcloud/lms/internal/lms/tutor"
	"github.com/schoolcloud/lms/internal/request"
)

// tutorRoutes are personal tutoring: assigning tutors (admins), tutees'
// engagement and meetings (tutors), and what learners share with their
// tutor (only with their explicit consent).
func (s *Server) tutorRoutes() []request.Route {
	return []request.Route{
		{Method: "PUT", Path: tp + "/people/:id/tutors/:tutor",
			Summary: "Make a member with the tutor role a learner's personal tutor", Area: request.AreaTenant,
			Object: "tutorship", Action: "write", Status: http.StatusNoContent, API: request.DoByIDs("id", "tutor", s.Tutors.Assign)},
		{Method: "DELETE", Path: tp + "/people/:id/tutors/:tutor",
			Summary: "End a tutorship (the tutor's access ends at once)", Area: request.AreaTenant,
			Object: "tutorship", Action: "write", Status: http.StatusNoContent, API: request.DoByIDs("id", "tutor", s.Tutors.End)},
		{Method: "GET", Path: tp + "/tutees",
			Summary: "My tutees (tutors): learners in force, not those who left", Area: request.AreaTenant,
			Object: "tutee", Action: "read", Reply: request.Page[tutor.Tutee]{},
			API: request.PagedScoped(tutor.Tutee.At, s.Tutors.TuteePage)},
		{Method: "GET", Path: tp + "/tutees/:person/engagement",
			Summary: "A tutee's engagement on each of their courses over 28 days", Area: request.AreaTenant,
			Object: "tutee", Action: "read", Reply: request.Page[tutor.CourseEngagement]{},
			API: request.PagedByID("person", tutor.CourseEngagement.At, s.Tutors.EngagementPage)},
		{Method: "GET", Path: tp + "/tutees/:person/meetings", Summary: "Meetings with a tutee",
			Area: request.AreaTenant, Object: "tutee", Action: "read", Reply: request.Page[tutor.Meeting]{},
			API: request.PagedByID("person", tutor.Meeting.At, s.Tutors.MeetingPage)},
		{Method: "POST", Path: tp + "/tutees/:person/meetings",
			Summary: "Record a meeting and the support agreed", Area: request.AreaTenant, Object: "tutee",
			Action: "write", Status: http.StatusCreated, Request: tutor.NewMeeting{}, Reply: tutor.Meeting{},
			API: request.ByIDFromBody("person", s.Tutors.AddMeeting)},
		{Method: "GET", Path: tp + "/people/:id/disclosures",
			Summary: "What a learner shared about their health or a disability (the learner, their tutor, the staff they named; nobody else)",
			Area:    request.AreaTenant, Object: "disclosure", Action: "read", Reply: request.Page[tutor.Disclosure]{},
			API: request.PagedByID("id", tutor.Disclosure.At, s.Tutors.DisclosurePage)},
		{Method: "POST", Path: tp + "/my/disclosures",
			Summary: "Share something about my health or a disability with my tutor (needs my explicit consent)",
			Area:    request.AreaTenant, Object: "my-data", Action: "write", Status: http.StatusCreated,
			Request: tutor.NewDisclosure{}, Reply: tutor.Disclosure{}, API: request.FromBody(s.Tutors.Disclose)},
		{Method: "DELETE", Path: tp + "/my/disclosures/:disclosure", Summary: "Withdraw something I shared",
			Area: request.AreaTenant, Object: "my-data", Action: "write", Status: http.StatusNoContent,
			API: request.DoByID("disclosure", s.Tutors.Withdraw)},
	}
}
