package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/request"
)

// markingPages are how a teacher sets and marks assignments in the
// browser: set and edit one, grant a learner extra time on it, mark with
// text and a file and go on to the next learner, release marks to some
// learners, download every hand-in as one zip; and an admin sets a
// learner's standing arrangement on their person page. Each form posts to
// the assignment service, which decides who may.
func (s *Site) markingPages() []request.Route {
	const noSection, noAssignment, noSubmission = "There is no such section.", "There is no such assignment.", "There is no such work."
	return []request.Route{
		{Method: "GET", Path: tp + "/sections/:section/assignments/new", Summary: "Set an assignment in a section (its course's teachers)",
			Area: request.AreaTenant, Object: "assignment", Action: "read", Handler: s.serve(withID("section", noSection, s.newAssignmentPage))},
		{Method: "POST", Path: tp + "/sections/:section/assignments", Summary: "Set an assignment",
			Area: request.AreaTenant, Object: "assignment", Action: "write", Handler: s.serve(withID("section", noSection, s.createAssignment))},
		{Method: "GET", Path: tp + "/assignments/:assignment/edit", Summary: "Change an assignment (its course's teachers)",
			Area: request.AreaTenant, Object: "assignment", Action: "read", Handler: s.serve(withID("assignment", noAssignment, s.editAssignmentPage))},
		{Method: "POST", Path: tp + "/assignments/:assignment/edit", Summary: "Save an assignment",
			Area: request.AreaTenant, Object: "assignment", Action: "write", Handler: s.serve(withID("assignment", noAssignment, s.saveAssignment))},
		{Method: "POST", Path: tp + "/assignments/:assignment/extra-time", Summary: "Give a learner extra time on an assignment",
			Area: request.AreaTenant, Object: "assignment", Action: "write", Handler: s.serve(withID("assignment", noAssignment, s.setExtraTime))},
		{Method: "POST", Path: tp + "/assignments/:assignment/release-chosen", Summary: "Release the marks of the ticked learners",
			Area: request.AreaTenant, Object: "mark", Action: "write", Handler: s.serve(withID("assignment", noAssignment, s.releaseChosen))},
		{Method: "GET", Path: tp + "/assignments/:assignment/hand-ins.zip", Summary: "Every hand-in of an assignment as one zip (a folder per learner)",
			Area: request.AreaTenant, Object: "submission", Action: "read", Handler: s.serve(withID("assignment", noAssignment, s.handInsZip))},
		{Method: "POST", Path: tp + "/submissions/:submission/marking", Summary: "Mark work: score, feedback and a feedback file (streamed); optionally go to the next learner",
			Area: request.AreaTenant, Upload: true, Object: "mark", Action: "write", Handler: s.serve(withID("submission", noSubmission, s.markWithFile))},
		{Method: "GET", Path: tp + "/submissions/:submission/feedback-file", Summary: "The feedback file of marked work (a short-lived link)",
			Area: request.AreaTenant, Object: "mark", Action: "read", Handler: s.serve(withID("submission", noSubmission, s.feedbackFile))},
		{Method: "POST", Path: tp + "/admin/people/:id/arrangement", Summary: "Set a learner's standing extra time (admins)",
			Area: request.AreaTenant, Object: "arrangement", Action: "write", Handler: s.serve(withID("id", "There is no such person.", s.setArrangement))},
	}
}

var assignmentFields = []string{"title", "instructions", "opens_at", "due_at", "closes_at", "max_score", "hand_in", "published"}

// assignmentFormData is what the set and edit forms show besides the
// fields.
type assignmentFormData struct {
	Base    string
	Action  string // where the form posts
	Back    string
	Editing bool
	HandIns []choice
}

// choice is one radio button or option of a form.
type choice struct{ Value, Label string }

// handInChoices are the hand-in kinds as the form offers them.
var handInChoices = []choice{{assignment.HandInBoth, "A written answer, files, or both"},
	{assignment.HandInText, "A written answer only"}, {assignment.HandInFiles, "Files only"}}

// rosterNames are the marking roster's statuses as pages say them.
var rosterNames = map[assignment.Status]string{assignment.StatusHandedIn: "Handed in", assignment.StatusLate: "Handed in late",
	assignment.StatusMissing: "Not handed in", assignment.StatusMarked: "Marked, not released", assignment.StatusReleased: "Released"}

