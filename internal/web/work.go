package web

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
)

type assignmentData struct {
	Base     string
	A        assignment.Assignment
	HandIn   string // what may be handed in, in words
	Learner  bool
	Mine     *assignment.SubmissionView
	Open     bool // the learner may still hand in
	Late     bool // and it would be late
	MaxFiles int
	// Staff: every learner of the course, filtered by Status, with the
	// count of each status, and extra time given on this assignment.
	Roster     []rosterRow
	Status     assignment.Status
	Counts     []statusCount
	Everyone   int
	Learners   []assignment.RosterRow // all of them, for the extra time form
	ExtraTimes []assignment.ExtraTime
	Releasable bool // some shown are marked, not released
}

type rosterRow struct {
	assignment.RosterRow
	Label string
	Due   bool // the learner's due date has passed
}

type statusCount struct {
	Status assignment.Status
	Label  string
	N      int
}

// assignmentView gathers the assignment page for the caller: a learner's
// own work and released feedback, or a teacher's list of submissions.
func (s *Site) assignmentView(c *gin.Context, id uuid.UUID) (assignmentData, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	a, err := s.d.Assignments.Get(ctx, sc, id)
	if err != nil {
		return assignmentData{}, err
	}
	d := assignmentData{Base: base(c), A: a, Learner: a.EffectiveDueAt != nil, MaxFiles: assignment.MaxFiles}
	for _, ch := range handInChoices {
		if ch.Value == a.HandIn {
			d.HandIn = ch.Label
		}
	}
	now := s.now()
	if d.Learner {
		mine, err := s.d.Assignments.MySubmission(ctx, sc, id)
		switch {
		case err == nil:
			d.Mine = &mine
		case !notFound(err):
			return d, err
		}
		d.Open = !now.Before(a.OpensAt) && !now.After(*a.EffectiveClosesAt)
		d.Late = now.After(*a.EffectiveDueAt)
		return d, nil
	}
	d.Status = assignment.Status(c.Query("status"))
	r, err := s.d.Assignments.Roster(ctx, sc, id, "")
	if err != nil {
		return d, err
	}
	d.Learners = r.Learners
	for _, st := range assignment.RosterStatuses {
		d.Counts = append(d.Counts, statusCount{Status: st, Label: rosterNames[st], N: r.Counts[st]})
		d.Everyone += r.Counts[st]
	}
	for _, l := range r.Learners {
		if d.Status != "" && l.Status != d.Status {
			continue
		}
		d.Roster = append(d.Roster, rosterRow{RosterRow: l, Label: rosterNames[l.Status], Due: now.After(l.EffectiveDueAt)})
		d.Releasable = d.Releasable || l.Status == assignment.StatusMarked
	}
	if d.Status != "" && rosterNames[d.Status] == "" {
		return d, errs.Field("status", "must be one of: handed-in late missing marked released")
	}
	d.ExtraTimes, err = s.d.Assignments.ListExtraTime(ctx, sc, id)
	return d, err
}

func (s *Site) assignmentPage(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.assignmentView(c, id)
	if err != nil {
		return page{}, err
	}
	// The peer assessment form (teachers) suggests closing in a week.
	form := map[string]string{"peer_closes_at": s.now().In(s.zone(c)).Add(7 * 24 * time.Hour).Format(dateTimeLocal)}
	return show("assignment", view{Title: d.A.Title, Form: form, Data: d}), nil
}

// submitWork streams the form's files into storage as they arrive (never
// holding a whole file), then hands in the text and the files in one go.
// Uploads of a refused submission are never attached, and the abandoned
// upload sweep removes them.
func (s *Site) submitWork(c *gin.Context, id uuid.UUID) (page, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	if _, err := s.d.Assignments.Get(ctx, sc, id); err != nil {
		return page{}, err
	}
	mr := request.MultipartOf(c)
	if mr == nil {
		return page{}, errs.New(errs.ErrInvalid, "Send the form from the assignment page (multipart/form-data).")
	}
	in := assignment.SubmissionInput{}
	fe := map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return page{}, errs.New(errs.ErrInvalid, "The form could not be read. Try sending it again.")
		}
		switch part.FormName() {
		case "body":
			b, err := io.ReadAll(io.LimitReader(part, 100_001))
			if err != nil {
				return page{}, errs.New(errs.ErrInvalid, "The form could not be read. Try sending it again.")
			}
			in.Body = string(b)
			if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
				fe["body"] = "Your answer holds characters that are not text. Retype it and hand in again."
				in.Body = ""
			}
		case "files":
			if part.FileName() == "" {
				_, _ = io.Copy(io.Discard, part)
				continue
			}
			if len(in.FileIDs) >= assignment.MaxFiles {
				fe["files"] = "Hand in at most " + strconv.Itoa(assignment.MaxFiles) + " files."
				_, _ = io.Copy(io.Discard, part)
				continue
			}
			f, err := s.d.Files.Upload(ctx, sc, part.FileName(), part)
			if m, isField := formErrors(err); isField {
				fe["files"] = part.FileName() + ": " + firstMessage(m)
				continue
			} else if err != nil {
				return page{}, err
			}
			in.FileIDs = append(in.FileIDs, f.ID)
		default:
			_, _ = io.Copy(io.Discard, part)
		}
	}
	if len(fe) == 0 {
		_, err := s.d.Assignments.Submit(ctx, sc, id, in)
		if m, isField := formErrors(err); isField {
			for k, v := range m {
				if k == "file_ids" {
					k = "files"
				}
				fe[k] = v
			}
		} else if errors.Is(err, errs.ErrConflict) {
			fe["body"] = errs.Public(err)
		} else if err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		d, err := s.assignmentView(c, id)
		if err != nil {
			return page{}, err
		}
		return again("assignment", view{Title: d.A.Title, Errors: fe, Fields: []string{"body", "files"}, Form: map[string]string{"body": in.Body}, Data: d}), nil
	}
	return goTo(base(c) + "/assignments/" + id.String() + "?done=submitted"), nil
}

