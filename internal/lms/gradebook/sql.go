package gradebook

import "github.com/schoolcloud/lms/internal/lms/course"

// The statements the service runs: one per family of rows (the course's
// groups, its learners, each kind of column, each kind of work), never one
// per cell. Row-level security keeps every one inside the scope's tenant.

// groupsSQL is the course's title with its teaching groups (a row with a
// NULL group when it has none).
const groupsSQL = `
	SELECT c.title, g.id AS group_id, g.name AS group_name
	FROM courses c LEFT JOIN teaching_groups g ON g.course_id = c.id
	WHERE c.id = @course
	ORDER BY g.name, g.id`

// learnersSQL is the course's learners, of one group when @group is set,
// and of the people a narrowed reader may see when @limited, with their
// extra time.
const learnersSQL = `
	SELECT e.person_id, p.display_name, COALESCE(sa.extra_time_percent, 0) AS extra_time_percent
	FROM enrolments e
	JOIN people p ON p.id = e.person_id
	LEFT JOIN special_arrangements sa ON sa.person_id = e.person_id
	WHERE e.course_id = @course AND e.role = 'learner'
	  AND (CAST(@group AS uuid) IS NULL OR EXISTS (
	        SELECT 1 FROM teaching_group_members m WHERE m.group_id = @group AND m.person_id = e.person_id))
	  AND (NOT @limited OR e.person_id IN @people)
	ORDER BY p.display_name, e.person_id`

// extraTimeSQL is the extra time teachers gave learners on single
// assignments of the course (the larger of it and a learner's standing
// arrangement applies).
const extraTimeSQL = `
	SELECT x.assignment_id, x.person_id, x.extra_time_percent
	FROM assignment_extra_time x JOIN assignments a ON a.id = x.assignment_id
	WHERE a.course_id = @course`

// visibleSQL says whether learners see an assignment's item now.
const visibleSQL = `(` + course.LearnerSeesSQL + `)`

// assignmentColumnsSQL is the course's assignments, due first.
const assignmentColumnsSQL = `
	SELECT a.course_id, a.id, i.title, a.opens_at, a.due_at, a.max_score, ` + visibleSQL + ` AS visible
	FROM assignments a JOIN course_items i ON i.id = a.item_id
	WHERE a.course_id = @course
	ORDER BY a.due_at, i.title, a.id`

// quizMaxSQL is what quiz q's questions are worth together.
const quizMaxSQL = `COALESCE((SELECT sum(qq.points) FROM quiz_items qi JOIN quiz_questions qq ON qq.id = qi.question_id
	WHERE qi.quiz_id = q.id), 0)`

// quizColumnsSQL is the course's quizzes, closing first.
const quizColumnsSQL = `
	SELECT q.course_id, q.id, q.title, q.opens_at, q.closes_at AS due_at, ` + quizMaxSQL + ` AS max_score,
	  q.published AS visible, q.results_released_at
	FROM quizzes q
	WHERE q.course_id = @course
	ORDER BY q.closes_at, q.title, q.id`

// submissionsSQL is every learner's work on the course's assignments with
// its mark, released or not (for its teachers).
const submissionsSQL = `
	SELECT s.assignment_id AS column_id, s.person_id, s.submitted_at,
	  m.submission_id IS NOT NULL AS marked, m.score, m.released_at
	FROM submissions s
	JOIN assignments a ON a.id = s.assignment_id
	LEFT JOIN marks m ON m.submission_id = s.id
	WHERE a.course_id = @course`

// attemptsSQL is every learner's attempt at the course's quizzes (for its
// teachers).
const attemptsSQL = `
	SELECT t.quiz_id AS column_id, t.person_id, t.submitted_at, t.status, t.deadline_at, t.score
	FROM quiz_attempts t JOIN quizzes q ON q.id = t.quiz_id
	WHERE q.course_id = @course`

// myCoursesSQL is the courses @me learns on that learners see.
const myCoursesSQL = `
	SELECT c.id AS course_id, c.title
	FROM enrolments e JOIN courses c ON c.id = e.course_id
	WHERE e.person_id = @me AND e.role = 'learner' AND c.status <> 'draft'`

// myCourseSQL joins a family of columns to the courses @me learns on.
const myCourseSQL = `
	JOIN enrolments e ON e.course_id = c.id AND e.person_id = @me AND e.role = 'learner'`

// myAssignmentsSQL is the assignments learners see on @me's courses, with
// @me's own work and their mark only once released: an unreleased mark is
// not read at all, so it cannot be shown.
const myAssignmentsSQL = `
	SELECT a.course_id, a.id, i.title, a.opens_at, a.due_at, a.max_score, true AS visible,
	  a.id AS column_id, s.person_id, s.submitted_at,
	  m.submission_id IS NOT NULL AS marked, m.score, m.released_at,
	  GREATEST(COALESCE(sa.extra_time_percent, 0), COALESCE(xt.extra_time_percent, 0)) AS extra_time_percent
	FROM assignments a
	JOIN course_items i ON i.id = a.item_id
	JOIN courses c ON c.id = a.course_id AND c.status <> 'draft'` + myCourseSQL + `
	LEFT JOIN submissions s ON s.assignment_id = a.id AND s.person_id = @me
	LEFT JOIN marks m ON m.submission_id = s.id AND m.released_at IS NOT NULL
	LEFT JOIN special_arrangements sa ON sa.person_id = @me
	LEFT JOIN assignment_extra_time xt ON xt.assignment_id = a.id AND xt.person_id = @me
	WHERE ` + visibleSQL + `
	ORDER BY a.due_at, i.title, a.id`

// myQuizzesSQL is the published quizzes of @me's courses with @me's own
// attempt, its score only once the quiz's results are released.
const myQuizzesSQL = `
	SELECT q.course_id, q.id, q.title, q.opens_at, q.closes_at AS due_at, ` + quizMaxSQL + ` AS max_score,
	  true AS visible, q.results_released_at,
	  q.id AS column_id, t.person_id, t.submitted_at, t.status, t.deadline_at,
	  CASE WHEN q.results_released_at IS NOT NULL THEN t.score END AS score
	FROM quizzes q
	JOIN courses c ON c.id = q.course_id AND c.status <> 'draft'` + myCourseSQL + `
	LEFT JOIN quiz_attempts t ON t.quiz_id = q.id AND t.person_id = @me
	WHERE q.published
	ORDER BY q.closes_at, q.title, q.id`
