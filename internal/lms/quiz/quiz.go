package quiz

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

func points(fe *errs.FieldErrors, field string, v float64) float64 {
	r := math.Round(v*100) / 100
	if math.IsNaN(v) || math.IsInf(v, 0) || r <= 0 || v > 1000 {
		fe.Add(field, "must be from 0.01 to 1000 (two decimal places)")
	}
	return r
}

// AddQuestion adds a question to a course's bank: its teachers and its
// school's admins.
func (s *Service) AddQuestion(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewQuestion) (Question, error) {
	q := Question{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Kind: in.Kind, Options: []Option{}}
	var fe errs.FieldErrors
	q.Prompt = fe.Text("prompt", in.Prompt, 1, 5000)
	q.Points = points(&fe, "points", in.Points)
	a := Answer{}
	switch in.Kind {
	case "single", "multiple":
		ids := map[string]bool{}
		if len(in.Options) < 2 || len(in.Options) > 20 {
			fe.Add("options", "give 2-20 options")
		}
		for i, o := range in.Options {
			o.ID, o.Text = strings.TrimSpace(o.ID), strings.TrimSpace(o.Text)
			if o.ID == "" || len(o.ID) > 20 || ids[o.ID] || errs.HasControl(o.ID) {
				fe.Add(fmt.Sprintf("options[%d].id", i), "must be 1-20 characters and unique")
			}
			o.Text = fe.Text(fmt.Sprintf("options[%d].text", i), o.Text, 1, 1000)
			ids[o.ID] = true
			q.Options = append(q.Options, o)
		}
		for _, id := range in.Answer.Options {
			if !ids[id] {
				fe.Add("answer.options", "must name the question's options")
				break
			}
		}
		a.Options = dedupe(in.Answer.Options)
		if len(a.Options) == 0 || in.Kind == "single" && len(a.Options) != 1 {
			fe.Add("answer.options", "a single-choice question has one right option, a multiple-answer question one or more")
		}
	case "numeric":
		if in.Answer.Value == nil || math.IsNaN(*in.Answer.Value) || math.IsInf(*in.Answer.Value, 0) {
			fe.Add("answer.value", "is required: the right number")
		}
		if t := in.Answer.Tolerance; math.IsNaN(t) || t < 0 || math.IsInf(t, 0) {
			fe.Add("answer.tolerance", "must be 0 or more")
		}
		a.Value, a.Tolerance = in.Answer.Value, in.Answer.Tolerance
	case "short":
		for i, v := range in.Answer.Accept {
			v = strings.TrimSpace(v)
			if v == "" || len(v) > 200 || errs.HasControl(v) {
				fe.Add(fmt.Sprintf("answer.accept[%d]", i), "must be 1-200 characters")
			}
			a.Accept = append(a.Accept, v)
		}
		if len(a.Accept) == 0 || len(a.Accept) > 20 {
			fe.Add("answer.accept", "give 1-20 accepted answers")
		}
	case "essay":
		// Marked by a teacher.
	default:
		fe.Add("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	if err := fe.Err(); err != nil {
		return q, err
	}
	q.Answer = &a
	actor := sc.Actor().ID
	q.CreatedBy = &actor
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		return tx.Create(&q).Error
	})
	return q, err
}

func dedupe(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// Questions is a course's bank, with the answers: teachers only.
func (s *Service) Questions(ctx context.Context, sc access.Scope, courseID uuid.UUID) ([]Question, error) {
	out := []Question{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		return tx.Where("course_id = ?", courseID).Order("created_at, id").Limit(1000).Find(&out).Error
	})
	return out, err
}

