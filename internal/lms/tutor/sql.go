package tutor

// The statements the service runs as raw SQL; the rest goes through gorm.

// activeSQL is a tutorship of @tutor and @learner in force, with the
// learner still at the school.
const activeSQL = `SELECT EXISTS (SELECT 1 FROM tutorships t JOIN people p ON p.id = t.learner_id
	WHERE t.tutor_id = @tutor AND t.learner_id = @learner AND t.ended_at IS NULL
	  AND p.status = 'active' AND (p.left_on IS NULL OR p.left_on > current_date))`

// hasRoleSQL is whether a person holds a role.
const hasRoleSQL = `
	SELECT EXISTS (SELECT 1 FROM role_assignments WHERE person_id = ? AND role = ?)`

// hasStaffRoleSQL is whether a person is an active member of staff.
const hasStaffRoleSQL = `
	SELECT EXISTS (
		SELECT 1 FROM role_assignments r JOIN people p ON p.id = r.person_id
		WHERE r.person_id = ? AND r.role IN ('teacher', 'admin', 'tutor') AND p.status = 'active'
	)`

// assignSQL makes a tutorship, or puts an ended one back in force.
const assignSQL = `
	INSERT INTO tutorships (tenant_id, tutor_id, learner_id, assigned_by)
	VALUES (?, ?, ?, ?)
	ON CONFLICT (tenant_id, tutor_id, learner_id) DO UPDATE
	SET ended_at = NULL, assigned_by = EXCLUDED.assigned_by, assigned_at = now()`

// endSQL ends a tutorship in force.
const endSQL = `
	UPDATE tutorships SET ended_at = now()
	WHERE tutor_id = ? AND learner_id = ? AND ended_at IS NULL`

// tutorsOfSQL is a learner's tutors in force.
const tutorsOfSQL = `
	SELECT p.id AS person_id, p.display_name, t.assigned_at AS since
	FROM tutorships t JOIN people p ON p.id = t.tutor_id
	WHERE t.learner_id = ? AND t.ended_at IS NULL
	ORDER BY p.display_name`

// candidateSQL is the condition on people who could be a learner's tutor:
// active, holding the tutor role, not the learner.
const candidateSQL = `people.status = 'active' AND people.id <> ? AND EXISTS (
	SELECT 1 FROM role_assignments r WHERE r.person_id = people.id AND r.role = 'tutor'
)`

// tuteesSQL is a tutor's learners in force, still at the school.
const tuteesSQL = `
	SELECT p.id AS person_id, p.display_name, t.assigned_at AS since
	FROM tutorships t JOIN people p ON p.id = t.learner_id
	WHERE t.tutor_id = @me AND t.ended_at IS NULL
		AND p.status = 'active' AND (p.left_on IS NULL OR p.left_on > current_date)`

// restrictedSQL is whether a person's processing is restricted.
const restrictedSQL = `SELECT restricted_at IS NOT NULL FROM people WHERE id = ?`

// engagementSQL is a learner's activity on each of their courses: when
// last active, and events and minutes over the last 28 days.
const engagementSQL = `
	SELECT c.id AS course_id, c.title,
		(SELECT max(a.occurred_at) FROM activity_events a
			WHERE a.person_id = e.person_id AND a.course_id = c.id) AS last_active_at,
		(SELECT count(*) FROM activity_events a
			WHERE a.person_id = e.person_id AND a.course_id = c.id
			AND a.occurred_at > now() - interval '28 days') AS events28d,
		(SELECT COALESCE(sum(a.duration_seconds), 0) / 60 FROM activity_events a
			WHERE a.person_id = e.person_id AND a.course_id = c.id
			AND a.occurred_at > now() - interval '28 days') AS minutes28d
	FROM enrolments e JOIN courses c ON c.id = e.course_id
	WHERE e.person_id = @learner AND e.role = 'learner'`

// currentTutorSQL is a learner's most recently assigned tutor in force.
const currentTutorSQL = `
	SELECT tutor_id FROM tutorships
	WHERE learner_id = ? AND ended_at IS NULL
	ORDER BY assigned_at DESC
	LIMIT 1`

// leftSQL is whether a person has left the school (no longer active, or
// past their leaving date).
const leftSQL = `
	SELECT NOT (status = 'active' AND (left_on IS NULL OR left_on > current_date))
	FROM people WHERE id = ?`

// withdrawSQL deletes a disclosure of the learner's own.
const withdrawSQL = `DELETE FROM tutor_disclosures WHERE id = ? AND learner_id = ?`
