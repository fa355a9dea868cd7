package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/request"
)

// messagePages are the messages inbox and the forms to write to a course,
// or (admins) to a school or everyone.
func (s *Site) messagePages() []request.Route {
	return []request.Route{
		{Method: "GET", Path: tp + "/my/inbox", Summary: "My messages", Area: request.AreaTenant,
			Object: "my-data", Action: "read", Handler: s.serve(s.inboxPage)},
		{Method: "GET", Path: tp + "/courses/:course/messages", Summary: "Write to a course",
			Area: request.AreaTenant, Object: "course", Action: "read", Handler: s.serve(withID("course", "There is no such course.", s.courseMessageForm))},
		{Method: "POST", Path: tp + "/courses/:course/messages", Summary: "Send a message to a course",
			Area: request.AreaTenant, Object: "communication", Action: "write",
			Handler: s.serve(withID("course", "There is no such course.", s.sendCourseMessage))},
		{Method: "GET", Path: tp + "/admin/messages", Summary: "Write to a school or to everyone (admins)",
			Area: request.AreaTenant, Object: "communication", Action: "read",
			Handler: s.serve(s.adminMessageForm)},
		{Method: "POST", Path: tp + "/admin/messages", Summary: "Send a message to a school or to everyone",
			Area: request.AreaTenant, Object: "communication", Action: "write",
			Handler: s.serve(s.sendAdminMessage)},
	}
}

func (s *Site) inboxPage(c *gin.Context) (page, error) {
	ms, err := s.d.Comms.Inbox(c.Request.Context(), request.Scope(c))
	return show("inbox", view{Title: "Messages", Data: map[string]any{"Base": base(c), "Messages": ms}}), err
}

func (s *Site) courseMessageForm(c *gin.Context, id uuid.UUID) (page, error) {
	return s.showCourseMessage(c, id, http.StatusOK, view{Form: map[string]string{}})
}

// showCourseMessage is the form to write to a course, with v's values and errors.
func (s *Site) showCourseMessage(c *gin.Context, id uuid.UUID, status int, v view) (page, error) {
	if err := s.d.Comms.CanWriteTo(c.Request.Context(), request.Scope(c), id); err != nil {
		return page{}, err
	}
	v.Title, v.Fields, v.Data = "Write to the course", []string{"subject", "body"}, map[string]any{"Base": base(c), "CourseID": id}
	return page{status: status, name: "course_message", view: v}, nil
}

func (s *Site) sendCourseMessage(c *gin.Context, id uuid.UUID) (page, error) {
	in := comms.NewCommunication{CourseID: &id, Subject: c.PostForm("subject"), Body: c.PostForm("body"),
		Optional: c.PostForm("optional") == "yes", ByEmail: c.PostForm("by_email") == "yes"}
	_, err := s.d.Comms.Send(c.Request.Context(), request.Scope(c), in)
	if fe, ok := formErrors(err); ok {
		return s.showCourseMessage(c, id, http.StatusBadRequest, view{Form: map[string]string{"subject": in.Subject, "body": in.Body}, Errors: fe})
	}
	return goTo(base(c) + "/courses/" + id.String() + "/messages?done=message-sent"), err
}

func (s *Site) adminMessageForm(c *gin.Context) (page, error) {
	return s.showAdminMessage(c, http.StatusOK, view{Form: map[string]string{}})
}

// showAdminMessage is the form to write to a school or everyone, with v's
// values and errors.
func (s *Site) showAdminMessage(c *gin.Context, status int, v view) (page, error) {
	schools, err := s.schoolsOf(c)
	if err != nil {
		return page{}, err
	}
	v.Title, v.Fields = "Write to a school or everyone", []string{"audience", "subject", "body"}
	v.Data = map[string]any{"Base": base(c), "Schools": schools}
	return page{status: status, name: "admin_message", view: v}, nil
}

func (s *Site) sendAdminMessage(c *gin.Context) (page, error) {
	form := map[string]string{"audience": c.PostForm("audience"), "subject": c.PostForm("subject"), "body": c.PostForm("body")}
	in := comms.NewCommunication{Subject: form["subject"], Body: form["body"],
		Optional: c.PostForm("optional") == "yes", ByEmail: c.PostForm("by_email") == "yes"}
	fe := map[string]string{}
	if a := form["audience"]; a != "everyone" {
		id, err := uuid.Parse(a)
		if err != nil {
			fe["audience"] = "Choose a school, or everyone"
		}
		in.SchoolID = &id
	}
	if len(fe) == 0 {
		_, err := s.d.Comms.Send(c.Request.Context(), request.Scope(c), in)
		if fe, err = formOutcome(err, map[string]string{"school_id": "audience", "course_id": "audience"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.showAdminMessage(c, http.StatusBadRequest, view{Form: form, Errors: fe})
	}
	return goTo(base(c) + "/admin/messages?done=message-sent"), nil
}