// Create sets a quiz of questions from the course's bank.
func (s *Service) Create(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewQuiz) (Quiz, error) {
	q := Quiz{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Published: in.Published,
		OpensAt: in.OpensAt.Truncate(time.Microsecond), ClosesAt: in.ClosesAt.Truncate(time.Microsecond)}
	var fe errs.FieldErrors
	q.Title = fe.Text("title", in.Title, 1, 200)
	q.Instructions = fe.Text("instructions", in.Instructions, 0, 20000)
	if in.OpensAt.IsZero() || in.ClosesAt.IsZero() || !q.ClosesAt.After(q.OpensAt) {
		fe.Add("closes_at", "opens_at and closes_at are required, and closes_at must be after opens_at")
	}
	if in.TimeLimitMinutes < 1 || in.TimeLimitMinutes > 1440 {
		fe.Add("time_limit_minutes", "must be 1-1440 minutes")
	}
	q.TimeLimitSeconds = in.TimeLimitMinutes * 60
	ids := []uuid.UUID{}
	for _, id := range in.QuestionIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > 200 {
		fe.Add("question_ids", "choose 1-200 questions of the course's bank")
	}
	if err := fe.Err(); err != nil {
		return q, err
	}
	actor := sc.Actor().ID
	q.CreatedBy, q.QuestionIDs = &actor, ids
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Question{}).Where("course_id = ? AND id IN ?", courseID, ids).Count(&n).Error; err != nil {
			return err
		}
		if int(n) != len(ids) {
			return errs.Field("question_ids", "must all be questions of this course's bank")
		}
		if err := tx.Create(&q).Error; err != nil {
			return err
		}
		for i, id := range ids {
			if err := tx.Exec(`INSERT INTO quiz_items (tenant_id, quiz_id, question_id, position) VALUES (?, ?, ?, ?)`, q.TenantID, q.ID, id, i).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return q, err
}

// load reads a quiz and the actor's relation to its course; learners see
// published quizzes only.
func load(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Quiz, course.Relation, error) {
	var q Quiz
	res := tx.Where("id = ?", id).Limit(1).Find(&q)
	if res.Error != nil {
		return q, course.Relation{}, res.Error
	}
	if res.RowsAffected == 0 {
		return q, course.Relation{}, errs.New(errs.ErrNotFound, "quiz %s", id)
	}
	rel, err := course.Relate(tx, sc, q.CourseID)
	if err != nil {
		return q, rel, err
	}
	if !rel.Visible() || !rel.Teaches() && !(rel.Learns() && q.Published) {
		return q, rel, errs.New(errs.ErrNotFound, "quiz %s", id)
	}
	return q, rel, nil
}

// extraTime is the person's extra time percentage (0 without an
// arrangement).
func extraTime(tx *gorm.DB, person uuid.UUID) (int, error) {
	var pct int
	err := tx.Raw(`SELECT COALESCE((SELECT extra_time_percent FROM special_arrangements WHERE person_id = ?), 0)`, person).Row().Scan(&pct)
	return pct, err
}

// List is a course's quizzes: all for its teachers, published ones with
// the learner's own limit and attempt for its learners.
func (s *Service) List(ctx context.Context, sc access.Scope, courseID uuid.UUID) ([]Quiz, error) {
	out := []Quiz{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := course.Relate(tx, sc, courseID)
		if err != nil {
			return err
		}
		if !rel.Visible() {
			return errs.New(errs.ErrNotFound, "course %s", courseID)
		}
		q := tx.Where("course_id = ?", courseID).Order("opens_at, id").Limit(500)
		if !rel.Teaches() {
			q = q.Where("published")
		}
		if err := q.Find(&out).Error; err != nil {
			return err
		}
		if rel.Teaches() || !rel.Learns() {
			return nil
		}
		return s.personalise(tx, sc.Actor().ID, out)
	})
	return out, err
}

func (s *Service) personalise(tx *gorm.DB, person uuid.UUID, qs []Quiz) error {
	pct, err := extraTime(tx, person)
	if err != nil {
		return err
	}
	for i := range qs {
		qs[i].MyTimeLimitSeconds = qs[i].TimeLimitSeconds + qs[i].TimeLimitSeconds*pct/100
		var a Attempt
		res := tx.Where("quiz_id = ? AND person_id = ?", qs[i].ID, person).Limit(1).Find(&a)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			s.hideUnreleased(qs[i], &a)
			qs[i].MyAttempt = &a
		}
	}
	return nil
}

