package notify

import (
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/comms"
)

// The hooks below run in the transaction of the change that causes them
// (services wires them), so a notice exists exactly when its cause does.

// FeedbackReleased tells each learner whose mark and feedback were just
// released: their own work only, its mark and feedback.
func (s *Service) FeedbackReleased(tx *gorm.DB, sc access.Scope, submissions []uuid.UUID) error {
	if len(submissions) == 0 {
		return nil
	}
	var rows []struct {
		PersonID, AssignmentID uuid.UUID
		Title, Course          string
		Score, MaxScore        float64
		Feedback               string
	}
	err := tx.Raw(`SELECT s.person_id, s.assignment_id, i.title, c.title AS course, m.score, a.max_score, m.feedback
		FROM submissions s JOIN marks m ON m.submission_id = s.id JOIN assignments a ON a.id = s.assignment_id
		JOIN course_items i ON i.id = a.item_id JOIN courses c ON c.id = a.course_id
		WHERE s.id IN ? AND m.released_at IS NOT NULL`, submissions).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("notify: released work: %w", err)
	}
	ns := make([]Notice, 0, len(rows))
	for _, r := range rows {
		body := "Your mark: " + num(r.Score) + " out of " + num(r.MaxScore) + "."
		if r.Feedback != "" {
			body += "\n\nYour teacher's feedback:\n" + r.Feedback
		}
		ns = append(ns, Notice{PersonID: r.PersonID, Key: "assignment:" + r.AssignmentID.String(),
			Title: "Your work on “" + r.Title + "” (" + r.Course + ") has been marked", Body: body,
			Link: "/assignments/" + r.AssignmentID.String()})
	}
	_, err = s.Add(tx, sc.Tenant(), Feedback, ns)
	return err
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Announced tells the people a communication reached (not its sender).
// One its sender also emailed is not emailed again as a notice.
func (s *Service) Announced(tx *gorm.DB, c comms.Communication, people []uuid.UUID) error {
	ns := make([]Notice, 0, len(people))
	for _, p := range people {
		if c.SentBy != nil && p == *c.SentBy {
			continue
		}
		ns = append(ns, Notice{PersonID: p, Key: "communication:" + c.ID.String(),
			Title: "New announcement: " + c.Subject, Body: clip(c.Body, 500), Link: "/my/inbox"})
	}
	if c.ByEmail {
		return s.addNoEmail(tx, c.TenantID, Announcement, ns)
	}
	_, err := s.Add(tx, c.TenantID, Announcement, ns)
	return err
}

// Replied tells the people who wrote in a thread, and are still on its
// course, that someone else replied there. The notice names neither the
// writer nor their words: a post hidden or deleted later, or its writer
// erased, leaves nothing of it in other people's notices.
func (s *Service) Replied(tx *gorm.DB, sc access.Scope, thread, post uuid.UUID) error {
	var rows []struct {
		PersonID uuid.UUID
		Thread   string
	}
	err := tx.Raw(`SELECT DISTINCT p.author_id AS person_id, t.title AS thread
		FROM posts p JOIN threads t ON t.id = p.thread_id JOIN forums f ON f.id = t.forum_id
		JOIN enrolments e ON e.course_id = f.course_id AND e.person_id = p.author_id
		JOIN posts np ON np.id = @post
		WHERE p.thread_id = @thread AND p.deleted_at IS NULL AND p.author_id IS NOT NULL
			AND p.author_id IS DISTINCT FROM np.author_id`,
		map[string]any{"thread": thread, "post": post}).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("notify: thread people: %w", err)
	}
	ns := make([]Notice, 0, len(rows))
	for _, r := range rows {
		ns = append(ns, Notice{PersonID: r.PersonID, Key: "post:" + post.String(),
			Title: "New reply in “" + r.Thread + "”", Body: "Someone replied in a discussion you wrote in. Open the thread to read it.",
			Link: "/threads/" + thread.String()})
	}
	_, err = s.Add(tx, sc.Tenant(), Reply, ns)
	return err
}
