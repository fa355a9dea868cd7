package privacy

// rolloverLife is how long a rollover's record is kept.
const rolloverLife = "while the school exists; removed with it"

// rolloverTables declare course rollovers: an admin's request to copy
// many courses of a school at once, and its progress.
var rolloverTables = []Table{
	{
		Name: "course_rollovers", Owner: Tenant, Description: "An admin's rollover of a school's courses into copies for a new year, with its progress.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("school_id"), key("term_id"),
			col("suffix", Content, "what each copy's title gains (the new school year)", PublicTask, rolloverLife, Export, Retain),
			col("status", Record, "running or done", PublicTask, rolloverLife, Export, Retain),
			col("total", Record, "how many courses to copy", PublicTask, rolloverLife, Export, Retain),
			col("done", Record, "how many are copied", PublicTask, rolloverLife, Export, Retain),
			col("failed", Record, "how many could not be copied", PublicTask, rolloverLife, Export, Retain),
			col("requested_by", Key, "the admin who asked, who becomes the copies' teacher", PublicTask, rolloverLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, rolloverLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, rolloverLife, Export, Retain),
		},
	},
	{
		Name: "course_rollover_courses", Owner: Tenant, Description: "Each course of a rollover and its copy once made.",
		Columns: []Column{
			key("tenant_id"), key("rollover_id"), key("course_id"), key("copy_id"),
			col("position", Record, "the order the courses are copied in", PublicTask, rolloverLife, Export, Retain),
			col("failure", Record, "why a course could not be copied", PublicTask, rolloverLife, Export, Retain),
		},
	},
}