func (s *Service) hideUnreleased(q Quiz, a *Attempt) {
	if q.ResultsReleasedAt == nil {
		a.Score = nil
	}
}

// Get is one quiz; teachers also get its questions' ids.
func (s *Service) Get(ctx context.Context, sc access.Scope, id uuid.UUID) (q Quiz, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rel course.Relation
		if q, rel, err = load(tx, sc, id); err != nil {
			return err
		}
		if rel.Teaches() {
			return tx.Raw(`SELECT question_id FROM quiz_items WHERE quiz_id = ? ORDER BY position`, id).Scan(&q.QuestionIDs).Error
		}
		qs := []Quiz{q}
		if err := s.personalise(tx, sc.Actor().ID, qs); err != nil {
			return err
		}
		q = qs[0]
		return nil
	})
	return q, err
}

// Start begins the learner's attempt, or returns the one they started
// (resuming after a dropped connection). Their deadline is fixed now:
// the time limit plus their extra time.
func (s *Service) Start(ctx context.Context, sc access.Scope, quizID uuid.UUID) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, rel, err := load(tx, sc, quizID)
		if err != nil {
			return err
		}
		if !rel.Learns() {
			return errs.New(errs.ErrForbidden, "only the course's learners take its quizzes")
		}
		me := sc.Actor().ID
		var a Attempt
		res := tx.Where("quiz_id = ? AND person_id = ?", quizID, me).Limit(1).Find(&a)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			now := s.now().UTC().Truncate(time.Microsecond)
			if now.Before(q.OpensAt) || !now.Before(q.ClosesAt) {
				return errs.New(errs.ErrConflict, "the quiz is open from %s to %s", q.OpensAt.UTC().Format(time.RFC3339), q.ClosesAt.UTC().Format(time.RFC3339))
			}
			pct, err := extraTime(tx, me)
			if err != nil {
				return err
			}
			var max float64
			if err := tx.Raw(`SELECT COALESCE(sum(q.points), 0) FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id WHERE i.quiz_id = ?`, quizID).
				Row().Scan(&max); err != nil {
				return err
			}
			a = Attempt{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), QuizID: quizID, PersonID: me, ExtraTimePercent: pct,
				StartedAt: now, DeadlineAt: Deadline(now, q.TimeLimitSeconds, pct), Status: "in-progress", MaxScore: max}
			if err := tx.Create(&a).Error; err != nil {
				return fmt.Errorf("quiz: start: %w", err)
			}
		}
		sh, err = s.sheet(tx, q, a, false)
		return err
	})
	return sh, err
}

// Sheet is an attempt for its learner or a teacher of the course. An
// attempt past its deadline is handed in first, with the answers saved in
// time.
func (s *Service) Sheet(ctx context.Context, sc access.Scope, attemptID uuid.UUID) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, rel, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if a, err = s.closeIfLate(tx, q, a); err != nil {
			return err
		}
		sh, err = s.sheet(tx, q, a, rel.Teaches())
		return err
	})
	return sh, err
}

