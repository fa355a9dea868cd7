package engagement

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Counts are a learner's recorded events on a course, by kind.
type Counts struct {
	Access int `json:"access"`
	View   int `json:"view"`
	Submit int `json:"submit"`
	Post   int `json:"post"`
}

// Summary is one learner's engagement with one course.
type Summary struct {
	PersonID    uuid.UUID  `json:"person_id"`
	DisplayName string     `json:"display_name"`
	EnrolledAt  time.Time  `json:"enrolled_at"`
	LastAccess  *time.Time `json:"last_access_at"` // latest event of any kind; empty if none
	Counts      Counts     `json:"counts"`
	Seconds     int        `json:"seconds"` // time reported by the learner's client
	// Published items of the course, and how many of them the learner has
	// opened.
	ItemsTotal     int `json:"items_total"`
	ItemsOpened    int `json:"items_opened"`
	ItemsNotOpened int `json:"items_not_opened"`
	// Flagged says the learner is under one of the school's thresholds;
	// FlagReasons say which, in words for the teacher. Nothing else follows
	// from a flag.
	Flagged     bool     `json:"flagged"`
	FlagReasons []string `json:"flag_reasons"`
}

// ItemProgress is one published item and whether the learner opened it.
type ItemProgress struct {
	ItemID        uuid.UUID  `json:"item_id"`
	SectionID     uuid.UUID  `json:"section_id"`
	Kind          string     `json:"kind"`
	Title         string     `json:"title"`
	Opened        bool       `json:"opened"`
	Views         int        `json:"views"`
	Seconds       int        `json:"seconds"`
	FirstViewedAt *time.Time `json:"first_viewed_at,omitempty"`
	LastViewedAt  *time.Time `json:"last_viewed_at,omitempty"`
}

// Detail is one learner's summary with every published item in course
// order, and those not opened yet.
type Detail struct {
	Summary
	Items     []ItemProgress `json:"items"`
	NotOpened []ItemProgress `json:"not_opened"`
}

// Filter narrows a course's summaries.
type Filter struct {
	Flagged *bool      // only flagged (true) or unflagged (false) learners
	GroupID *uuid.UUID // only members of this teaching group
	Query   string     // words in the learner's name
}

// summarySQL summarises the course's learners in one statement: their
// events grouped by person, their opened published items, and the school's
// thresholds applied. Without a flag filter the learners are limited first
// so a page aggregates only its own people.
const summarySQL = `
WITH cfg AS (
  SELECT COALESCE(es.inactive_days, @days) AS inactive_days, COALESCE(es.min_items_opened_percent, @pct) AS min_pct
  FROM courses c LEFT JOIN engagement_settings es ON es.school_id = c.school_id
  WHERE c.id = @c
), items AS (
  SELECT count(*) AS total FROM course_items WHERE course_id = @c AND published
), learners AS (
  SELECT e.person_id, e.created_at AS enrolled_at, p.display_name
  FROM enrolments e JOIN people p ON p.id = e.person_id
  WHERE e.course_id = @c AND e.role = 'learner' AND e.person_id > @after
    AND p.restricted_at IS NULL -- restricted (Art. 18): stored, not processed
    AND (CAST(@person AS uuid) IS NULL OR e.person_id = @person)
    AND (@q = '' OR p.display_name ILIKE '%' || @q || '%')
    AND (CAST(@group AS uuid) IS NULL OR EXISTS (
      SELECT 1 FROM teaching_group_members m WHERE m.group_id = @group AND m.person_id = e.person_id))
  ORDER BY e.person_id
  LIMIT CASE WHEN CAST(@flagged AS boolean) IS NULL THEN CAST(@limit AS bigint) END
), ev AS (
  SELECT a.person_id, max(a.occurred_at) AS last_access,
    count(*) FILTER (WHERE a.kind = 'access') AS access, count(*) FILTER (WHERE a.kind = 'view') AS view,
    count(*) FILTER (WHERE a.kind = 'submit') AS submit, count(*) FILTER (WHERE a.kind = 'post') AS post,
    COALESCE(sum(a.duration_seconds), 0) AS seconds
  FROM activity_events a
  WHERE a.course_id = @c AND a.person_id IN (SELECT person_id FROM learners)
  GROUP BY a.person_id
), opened AS (
  SELECT ip.person_id, count(*) AS n
  FROM item_progress ip JOIN course_items i ON i.id = ip.item_id AND i.published
  WHERE ip.course_id = @c AND ip.person_id IN (SELECT person_id FROM learners)
  GROUP BY ip.person_id
), summary AS (
  SELECT l.person_id, l.display_name, l.enrolled_at, ev.last_access,
    COALESCE(ev.access, 0) AS access, COALESCE(ev.view, 0) AS view,
    COALESCE(ev.submit, 0) AS submit, COALESCE(ev.post, 0) AS post, COALESCE(ev.seconds, 0) AS seconds,
    items.total AS items_total, COALESCE(o.n, 0) AS items_opened,
    cfg.inactive_days, cfg.min_pct,
    cfg.inactive_days > 0 AND COALESCE(ev.last_access, l.enrolled_at) < now() - make_interval(days => cfg.inactive_days) AS inactive,
    cfg.min_pct > 0 AND items.total > 0 AND COALESCE(o.n, 0) * 100 < cfg.min_pct * items.total AS few_items
  FROM learners l CROSS JOIN cfg CROSS JOIN items
  LEFT JOIN ev ON ev.person_id = l.person_id
  LEFT JOIN opened o ON o.person_id = l.person_id
)
SELECT * FROM summary
WHERE CAST(@flagged AS boolean) IS NULL OR (inactive OR few_items) = @flagged
ORDER BY person_id
LIMIT @limit`

