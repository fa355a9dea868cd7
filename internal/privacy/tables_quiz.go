package privacy

// quizLife is how long a learner's attempt and answers are kept: like
// their other work.
const quizLife = workLife

// quizTables declares the question bank, quizzes and learners' attempts.
var quizTables = []Table{
	{
		Name: "quiz_questions", Owner: Tenant, Description: "A course's question bank: multiple choice, multiple answer, numeric with tolerance, short text and essay questions with their answers.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("kind", Record, "how the question is answered and scored", PublicTask, courseLife, Export, Retain),
			col("prompt", Content, "the question", PublicTask, courseLife, Export, Retain),
			col("options", Content, "the choices offered", PublicTask, courseLife, Export, Retain),
			col("answer", Content, "the correct answer, for scoring (never shown to learners)", PublicTask, courseLife, Export, Retain),
			col("points", Record, "what the question is worth", PublicTask, courseLife, Export, Retain),
			col("created_by", Key, "who wrote the question", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "quizzes", Owner: Tenant, Description: "Timed tests and quizzes: their open window, time limit and whether results are released.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("title", Content, "name the quiz", PublicTask, courseLife, Export, Retain),
			col("instructions", Content, "tell learners what to do", PublicTask, courseLife, Export, Retain),
			col("opens_at", Record, "when learners may start", PublicTask, courseLife, Export, Retain),
			col("closes_at", Record, "when learners may no longer start", PublicTask, courseLife, Export, Retain),
			col("time_limit_seconds", Record, "the time everyone has; extra time lengthens it per learner", PublicTask, courseLife, Export, Retain),
			col("published", Record, "whether learners see it", PublicTask, courseLife, Export, Retain),
			col("results_released_at", Record, "when learners could first see their results", PublicTask, courseLife, Export, Retain),
			col("created_by", Key, "who set the quiz", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "quiz_items", Owner: Tenant, Description: "Which questions a quiz asks, in order.",
		Columns: []Column{
			key("tenant_id"), key("quiz_id"), key("question_id"),
			col("position", Record, "the order of the questions", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "quiz_attempts", Owner: Tenant, Subject: "person_id",
		Withheld: "NOT EXISTS (SELECT 1 FROM quizzes q WHERE q.id = t.quiz_id AND q.results_released_at IS NOT NULL)", WithheldWhy: "a quiz result not yet released to the learner (given once the teacher releases it)",
		Description: "A learner's attempt at a quiz: when it started, their deadline (with any extra time), when it was handed in, and the score once marked.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("quiz_id"), key("person_id").person(),
			col("extra_time_percent", Education, "the extra time the learner's arrangement gave this attempt", PublicTask, quizLife, Export, Delete),
			col("started_at", Education, "when the learner started", PublicTask, quizLife, Export, Delete),
			col("deadline_at", Education, "the learner's own deadline", PublicTask, quizLife, Export, Delete),
			col("submitted_at", Education, "when the attempt was handed in", PublicTask, quizLife, Export, Delete),
			col("status", Education, "in progress or handed in", PublicTask, quizLife, Export, Delete),
			col("score", Education, "the learner's score: information for the teacher, never an automated decision", PublicTask, quizLife, Export, Delete),
			col("max_score", Education, "the scale of the score", PublicTask, quizLife, Export, Delete),
		},
	},
	{
		Name: "quiz_answers", Owner: Tenant, Subject: "attempt_id", Via: "quiz_attempts",
		Withheld: "NOT EXISTS (SELECT 1 FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id WHERE a.id = t.attempt_id AND q.results_released_at IS NOT NULL)", WithheldWhy: "marking of a quiz not yet released to the learner",
		Description: "A learner's answer to each question, saved as they answer, with its score and the teacher's marking.",
		Columns: []Column{
			key("tenant_id"), key("attempt_id"), key("question_id"),
			col("response", Content, "the learner's answer", PublicTask, quizLife, Export, Delete),
			col("saved_at", Education, "when it was last saved", PublicTask, quizLife, Export, Delete),
			col("auto_score", Education, "the score an objective question earned", PublicTask, quizLife, Export, Delete),
			col("teacher_score", Education, "the teacher's mark (essays, or a correction)", PublicTask, quizLife, Export, Delete),
			col("feedback", Education, "the teacher's feedback", PublicTask, quizLife, Export, Delete),
			col("marked_by", Key, "who marked the answer", PublicTask, quizLife, Export, Anonymise).person(),
			col("marked_at", Education, "when it was marked", PublicTask, quizLife, Export, Delete),
		},
	},
}