// loadAttempt reads an attempt its learner, or a teacher of its course,
// may see.
func (s *Service) loadAttempt(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Quiz, Attempt, course.Relation, error) {
	var a Attempt
	res := tx.Where("id = ?", id).Limit(1).Find(&a)
	if res.Error != nil {
		return Quiz{}, a, course.Relation{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Quiz{}, a, course.Relation{}, errs.New(errs.ErrNotFound, "attempt %s", id)
	}
	q, rel, err := load(tx, sc, a.QuizID)
	if err != nil || (!rel.Teaches() && a.PersonID != sc.Actor().ID) {
		return q, a, rel, errs.New(errs.ErrNotFound, "attempt %s", id)
	}
	return q, a, rel, nil
}

func (s *Service) sheet(tx *gorm.DB, q Quiz, a Attempt, staff bool) (Sheet, error) {
	sh := Sheet{Quiz: q, Attempt: a, Questions: []Question{}, Answers: []SavedAnswer{}, Staff: staff}
	if err := tx.Raw(`SELECT q.* FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id WHERE i.quiz_id = ? ORDER BY i.position`, q.ID).
		Scan(&sh.Questions).Error; err != nil {
		return sh, err
	}
	if err := tx.Where("attempt_id = ?", a.ID).Order("question_id").Find(&sh.Answers).Error; err != nil {
		return sh, err
	}
	released := staff || q.ResultsReleasedAt != nil
	for i := range sh.Questions {
		if !staff {
			sh.Questions[i].Answer = nil // the key is never shown to learners
		}
		sh.Questions[i].CreatedBy = nil
	}
	if !released {
		sh.Attempt.Score = nil
		for i := range sh.Answers {
			sh.Answers[i].AutoScore, sh.Answers[i].TeacherScore, sh.Answers[i].Feedback, sh.Answers[i].MarkedAt = nil, nil, "", nil
		}
	}
	if left := a.DeadlineAt.Sub(s.now()); a.Status == "in-progress" && left > 0 {
		sh.SecondsLeft = int(left / time.Second)
	}
	return sh, nil
}

// Save records the learner's answer to one question, at once: a dropped
// connection loses at most the answer being typed. Refused once their
// deadline has passed.
func (s *Service) Save(ctx context.Context, sc access.Scope, attemptID, questionID uuid.UUID, r Response) (SavedAnswer, error) {
	var out SavedAnswer
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, _, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if a.PersonID != sc.Actor().ID {
			return errs.New(errs.ErrForbidden, "only the learner answers their attempt")
		}
		if a.Status != "in-progress" {
			return errs.New(errs.ErrConflict, "the attempt has been handed in")
		}
		now := s.now().UTC()
		if now.After(a.DeadlineAt) {
			if _, err := s.closeIfLate(tx, q, a); err != nil {
				return err
			}
			return errs.New(errs.ErrConflict, "your time ran out at %s; the answers saved before then are handed in", a.DeadlineAt.UTC().Format(time.RFC3339))
		}
		var question Question
		res := tx.Raw(`SELECT q.* FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id WHERE i.quiz_id = ? AND q.id = ?`, q.ID, questionID).Scan(&question)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "question %s is not on this quiz", questionID)
		}
		raw, err := checkResponse(question, r)
		if err != nil {
			return err
		}
		out = SavedAnswer{TenantID: a.TenantID, AttemptID: a.ID, QuestionID: questionID, Response: raw, SavedAt: now}
		return tx.Exec(`INSERT INTO quiz_answers (tenant_id, attempt_id, question_id, response, saved_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, attempt_id, question_id) DO UPDATE SET response = EXCLUDED.response, saved_at = EXCLUDED.saved_at`,
			a.TenantID, a.ID, questionID, string(raw), now).Error
	})
	return out, err
}

// checkResponse validates r against the question's kind and returns what
// is stored.
func checkResponse(q Question, r Response) (json.RawMessage, error) {
	var keep Response
	switch q.Kind {
	case "single", "multiple":
		ids := map[string]bool{}
		for _, o := range q.Options {
			ids[o.ID] = true
		}
		for _, id := range r.Options {
			if !ids[id] {
				return nil, errs.Field("options", "must be options of the question")
			}
		}
		keep.Options = dedupe(r.Options)
		if q.Kind == "single" && len(keep.Options) > 1 {
			return nil, errs.Field("options", "choose one option")
		}
	case "numeric":
		if r.Value == nil || math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) {
			return nil, errs.Field("value", "must be a number")
		}
		keep.Value = r.Value
	case "short", "essay":
		max := 200
		if q.Kind == "essay" {
			max = 50000
		}
		if r.Text == nil || len([]rune(*r.Text)) > max || errs.HasControlText(*r.Text) {
			return nil, errs.Field("text", "must be at most %d characters without control characters", max)
		}
		keep.Text = r.Text
	}
	return json.Marshal(keep)
}

