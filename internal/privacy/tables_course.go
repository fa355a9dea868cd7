package privacy

// Retention phrases of the learning core.
const (
	courseLife   = "while the course exists; removed with it, or by the school's retention rule"
	learnerLife  = "while the person is enrolled and for the school's retention period after; then erased"
	activityLife = "for the school's activity-history period (default 12 months); then deleted"
)

// courseTables declares files, courses and their content, enrolments,
// teaching groups and learner activity.
var courseTables = []Table{
	{
		Name: "files", Owner: Tenant, Subject: "uploaded_by", Description: "Every object a tenant stores (course material, submissions, feedback), keyed t/{tenant}/files/{id}.",
		Columns: []Column{
			key("tenant_id"), key("id"), keyOmit("object_key"),
			col("name", Content, "show the file under the name it was uploaded with (a learner's own files go with them on erasure)", PublicTask, courseLife, Export, Retain),
			col("content_type", Record, "serve the file correctly", PublicTask, courseLife, Export, Retain),
			col("size_bytes", Record, "enforce the school's size limit", PublicTask, courseLife, Export, Retain),
			col("sha256", Record, "prove the file's integrity", PublicTask, courseLife, Omit, Retain),
			col("status", Record, "uploading, ready or being deleted", PublicTask, courseLife, Export, Retain),
			col("attached_to", Record, "what holds the file", PublicTask, courseLife, Export, Retain),
			col("uploaded_by", Key, "who uploaded the file", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "courses", Owner: Tenant, Description: "A school's courses.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("school_id"),
			col("title", Content, "name the course", PublicTask, courseLife, Export, Retain),
			col("summary", Content, "describe the course", PublicTask, courseLife, Export, Retain),
			col("status", Record, "draft, published or archived", PublicTask, courseLife, Export, Retain),
			col("external_id", Key, "match the school information system's class on re-import", PublicTask, courseLife, Export, Retain),
			col("term_id", Key, "the term the class runs in (from the roster), with which the course ends", PublicTask, courseLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "course_sections", Owner: Tenant, Description: "Ordered parts of a course.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("title", Content, "name the section", PublicTask, courseLife, Export, Retain),
			col("position", Record, "order sections", PublicTask, courseLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "course_items", Owner: Tenant, Description: "Content of a course: pages, files, video, audio, links and assignment entries.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"), key("section_id"), key("file_id").file(),
			col("kind", Record, "what the item is", PublicTask, courseLife, Export, Retain),
			col("title", Content, "name the item", PublicTask, courseLife, Export, Retain),
			col("position", Record, "order items", PublicTask, courseLife, Export, Retain),
			col("published", Record, "whether learners see it", PublicTask, courseLife, Export, Retain),
			col("visible_from", Record, "when learners start to see it", PublicTask, courseLife, Export, Retain),
			col("body_html", Content, "teaching material (sanitised HTML)", PublicTask, courseLife, Export, Retain),
			col("url", Content, "link to outside material", PublicTask, courseLife, Export, Retain),
			col("created_by", Key, "who authored the item", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "item_images", Owner: Tenant, Description: "Which page of a course shows which uploaded image.",
		Columns: []Column{
			key("tenant_id"), key("item_id"), key("file_id").file(),
		},
	},
	{
		Name: "enrolments", Owner: Tenant, Subject: "person_id", Description: "Who teaches or learns on a course.",
		Columns: []Column{
			key("tenant_id"), key("course_id"), key("person_id").person(),
			col("role", Education, "teacher or learner on the course", PublicTask, learnerLife, Export, Delete),
			col("external_id", Key, "match the school information system's enrolment on re-import", PublicTask, learnerLife, Export, Delete),
			col("created_at", Record, "record keeping", PublicTask, learnerLife, Export, Delete),
		},
	},
	{
		Name: "teaching_groups", Owner: Tenant, Description: "Teaching groups within a course.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("name", Content, "name the group", PublicTask, courseLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "teaching_group_members", Owner: Tenant, Subject: "person_id", Description: "Who is in which teaching group.",
		Columns: []Column{
			key("tenant_id"), key("group_id"), key("course_id"),
			col("person_id", Education, "which teaching group a learner is in", PublicTask, learnerLife, Export, Delete).person(),
		},
	},
	{
		Name: "activity_events", Owner: Tenant, Subject: "person_id", Description: "Each learner access to a course or item and each interaction (view, submit, post).",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(), key("course_id"), key("item_id"),
			col("kind", Activity, "inform teachers of a learner's engagement", PublicTask, activityLife, Export, Delete),
			col("occurred_at", Activity, "inform teachers of a learner's engagement", PublicTask, activityLife, Export, Delete),
			col("duration_seconds", Activity, "inform teachers of a learner's engagement", PublicTask, activityLife, Export, Delete),
		},
	},
	{
		Name: "item_progress", Owner: Tenant, Subject: "person_id", Description: "Which items a learner has opened, how often and for how long.",
		Columns: []Column{
			key("tenant_id"), key("item_id"), key("person_id").person(), key("course_id"),
			col("first_viewed_at", Activity, "show the learner and their teachers their progress", PublicTask, activityLife, Export, Delete),
			col("last_viewed_at", Activity, "show the learner and their teachers their progress", PublicTask, activityLife, Export, Delete),
			col("views", Activity, "show the learner and their teachers their progress", PublicTask, activityLife, Export, Delete),
			col("seconds", Activity, "show the learner and their teachers their progress", PublicTask, activityLife, Export, Delete),
		},
	},
}