func firstMessage(m map[string]string) string {
	for _, v := range m {
		return v
	}
	return "is not valid"
}

func (s *Site) releaseMarks(c *gin.Context, id uuid.UUID) (page, error) {
	_, err := s.d.Assignments.Release(c.Request.Context(), request.Scope(c), id)
	return goTo(base(c) + "/assignments/" + id.String() + "?done=released"), err
}

type submissionData struct {
	Base    string
	Sub     assignment.SubmissionView
	A       assignment.Assignment
	Marking bool
	Mark    *assignment.MarkView
}

func (s *Site) submissionView(c *gin.Context, id uuid.UUID) (submissionData, error) {
	ctx, sc := c.Request.Context(), request.Scope(c)
	sub, err := s.d.Assignments.GetSubmission(ctx, sc, id)
	if err != nil {
		return submissionData{}, err
	}
	a, err := s.d.Assignments.Get(ctx, sc, sub.AssignmentID)
	if err != nil {
		return submissionData{}, err
	}
	d := submissionData{Base: base(c), Sub: sub, A: a, Marking: a.EffectiveDueAt == nil}
	if d.Marking {
		m, err := s.d.Assignments.GetMark(ctx, sc, id)
		switch {
		case err == nil:
			d.Mark = &m
		case !notFound(err):
			return d, err
		}
	}
	return d, nil
}

func (s *Site) submissionPage(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.submissionView(c, id)
	if err != nil {
		return page{}, err
	}
	form := map[string]string{}
	if d.Mark != nil {
		form["score"] = strconv.FormatFloat(d.Mark.Score, 'f', -1, 64)
		form["feedback"] = d.Mark.Feedback
		if d.Mark.ReleasedAt != nil {
			form["released"] = "on"
		}
	}
	return show("submission", view{Title: "Work by " + d.Sub.DisplayName, Form: form, Data: d}), nil
}

func (s *Site) markWork(c *gin.Context, id uuid.UUID) (page, error) {
	d, err := s.submissionView(c, id)
	if err != nil {
		return page{}, err
	}
	if !d.Marking {
		return page{}, errs.ErrNotFound
	}
	form := map[string]string{"score": strings.TrimSpace(c.PostForm("score")), "feedback": c.PostForm("feedback"), "released": c.PostForm("released")}
	fe := map[string]string{}
	score, err := strconv.ParseFloat(form["score"], 64)
	if err != nil {
		fe["score"] = "Enter the score as a number, for example 7 or 7.5"
	} else {
		released := form["released"] == "on"
		in := assignment.MarkInput{Score: &score, Feedback: form["feedback"], Released: &released}
		if d.Mark != nil {
			in.FeedbackFileID = d.Mark.FeedbackFileID // keep a feedback file given through the API
		}
		_, err = s.d.Assignments.SetMark(c.Request.Context(), request.Scope(c), id, in)
		if m, isField := formErrors(err); isField {
			fe = m
		} else if err != nil {
			return page{}, err
		}
	}
	if len(fe) > 0 {
		return again("submission", view{Title: "Work by " + d.Sub.DisplayName, Form: form, Errors: fe, Fields: []string{"score", "feedback"}, Data: d}), nil
	}
	return goTo(base(c) + "/submissions/" + id.String() + "?done=marked"), nil
}

func (s *Site) submissionFile(c *gin.Context) (page, error) {
	id, ok1 := pathID(c, "submission")
	fid, ok2 := pathID(c, "file")
	if !ok1 || !ok2 {
		return page{}, errs.ErrNotFound
	}
	link, err := s.d.Assignments.SubmissionFile(c.Request.Context(), request.Scope(c), id, fid)
	return goTo(link.URL), err
}
