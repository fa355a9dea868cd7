package quiz

// The statements the service runs as raw SQL; the rest goes through gorm.

// extraTimeSQL is the person's extra time percentage, 0 without a special
// arrangement.
const extraTimeSQL = `
	SELECT COALESCE((
		SELECT extra_time_percent FROM special_arrangements WHERE person_id = ?
	), 0)`

// insertItemSQL puts a question of the bank on a quiz, at a position.
const insertItemSQL = `
	INSERT INTO quiz_items (tenant_id, quiz_id, question_id, position)
	VALUES (?, ?, ?, ?)`

// itemIDsSQL is the ids of a quiz's questions, in order.
const itemIDsSQL = `
	SELECT question_id FROM quiz_items WHERE quiz_id = ? ORDER BY position`

// maxScoreSQL is what a quiz's questions are worth together.
const maxScoreSQL = `
	SELECT COALESCE(sum(q.points), 0)
	FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id
	WHERE i.quiz_id = ?`

// questionsSQL is a quiz's questions, in order.
const questionsSQL = `
	SELECT q.*
	FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id
	WHERE i.quiz_id = ?
	ORDER BY i.position`

// questionSQL is one question of a quiz (no row when it is not on it).
const questionSQL = `
	SELECT q.*
	FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id
	WHERE i.quiz_id = ? AND q.id = ?`

// pointsSQL is what one question of a quiz is worth (no row when it is
// not on it).
const pointsSQL = `
	SELECT q.points
	FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id
	WHERE i.quiz_id = ? AND q.id = ?`

// saveAnswerSQL records a learner's answer, replacing the one saved before.
const saveAnswerSQL = `
	INSERT INTO quiz_answers (tenant_id, attempt_id, question_id, response, saved_at)
	VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (tenant_id, attempt_id, question_id) DO UPDATE
	SET response = EXCLUDED.response, saved_at = EXCLUDED.saved_at`

// answeredSQL is an attempt's answers with their questions, to score.
const answeredSQL = `
	SELECT q.*, x.response
	FROM quiz_answers x JOIN quiz_questions q ON q.id = x.question_id
	WHERE x.attempt_id = ?`

// autoScoreSQL sets the automatic score of one answer.
const autoScoreSQL = `
	UPDATE quiz_answers SET auto_score = ? WHERE attempt_id = ? AND question_id = ?`

// totalSQL is an attempt's points (the teacher's mark where there is one,
// else the automatic score) and how many of its essays are unmarked.
const totalSQL = `
	SELECT COALESCE(sum(COALESCE(x.teacher_score, x.auto_score, 0)), 0) AS sum,
		count(*) FILTER (
			WHERE q.kind = 'essay' AND x.teacher_score IS NULL AND x.question_id IS NOT NULL
		) AS unmarked
	FROM quiz_items i JOIN quiz_questions q ON q.id = i.question_id
	LEFT JOIN quiz_answers x ON x.question_id = q.id AND x.attempt_id = ?
	WHERE i.quiz_id = ?`

// markSQL records a teacher's mark and feedback on one answer (an empty
// answer when the learner gave none).
const markSQL = `
	INSERT INTO quiz_answers (tenant_id, attempt_id, question_id, response,
		teacher_score, feedback, marked_by, marked_at)
	VALUES (?, ?, ?, '{}', ?, ?, ?, now())
	ON CONFLICT (tenant_id, attempt_id, question_id) DO UPDATE
	SET teacher_score = EXCLUDED.teacher_score, feedback = EXCLUDED.feedback,
		marked_by = EXCLUDED.marked_by, marked_at = EXCLUDED.marked_at`
