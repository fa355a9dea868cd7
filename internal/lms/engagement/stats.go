package engagement

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// MinGroup is the smallest group a statistic is shown for: below it, the
// figure could single a learner out, so it is suppressed.
const MinGroup = 5

// Figure is one aggregate with the size of the group it is over. Value is
// nil when the group is smaller than the threshold (Suppressed).
type Figure struct {
	Value      *float64 `json:"value"`
	Group      *int     `json:"group"` // nil when suppressed: the size alone may reveal
	Suppressed bool     `json:"suppressed"`
}

// CourseStats are a course's aggregates for its school's admins. Learners
// whose processing is restricted are left out.
type CourseStats struct {
	CourseID         uuid.UUID `json:"course_id"`
	Title            string    `json:"title"`
	Learners         Figure    `json:"learners"`
	ActiveLast7Days  Figure    `json:"active_last_7_days_percent"`
	ItemsOpened      Figure    `json:"items_opened_percent"`
	MeanReleasedMark Figure    `json:"mean_released_mark_percent"`
}

// statsSQL computes, per course, each figure and the group it is over.
const statsSQL = `
WITH learners AS (
  SELECT e.course_id, e.person_id FROM enrolments e JOIN people p ON p.id = e.person_id
  WHERE e.role = 'learner' AND p.restricted_at IS NULL
), items AS (
  SELECT course_id, count(*) AS n FROM course_items WHERE published GROUP BY course_id
), per AS (
  SELECT l.course_id, l.person_id,
    EXISTS (SELECT 1 FROM activity_events a WHERE a.course_id = l.course_id AND a.person_id = l.person_id AND a.occurred_at > now() - interval '7 days') AS active,
    (SELECT count(*) FROM item_progress ip JOIN course_items i ON i.id = ip.item_id AND i.published
      WHERE ip.course_id = l.course_id AND ip.person_id = l.person_id) AS opened
  FROM learners l
), marks AS (
  SELECT a.course_id, s.person_id, avg(100.0 * m.score / NULLIF(a.max_score, 0)) AS pct
  FROM marks m JOIN submissions s ON s.id = m.submission_id JOIN assignments a ON a.id = s.assignment_id
  JOIN learners l ON l.course_id = a.course_id AND l.person_id = s.person_id
  WHERE m.released_at IS NOT NULL AND m.score IS NOT NULL
  GROUP BY a.course_id, s.person_id
)
SELECT c.id AS course_id, c.title,
  count(per.person_id) AS learners,
  100.0 * count(*) FILTER (WHERE per.active) / NULLIF(count(per.person_id), 0) AS active_pct,
  100.0 * sum(per.opened) / NULLIF(count(per.person_id) * max(COALESCE(items.n, 0)), 0) AS opened_pct,
  (SELECT count(*) FROM marks mk WHERE mk.course_id = c.id) AS marked,
  (SELECT avg(mk.pct) FROM marks mk WHERE mk.course_id = c.id) AS mark_pct
FROM courses c
LEFT JOIN per ON per.course_id = c.id
LEFT JOIN items ON items.course_id = c.id
WHERE (CAST(@limited AS boolean) IS FALSE OR c.school_id IN @schools)
  AND `

// Statistics are the scoped admin's courses' aggregates, each suppressed
// when it is over fewer than minGroup learners.
func (s *Service) Statistics(ctx context.Context, sc access.Scope, minGroup int) (out []CourseStats, err error) {
	return s.StatisticsPage(ctx, sc, minGroup, database.Page{})
}

// statsOrder lists courses' statistics by title, then id.
var statsOrder = database.Keyset{Key: "c.title", Cast: "text", ID: "c.id"}

// At is where a course sits in the order StatisticsPage lists them.
func (cs CourseStats) At() (string, uuid.UUID) { return cs.Title, cs.CourseID }

// StatisticsPage is a page of Statistics, by course title.
func (s *Service) StatisticsPage(ctx context.Context, sc access.Scope, minGroup int, pg database.Page) (out []CourseStats, err error) {
	if minGroup < 2 {
		minGroup = MinGroup
	}
	schools, limited := sc.Schools()
	if len(schools) == 0 {
		schools = []uuid.UUID{uuid.Nil}
	}
	var rows []struct {
		CourseID                      uuid.UUID
		Title                         string
		Learners, Marked              int
		ActivePct, OpenedPct, MarkPct *float64
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(statsSQL+statsOrder.Cond(pg)+"\nGROUP BY c.id, c.title"+statsOrder.Tail(pg),
			pg.Args(map[string]any{"limited": limited, "schools": schools})).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("engagement: statistics: %w", err)
	}
	out = []CourseStats{}
	for _, r := range rows {
		n := float64(r.Learners)
		cs := CourseStats{CourseID: r.CourseID, Title: r.Title,
			Learners:         figure(&n, r.Learners, minGroup),
			ActiveLast7Days:  figure(r.ActivePct, r.Learners, minGroup),
			ItemsOpened:      figure(r.OpenedPct, r.Learners, minGroup),
			MeanReleasedMark: figure(r.MarkPct, r.Marked, minGroup)}
		out = append(out, cs)
	}
	return out, nil
}

// figure suppresses v when its group is below minGroup.
func figure(v *float64, group, minGroup int) Figure {
	if group < minGroup {
		return Figure{Suppressed: true}
	}
	g := group
	return Figure{Value: v, Group: &g}
}