func (s *Site) newAssignmentPage(c *gin.Context, id uuid.UUID) (page, error) {
	sec, err := s.d.Courses.GetSection(c.Request.Context(), request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	now := s.now().In(s.zone(c))
	form := map[string]string{"opens_at": now.Format(dateTimeLocal), "due_at": now.Add(7 * 24 * time.Hour).Format(dateTimeLocal),
		"max_score": "10", "hand_in": assignment.HandInBoth, "published": "yes"}
	return s.assignmentForm(c, http.StatusOK, false, "/sections/"+id.String()+"/assignments", "/courses/"+sec.CourseID.String(), view{Form: form}), nil
}

func (s *Site) assignmentForm(c *gin.Context, status int, editing bool, action, back string, v view) page {
	v.Title, v.Fields = "Set an assignment", assignmentFields
	if editing {
		v.Title = "Change the assignment"
	}
	v.Data = assignmentFormData{Base: base(c), Action: base(c) + action, Back: base(c) + back, Editing: editing, HandIns: handInChoices}
	return page{status: status, name: "assignment_form", view: v}
}

// readAssignmentForm reads the form's fields; what does not parse is a
// field error before the service is asked.
type assignmentInput struct {
	opens, due time.Time
	closes     *time.Time
	max        float64
}

func (s *Site) readAssignmentForm(c *gin.Context) (map[string]string, map[string]string, assignmentInput) {
	form := postedAsIs(c, assignmentFields...)
	for _, k := range []string{"title", "opens_at", "due_at", "closes_at", "max_score", "hand_in", "published"} {
		form[k] = strings.TrimSpace(form[k])
	}
	fe := map[string]string{}
	var in assignmentInput
	in.opens = localTime(fe, "opens_at", form["opens_at"], s.zone(c))
	in.due = localTime(fe, "due_at", form["due_at"], s.zone(c))
	if form["closes_at"] != "" {
		t := localTime(fe, "closes_at", form["closes_at"], s.zone(c))
		in.closes = &t
	}
	var err error
	if in.max, err = strconv.ParseFloat(form["max_score"], 64); err != nil {
		fe["max_score"] = "Enter the maximum mark as a number, such as 10 or 100"
	}
	return form, fe, in
}

var assignmentFieldNames = map[string]string{"title": "title", "instructions": "instructions", "opens_at": "opens_at", "due_at": "due_at",
	"closes_at": "closes_at", "max_score": "max_score", "hand_in": "hand_in"}

func (s *Site) createAssignment(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	sec, err := s.d.Courses.GetSection(ctx, sc, id)
	if err != nil {
		return page{}, err
	}
	form, fe, in := s.readAssignmentForm(c)
	var a assignment.Assignment
	if len(fe) == 0 {
		published := form["published"] == "yes"
		a, err = s.d.Assignments.Create(ctx, sc, sec.CourseID, assignment.NewAssignment{SectionID: id, Title: form["title"],
			Instructions: form["instructions"], OpensAt: &in.opens, DueAt: in.due, ClosesAt: in.closes, MaxScore: in.max,
			HandIn: form["hand_in"], Published: &published})
		if fe, err = formOutcome(err, assignmentFieldNames); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.assignmentForm(c, http.StatusBadRequest, false, "/sections/"+id.String()+"/assignments", "/courses/"+sec.CourseID.String(),
			view{Form: form, Errors: fe}), nil
	}
	return goTo(base(c) + "/assignments/" + a.ID.String() + "?done=assignment-set"), nil
}

// staffAssignment is the assignment for its course's teachers; a learner
// who can see it is refused.
func (s *Site) staffAssignment(c *gin.Context, id uuid.UUID) (assignment.Assignment, error) {
	a, err := s.d.Assignments.Get(c.Request.Context(), request.Scope(c), id)
	if err == nil && a.EffectiveDueAt != nil {
		err = errs.New(errs.ErrForbidden, "Only the course's teachers change an assignment.")
	}
	return a, err
}

func (s *Site) editAssignmentPage(c *gin.Context, id uuid.UUID) (page, error) {
	a, err := s.staffAssignment(c, id)
	if err != nil {
		return page{}, err
	}
	form := map[string]string{"title": a.Title, "instructions": a.Instructions, "opens_at": localtime.Input(a.OpensAt, s.zone(c)),
		"due_at": localtime.Input(a.DueAt, s.zone(c)), "max_score": strconv.FormatFloat(a.MaxScore, 'f', -1, 64), "hand_in": a.HandIn}
	if a.ClosesAt != nil {
		form["closes_at"] = localtime.Input(*a.ClosesAt, s.zone(c))
	}
	if a.Published {
		form["published"] = "yes"
	}
	return s.assignmentForm(c, http.StatusOK, true, "/assignments/"+id.String()+"/edit", "/assignments/"+id.String(), view{Form: form}), nil
}

func (s *Site) saveAssignment(c *gin.Context, id uuid.UUID) (page, error) {
	if _, err := s.staffAssignment(c, id); err != nil {
		return page{}, err
	}
	form, fe, in := s.readAssignmentForm(c)
	if len(fe) == 0 {
		published := form["published"] == "yes"
		patch := assignment.AssignmentPatch{Title: ptrTo(form["title"]), Instructions: ptrTo(form["instructions"]), OpensAt: &in.opens,
			DueAt: &in.due, ClosesAt: in.closes, NoLateWork: in.closes == nil, MaxScore: &in.max, HandIn: ptrTo(form["hand_in"]), Published: &published}
		_, err := s.d.Assignments.Update(c.Request.Context(), request.Scope(c), id, patch)
		if fe, err = formOutcome(err, assignmentFieldNames); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.assignmentForm(c, http.StatusBadRequest, true, "/assignments/"+id.String()+"/edit", "/assignments/"+id.String(),
			view{Form: form, Errors: fe}), nil
	}
	return goTo(base(c) + "/assignments/" + id.String() + "?done=assignment-saved"), nil
}

func ptrTo[T any](v T) *T { return &v }

// setExtraTime gives the chosen learner extra time on this assignment.
func (s *Site) setExtraTime(c *gin.Context, id uuid.UUID) (page, error) {
	form := posted(c, "person_id", "extra_time_percent")
	fe := map[string]string{}
	person, err := uuid.Parse(form["person_id"])
	if err != nil {
		fe["person_id"] = "Choose a learner"
	}
	pct, err := strconv.Atoi(form["extra_time_percent"])
	if err != nil {
		fe["extra_time_percent"] = "Enter a whole number from 0 to 300"
	}
	if len(fe) == 0 {
		_, err = s.d.Assignments.SetExtraTime(c.Request.Context(), request.Scope(c), id, person, assignment.ArrangementInput{ExtraTimePercent: &pct})
		if fe, err = formOutcome(err, map[string]string{"person_id": "person_id", "extra_time_percent": "extra_time_percent"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		d, err := s.assignmentView(c, id)
		if err != nil {
			return page{}, err
		}
		return again("assignment", view{Title: d.A.Title, Errors: fe, Fields: []string{"person_id", "extra_time_percent"}, Form: form, Data: d}), nil
	}
	return goTo(base(c) + "/assignments/" + id.String() + "?done=extra-time"), nil
}

// releaseChosen releases the marks of the ticked learners.
func (s *Site) releaseChosen(c *gin.Context, id uuid.UUID) (page, error) {
	var in assignment.ReleaseInput
	for _, v := range c.PostFormArray("submission_ids") {
		sid, err := uuid.Parse(v)
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "Tick learners from the list.")
		}
		in.SubmissionIDs = append(in.SubmissionIDs, sid)
	}
	_, err := s.d.Assignments.ReleaseChosen(c.Request.Context(), request.Scope(c), id, in)
	if m, isField := formErrors(err); isField {
		d, err := s.assignmentView(c, id)
		if err != nil {
			return page{}, err
		}
		fe := map[string]string{"submission_ids": "Tick the learners whose marked work to release"}
		if len(in.SubmissionIDs) > 0 {
			fe["submission_ids"] = "Only marked work can be released: " + firstMessage(m)
		}
		return again("assignment", view{Title: d.A.Title, Errors: fe, Fields: []string{"submission_ids"}, Data: d}), nil
	}
	return goTo(base(c) + "/assignments/" + id.String() + "?done=released-chosen"), err
}

// handInsZip streams every hand-in as one zip, a folder per learner.
func (s *Site) handInsZip(c *gin.Context, id uuid.UUID) (page, error) {
	ctx := c.Request.Context()
	h, err := s.d.Assignments.HandIns(ctx, request.Scope(c), id)
	if err != nil {
		return page{}, err
	}
	return send(file{contentType: "application/zip", attachment: h.Name,
		write: func(w io.Writer) error { return h.Write(ctx, w) }}), nil
}

// markWithFile reads the mark form as it streams (a feedback file goes to
// the store as it arrives), saves the mark, and goes to the next learner
// who handed in when "Save and go to the next learner" was pressed.
func (s *Site) markWithFile(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	d, err := s.submissionView(c, id)
	if err != nil {
		return page{}, err
	}
	if !d.Marking {
		return page{}, errs.ErrNotFound
	}
	mr := request.MultipartOf(c)
	if mr == nil {
		return page{}, errs.New(errs.ErrInvalid, "Send the form from the marking page (multipart/form-data).")
	}
	form := map[string]string{}
	fe := map[string]string{}
	var fileID *uuid.UUID
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "The form could not be read. Try sending it again.")
		}
		switch name := part.FormName(); name {
		case "score", "feedback", "released", "next", "remove_file":
			b, err := io.ReadAll(io.LimitReader(part, 20_001))
			if err != nil {
				return page{}, errs.New(errs.ErrInvalid, "The form could not be read. Try sending it again.")
			}
			if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
				fe[name] = "This holds characters that are not text. Retype it."
				continue
			}
			form[name] = string(b)
		case "feedback_file":
			if part.FileName() == "" {
				_, _ = io.Copy(io.Discard, part)
				continue
			}
			f, err := s.d.Files.Upload(ctx, sc, part.FileName(), part)
			if m, isField := formErrors(err); isField {
				fe["feedback_file"] = part.FileName() + ": " + firstMessage(m)
				continue
			} else if err != nil {
				return page{}, err
			}
			fileID = &f.ID
		default:
			_, _ = io.Copy(io.Discard, part)
		}
	}
	form["score"] = strings.TrimSpace(form["score"])
	score, err := strconv.ParseFloat(form["score"], 64)
	if err != nil && fe["score"] == "" {
		fe["score"] = "Enter the score as a number, for example 7 or 7.5"
	}
	if len(fe) == 0 {
		released := form["released"] == "on"
		in := assignment.MarkInput{Score: &score, Feedback: form["feedback"], Released: &released, FeedbackFileID: fileID}
		if fileID == nil && d.Mark != nil && form["remove_file"] != "on" {
			in.FeedbackFileID = d.Mark.FeedbackFileID // keep the file already given
		}
		_, err = s.d.Assignments.SetMark(ctx, sc, id, in)
		if fe, err = formOutcome(err, map[string]string{"score": "score", "feedback": "feedback", "feedback_file_id": "feedback_file"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return again("submission", view{Title: "Work by " + d.Sub.DisplayName, Form: form, Errors: fe,
			Fields: []string{"score", "feedback", "feedback_file"}, Data: d}), nil
	}
	if form["next"] == "yes" {
		r, err := s.d.Assignments.Roster(ctx, sc, d.A.ID, "")
		if err != nil {
			return page{}, err
		}
		if next := nextHandIn(r.Learners, d.Sub.PersonID); next != nil {
			return goTo(base(c) + "/submissions/" + next.String() + "?done=marked"), nil
		}
		return goTo(base(c) + "/assignments/" + d.A.ID.String() + "?done=marked-last"), nil
	}
	return goTo(base(c) + "/submissions/" + id.String() + "?done=marked"), nil
}

// nextHandIn is the submission of the next learner on the roster, after
// person, who handed in (nil after the last).
func nextHandIn(rows []assignment.RosterRow, person uuid.UUID) *uuid.UUID {
	seen := false
	for _, r := range rows {
		if seen && r.SubmissionID != nil {
			return r.SubmissionID
		}
		seen = seen || r.PersonID == person
	}
	return nil
}

// setArrangement sets a learner's standing extra time from their person
// page (admins).
func (s *Site) setArrangement(c *gin.Context, id uuid.UUID) (page, error) {
	form := posted(c, "extra_time_percent")
	pct, err := strconv.Atoi(form["extra_time_percent"])
	fe := map[string]string{}
	if err != nil {
		fe["extra_time_percent"] = "Enter a whole number from 0 to 300"
	} else {
		_, err = s.d.Assignments.SetArrangement(c.Request.Context(), request.Scope(c), id, assignment.ArrangementInput{ExtraTimePercent: &pct})
		if fe, err = formOutcome(err, map[string]string{"extra_time_percent": "extra_time_percent", "person": "extra_time_percent"}); err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return s.showPersonErrors(c, id, fe, "extra_time_percent")
	}
	return goTo(base(c) + "/admin/people/" + id.String() + "?done=arrangement-set"), nil
}

// feedbackFile sends the reader to their feedback file (the learner once
// released, the course's teachers always).
func (s *Site) feedbackFile(c *gin.Context, id uuid.UUID) (page, error) {
	m, err := s.d.Assignments.GetMark(c.Request.Context(), request.Scope(c), id)
	if err == nil && m.FeedbackFile == nil {
		err = errs.New(errs.ErrNotFound, "There is no feedback file.")
	}
	if err != nil {
		return page{}, err
	}
	return goTo(m.FeedbackFile.URL), nil
}
