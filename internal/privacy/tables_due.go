package privacy

// How long course events and calendar feeds are kept.
const (
	eventLife = "while the course exists; removed with it"
	feedLife  = "until the person stops the feed or makes a new address, or leaves; then deleted"
)

// dueTables declare what is due: events on a course's calendar, and each
// person's private calendar feed (only a hash of its secret address).
var dueTables = []Table{
	{
		Name: "course_events", Owner: Tenant, Description: "An event a teacher puts on a course's calendar (a trip, a test in class).",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("title", Content, "name the event", PublicTask, eventLife, Export, Retain),
			col("starts_at", Record, "when the event starts", PublicTask, eventLife, Export, Retain),
			col("ends_at", Record, "when the event ends", PublicTask, eventLife, Export, Retain),
			col("created_by", Key, "the teacher who added it", PublicTask, eventLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, eventLife, Export, Retain),
		},
	},
	{
		Name: "calendar_feeds", Owner: Tenant, Subject: "person_id", Description: "A person's private calendar feed address (only a hash of its secret).",
		Columns: []Column{
			key("tenant_id"), key("person_id").person(),
			keyOmit("token_hash"),
			col("created_at", Record, "tell the person when they made the address", PublicTask, feedLife, Export, Delete),
		},
	},
}
