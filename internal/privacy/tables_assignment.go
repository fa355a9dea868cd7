package privacy

// Retention phrases of assignments and marks.
const (
	workLife        = "while the course exists and for the school's retention period for pupils' work; then erased"
	arrangementLife = "while the person is a learner of the tenant; removed when the school ends the arrangement or erases the person"
)

// assignmentTables declares assignments, special arrangements, submissions
// and marks.
var assignmentTables = []Table{
	{
		Name: "assignments", Owner: Tenant, Description: "Set work with its due date and maximum score; its title and place are a course item.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"), key("item_id"),
			col("instructions", Content, "tell learners what to do", PublicTask, courseLife, Export, Retain),
			col("opens_at", Record, "when learners may start submitting; extra time is a share of the window", PublicTask, courseLife, Export, Retain),
			col("due_at", Record, "when work is due", PublicTask, courseLife, Export, Retain),
			col("max_score", Record, "the scale of the marks", PublicTask, courseLife, Export, Retain),
			col("closes_at", Record, "until when late work is accepted", PublicTask, courseLife, Export, Retain),
			col("hand_in", Record, "what learners may hand in: text, files or both", PublicTask, courseLife, Export, Retain),
			col("created_by", Key, "who set the assignment", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "special_arrangements", Owner: Tenant, Subject: "person_id", Description: "Extra time a learner is granted (the arrangement only, never the condition behind it).",
		Columns: []Column{
			key("tenant_id"), key("person_id").person(),
			col("extra_time_percent", Education, "give the learner the extra time the school granted", PublicTask, arrangementLife, Export, Delete),
			col("set_by", Key, "who granted the arrangement", PublicTask, arrangementLife, Export, Delete).person(),
			col("created_at", Record, "record keeping", PublicTask, arrangementLife, Export, Delete),
			col("updated_at", Record, "record keeping", PublicTask, arrangementLife, Export, Delete),
		},
	},
	{
		Name: "assignment_extra_time", Owner: Tenant, Subject: "person_id", Description: "Extra time a teacher grants a learner on one assignment (the time only, never a reason).",
		Columns: []Column{
			key("tenant_id"), key("assignment_id"), key("person_id").person(),
			col("extra_time_percent", Education, "give the learner the extra time their teacher granted on this assignment", PublicTask, workLife, Export, Delete),
			col("set_by", Key, "who granted the extra time", PublicTask, workLife, Export, Delete).person(),
			col("created_at", Record, "record keeping", PublicTask, workLife, Export, Delete),
			col("updated_at", Record, "record keeping", PublicTask, workLife, Export, Delete),
		},
	},
	{
		Name: "submissions", Owner: Tenant, Subject: "person_id", Description: "A learner's current work for an assignment.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("assignment_id"), key("person_id").person(),
			col("body", Content, "the learner's written work, for marking", PublicTask, workLife, Export, Delete),
			col("attempt", Education, "how many times the learner submitted", PublicTask, workLife, Export, Delete),
			col("submitted_at", Education, "when the work was first handed in", PublicTask, workLife, Export, Delete),
			col("updated_at", Education, "when the work was last handed in", PublicTask, workLife, Export, Delete),
		},
	},
	{
		Name: "submission_files", Owner: Tenant, Subject: "submission_id", Via: "submissions", Description: "Files handed in with a submission (the bytes are in files).",
		Columns: []Column{
			key("tenant_id"), key("submission_id"),
			col("file_id", Content, "the files a learner handed in", PublicTask, workLife, Export, Delete).file(),
		},
	},
	{
		Name: "marks", Owner: Tenant, Subject: "submission_id", Via: "submissions",
		Withheld: "t.released_at IS NULL", WithheldWhy: "a mark and feedback not yet released to the learner (given once the teacher releases it)",
		Description: "A teacher's mark and feedback on a submission; the learner sees it once released.",
		Columns: []Column{
			key("tenant_id"), key("submission_id"), key("feedback_file_id").file(),
			col("score", Education, "the learner's mark", PublicTask, workLife, Export, Delete),
			col("feedback", Education, "the teacher's feedback to the learner", PublicTask, workLife, Export, Delete),
			col("marked_by", Key, "who marked the work", PublicTask, workLife, Export, Anonymise).person(),
			col("marked_at", Education, "when the work was marked", PublicTask, workLife, Export, Delete),
			col("released_at", Education, "when the learner could first see the mark", PublicTask, workLife, Export, Delete),
		},
	},
}
