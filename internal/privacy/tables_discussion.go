package privacy

// Retention of course discussions: they are part of the course.
const discussionLife = "while the course exists; removed with it, or by the school's retention rule"

// discussionTables declares per-course forums, their threads and posts.
var discussionTables = []Table{
	{
		Name: "forums", Owner: Tenant, Description: "A course's discussion forums.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("title", Content, "name the forum", PublicTask, discussionLife, Export, Retain),
			col("description", Content, "say what the forum is for", PublicTask, discussionLife, Export, Retain),
			col("created_by", Key, "who opened the forum", PublicTask, discussionLife, Export, Anonymise).person(),
			col("closed_at", Record, "teachers close a forum to learners' posts", PublicTask, discussionLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, discussionLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, discussionLife, Export, Retain),
		},
	},
	{
		Name: "threads", Owner: Tenant, Subject: "author_id", Description: "Threads of a forum; the first post is the opening message.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("forum_id"),
			col("title", Content, "name the thread", PublicTask, discussionLife, Export, Anonymise),
			col("author_id", Key, "who started the thread", PublicTask, discussionLife, Export, Anonymise).person(),
			col("locked", Record, "teachers close a thread to learners' posts", PublicTask, discussionLife, Export, Retain),
			col("pinned", Record, "teachers keep a thread in view", PublicTask, discussionLife, Export, Retain),
			col("post_count", Record, "list threads without counting posts", PublicTask, discussionLife, Export, Retain),
			col("last_post_at", Record, "show recent activity", PublicTask, discussionLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, discussionLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, discussionLife, Export, Retain),
		},
	},
	{
		Name: "posts", Owner: Tenant, Subject: "author_id", Description: "Posts in a thread (plain text). Deleting clears the body and keeps the place; teachers may hide a post with a reason.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("thread_id"),
			col("author_id", Key, "who wrote the post", PublicTask, discussionLife, Export, Anonymise).person(),
			col("body", Content, "the post's words", PublicTask, discussionLife, Export, Anonymise),
			col("edited_at", Record, "show that a post was changed", PublicTask, discussionLife, Export, Retain),
			col("deleted_at", Record, "show that a post was removed", PublicTask, discussionLife, Export, Retain),
			col("deleted_by", Key, "who removed the post (author or teacher)", PublicTask, discussionLife, Export, Anonymise).person(),
			col("hidden_at", Record, "moderation: when a teacher hid the post", PublicTask, discussionLife, Export, Retain),
			col("hidden_by", Key, "moderation: which teacher hid the post", PublicTask, discussionLife, Export, Anonymise).person(),
			col("hidden_reason", Education, "moderation: why the post was hidden, shown to its author", PublicTask, discussionLife, Export, Anonymise),
			col("created_at", Record, "record keeping", PublicTask, discussionLife, Export, Retain),
		},
	},
	{
		Name: "post_reports", Owner: Tenant, Subject: "reported_by", Description: "Posts reported to a course's teachers: who reported, why, and how a teacher closed the report.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("post_id"),
			col("reported_by", Key, "who reported the post, for the teachers to follow up", PublicTask, discussionLife, Export, Anonymise).person(),
			col("reason", Content, "why the post was reported", PublicTask, discussionLife, Export, Anonymise),
			col("created_at", Record, "record keeping", PublicTask, discussionLife, Export, Retain),
			col("closed_at", Record, "moderation: when a teacher closed the report", PublicTask, discussionLife, Export, Retain),
			col("closed_by", Key, "moderation: which teacher closed the report", PublicTask, discussionLife, Export, Anonymise).person(),
			col("outcome", Record, "moderation: dismissed, or the post hidden", PublicTask, discussionLife, Export, Retain),
		},
	},
}