// Submit hands the learner's attempt in and scores its objective questions.
func (s *Service) Submit(ctx context.Context, sc access.Scope, attemptID uuid.UUID) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, _, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if a.PersonID != sc.Actor().ID {
			return errs.New(errs.ErrForbidden, "only the learner hands their attempt in")
		}
		if a.Status == "in-progress" {
			at := s.now().UTC()
			if at.After(a.DeadlineAt) {
				at = a.DeadlineAt
			}
			if a, err = s.handIn(tx, a, at); err != nil {
				return err
			}
		}
		sh, err = s.sheet(tx, q, a, false)
		return err
	})
	return sh, err
}

// closeIfLate hands in an attempt whose deadline has passed, as of its
// deadline.
func (s *Service) closeIfLate(tx *gorm.DB, q Quiz, a Attempt) (Attempt, error) {
	if a.Status != "in-progress" || !s.now().After(a.DeadlineAt) {
		return a, nil
	}
	return s.handIn(tx, a, a.DeadlineAt)
}

// handIn scores the objective answers and totals the attempt.
func (s *Service) handIn(tx *gorm.DB, a Attempt, at time.Time) (Attempt, error) {
	var rows []struct {
		Question
		Response json.RawMessage
	}
	if err := tx.Raw(`SELECT q.*, x.response FROM quiz_answers x JOIN quiz_questions q ON q.id = x.question_id WHERE x.attempt_id = ?`, a.ID).
		Scan(&rows).Error; err != nil {
		return a, err
	}
	for _, r := range rows {
		if r.Kind == "essay" {
			continue
		}
		var resp Response
		_ = json.Unmarshal(r.Response, &resp)
		sc := score(r.Question, resp)
		if err := tx.Exec(`UPDATE quiz_answers SET auto_score = ? WHERE attempt_id = ? AND question_id = ?`, sc, a.ID, r.ID).Error; err != nil {
			return a, err
		}
	}
	a.Status, a.SubmittedAt = "submitted", &at
	if err := tx.Model(&Attempt{}).Where("id = ?", a.ID).Updates(map[string]any{"status": a.Status, "submitted_at": at}).Error; err != nil {
		return a, err
	}
	return a, s.total(tx, &a)
}

// total sets the attempt's score: the teacher's mark where there is one,
// else the automatic one; none while an essay is unmarked.
func (s *Service) total(tx *gorm.DB, a *Attempt) error {
	var t struct {
		Sum      float64
		Unmarked int
	}
	if err := tx.Raw(`SELECT COALESCE(sum(COALESCE(x.teacher_score, x.auto_score, 0)), 0) AS sum,
		count(*) FILTER (WHERE q.kind = 'essay' AND x.teacher_score IS NULL AND x.question_id IS NOT NULL) AS unmarked
		FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id
		LEFT JOIN quiz_answers x ON x.question_id = q.id AND x.attempt_id = ?
		WHERE i.quiz_id = ?`, a.ID, a.QuizID).Scan(&t).Error; err != nil {
		return err
	}
	a.Score = nil
	if t.Unmarked == 0 {
		v := math.Round(t.Sum*100) / 100
		a.Score = &v
	}
	return tx.Model(&Attempt{}).Where("id = ?", a.ID).Update("score", a.Score).Error
}

