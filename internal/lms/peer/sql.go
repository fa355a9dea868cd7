package peer

// The statements the service runs as raw SQL; the rest goes through gorm.

// courseOfSQL is an assignment's course.
const courseOfSQL = `SELECT course_id FROM assignments WHERE id = ?`

// forCourseSQL is the peer assessments of a course's assignments.
const forCourseSQL = `
	SELECT p.*
	FROM peer_assessments p JOIN assignments a ON a.id = p.assignment_id
	WHERE a.course_id = ?
	ORDER BY p.closes_at`

// groupMatesSQL is the other members of a person's teaching groups on an
// assignment's course.
const groupMatesSQL = `
	SELECT DISTINCT p.id AS person_id, p.display_name
	FROM teaching_group_members mine
	JOIN teaching_group_members m ON m.group_id = mine.group_id AND m.person_id <> mine.person_id
	JOIN people p ON p.id = m.person_id
	JOIN assignments x ON x.id = ? AND x.course_id = mine.course_id
	WHERE mine.person_id = ?
	ORDER BY p.display_name`

// givenSQL is what a rater gave a ratee, per criterion.
const givenSQL = `
	SELECT criterion, score FROM peer_ratings
	WHERE assessment_id = ? AND rater_id = ? AND ratee_id = ?`

// receivedSQL is the average a ratee received per criterion, and from how
// many raters.
const receivedSQL = `
	SELECT criterion, round(avg(score), 2) AS average, count(*) AS raters
	FROM peer_ratings
	WHERE assessment_id = ? AND ratee_id = ?
	GROUP BY criterion
	ORDER BY criterion`

// rateSQL records one rating, replacing the rater's earlier one.
const rateSQL = `
	INSERT INTO peer_ratings (tenant_id, id, assessment_id, rater_id, ratee_id, criterion, score)
	VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (tenant_id, assessment_id, rater_id, ratee_id, criterion) DO UPDATE
	SET score = EXCLUDED.score, rated_at = now()`

// ratingsSQL is every rating of an assessment with its rater's name.
const ratingsSQL = `
	SELECT r.rater_id, COALESCE(p.display_name, '(erased)') AS rater_name,
		r.ratee_id, r.criterion, r.score
	FROM peer_ratings r LEFT JOIN people p ON p.id = r.rater_id
	WHERE r.assessment_id = ?
	ORDER BY r.ratee_id, r.criterion, r.rated_at`

// receivedByGroupSQL is, for each learner in a teaching group of the
// assignment's course, the points they received.
const receivedByGroupSQL = `
	SELECT m.person_id, p.display_name, g.id AS group_id, g.name AS group_name,
		COALESCE((
			SELECT sum(score) FROM peer_ratings r
			WHERE r.assessment_id = ? AND r.ratee_id = m.person_id
		), 0) AS received
	FROM teaching_groups g
	JOIN teaching_group_members m ON m.group_id = g.id
	JOIN people p ON p.id = m.person_id
	JOIN assignments x ON x.id = ? AND x.course_id = g.course_id
	JOIN enrolments e ON e.course_id = g.course_id AND e.person_id = m.person_id AND e.role = 'learner'
	ORDER BY g.name, p.display_name`