// summaryRow is one row of summarySQL.
type summaryRow struct {
	PersonID     uuid.UUID
	DisplayName  string
	EnrolledAt   time.Time
	LastAccess   *time.Time
	Access       int
	View         int
	Submit       int
	Post         int
	Seconds      int
	ItemsTotal   int
	ItemsOpened  int
	InactiveDays int
	MinPct       int
	Inactive     bool
	FewItems     bool
}

// summary turns a row into a Summary, with the flag's reasons in words
// that inform and do not judge.
func (r summaryRow) summary(now time.Time) Summary {
	s := Summary{PersonID: r.PersonID, DisplayName: r.DisplayName, EnrolledAt: r.EnrolledAt, LastAccess: r.LastAccess,
		Counts:     Counts{Access: r.Access, View: r.View, Submit: r.Submit, Post: r.Post},
		Seconds:    r.Seconds,
		ItemsTotal: r.ItemsTotal, ItemsOpened: r.ItemsOpened, ItemsNotOpened: r.ItemsTotal - r.ItemsOpened,
		Flagged: r.Inactive || r.FewItems, FlagReasons: []string{}}
	if r.Inactive {
		if r.LastAccess == nil {
			s.FlagReasons = append(s.FlagReasons, fmt.Sprintf("no activity on the course since enrolling %s ago (the school's threshold is %d days)",
				days(now.Sub(r.EnrolledAt)), r.InactiveDays))
		} else {
			s.FlagReasons = append(s.FlagReasons, fmt.Sprintf("no activity on the course for %s (the school's threshold is %d days)",
				days(now.Sub(*r.LastAccess)), r.InactiveDays))
		}
	}
	if r.FewItems {
		s.FlagReasons = append(s.FlagReasons, fmt.Sprintf("opened %d of %d published items (%d%%; the school's threshold is %d%%)",
			r.ItemsOpened, r.ItemsTotal, r.ItemsOpened*100/r.ItemsTotal, r.MinPct))
	}
	return s
}

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// summaries runs summarySQL.
func summaries(tx *gorm.DB, courseID uuid.UUID, person *uuid.UUID, f Filter, after uuid.UUID, limit int) ([]Summary, error) {
	var rows []summaryRow
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query)
	err := tx.Raw(summarySQL, map[string]any{"c": courseID, "days": DefaultInactiveDays, "pct": DefaultMinOpenedShare,
		"after": after, "person": person, "q": q, "group": f.GroupID, "flagged": f.Flagged, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("engagement: summaries of %s: %w", courseID, err)
	}
	now := time.Now()
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = r.summary(now)
	}
	return out, nil
}

// Course lists the engagement of a course's learners by person id, for
// the course's teachers and its school's admins.
func (s *Service) Course(ctx context.Context, sc access.Scope, courseID uuid.UUID, f Filter, after uuid.UUID, limit int) (out []Summary, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		out, err = summaries(tx, courseID, nil, f, after, limit)
		return err
	})
	return out, err
}

// Learner is one learner's summary on a course with their progress on
// every published item, for the course's teachers and school admins.
func (s *Service) Learner(ctx context.Context, sc access.Scope, courseID, person uuid.UUID) (d Detail, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		sums, err := summaries(tx, courseID, &person, Filter{}, uuid.Nil, 1)
		if err != nil {
			return err
		}
		if len(sums) == 0 {
			return errs.New(errs.ErrNotFound, "learner %s on course %s", person, courseID)
		}
		d.Summary = sums[0]
		err = tx.Raw(`SELECT i.id AS item_id, i.section_id, i.kind, i.title, p.person_id IS NOT NULL AS opened,
				COALESCE(p.views, 0) AS views, COALESCE(p.seconds, 0) AS seconds, p.first_viewed_at, p.last_viewed_at
			FROM course_items i JOIN course_sections s ON s.id = i.section_id
			LEFT JOIN item_progress p ON p.item_id = i.id AND p.person_id = ?
			WHERE i.course_id = ? AND i.published
			ORDER BY s.position, s.id, i.position, i.id`, person, courseID).Scan(&d.Items).Error
		if err != nil {
			return fmt.Errorf("engagement: items of %s: %w", person, err)
		}
		return nil
	})
	if d.Items == nil {
		d.Items = []ItemProgress{}
	}
	d.NotOpened = []ItemProgress{}
	for _, it := range d.Items {
		if !it.Opened {
			d.NotOpened = append(d.NotOpened, it)
		}
	}
	return d, err
}