// score is what an objective answer earns: all the question's points for
// a right answer, none otherwise (no partial credit, no negative marking).
func score(q Question, r Response) float64 {
	right := false
	switch q.Kind {
	case "single", "multiple":
		right = q.Answer != nil && slices.Equal(dedupe(r.Options), dedupe(q.Answer.Options))
	case "numeric":
		right = q.Answer != nil && q.Answer.Value != nil && r.Value != nil && math.Abs(*r.Value-*q.Answer.Value) <= q.Answer.Tolerance+1e-9
	case "short":
		if q.Answer != nil && r.Text != nil {
			got := strings.ToLower(strings.Join(strings.Fields(*r.Text), " "))
			for _, acc := range q.Answer.Accept {
				if got == strings.ToLower(strings.Join(strings.Fields(acc), " ")) {
					right = true
				}
			}
		}
	}
	if right {
		return q.Points
	}
	return 0
}

// MarkAnswer is a teacher's mark and feedback on one answer (an essay, or
// a correction of an automatic score).
func (s *Service) MarkAnswer(ctx context.Context, sc access.Scope, attemptID, questionID uuid.UUID, m Mark) (sh Sheet, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, a, rel, err := s.loadAttempt(tx, sc, attemptID)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers mark")
		}
		// The input is checked once the attempt is known to be theirs.
		var fe errs.FieldErrors
		feedback := fe.Text("feedback", m.Feedback, 0, 20000)
		if math.IsNaN(m.Score) || math.IsInf(m.Score, 0) || m.Score < 0 {
			fe.Add("score", "must be a number, 0 or more")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if a, err = s.closeIfLate(tx, q, a); err != nil {
			return err
		}
		if a.Status != "submitted" {
			return errs.New(errs.ErrConflict, "the attempt is still in progress")
		}
		var pts float64
		res := tx.Raw(`SELECT q.points FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id WHERE i.quiz_id = ? AND q.id = ?`, q.ID, questionID).Scan(&pts)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "question %s is not on this quiz", questionID)
		}
		if m.Score > pts {
			return errs.Field("score", "must be at most %g, what the question is worth", pts)
		}
		if err := tx.Exec(`INSERT INTO quiz_answers (tenant_id, attempt_id, question_id, response, teacher_score, feedback, marked_by, marked_at)
			VALUES (?, ?, ?, '{}', ?, ?, ?, now())
			ON CONFLICT (tenant_id, attempt_id, question_id) DO UPDATE SET teacher_score = EXCLUDED.teacher_score, feedback = EXCLUDED.feedback,
			marked_by = EXCLUDED.marked_by, marked_at = EXCLUDED.marked_at`, a.TenantID, a.ID, questionID, m.Score, feedback, sc.Actor().ID).Error; err != nil {
			return err
		}
		if err := s.total(tx, &a); err != nil {
			return err
		}
		sh, err = s.sheet(tx, q, a, true)
		return err
	})
	return sh, err
}

// Attempts lists a quiz's attempts for its teachers (handing in those
// past their deadline first).
func (s *Service) Attempts(ctx context.Context, sc access.Scope, quizID uuid.UUID) ([]Attempt, error) {
	out := []Attempt{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q, rel, err := load(tx, sc, quizID)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers see every attempt")
		}
		if err := tx.Table("quiz_attempts a").Select("a.*, p.display_name AS person_name").Joins("JOIN people p ON p.id = a.person_id").
			Where("a.quiz_id = ?", quizID).Order("p.display_name, a.id").Limit(2000).Find(&out).Error; err != nil {
			return err
		}
		for i := range out {
			if out[i], err = s.closeIfLate(tx, q, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Release lets the quiz's learners see their results.
func (s *Service) Release(ctx context.Context, sc access.Scope, quizID uuid.UUID) (q Quiz, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rel course.Relation
		if q, rel, err = load(tx, sc, quizID); err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers release results")
		}
		if q.ResultsReleasedAt == nil {
			now := s.now().UTC()
			q.ResultsReleasedAt = &now
			return tx.Model(&Quiz{}).Where("id = ?", quizID).Update("results_released_at", now).Error
		}
		return nil
	})
	return q, err
}
