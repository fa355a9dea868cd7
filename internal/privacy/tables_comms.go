package privacy

const (
	commsLife       = "for the school's retention period for communications; erased with the person"
	suppressionLife = "for as long as the school sends email: it keeps an unsubscribed address out"
	noticeLife      = "while the person is a member of the tenant; erased with the person"
)

// commsTables declares communications.
var commsTables = []Table{
	{
		Name: "communications", Owner: Tenant, Description: "Announcements and newsletters to a course, a school or the whole tenant, in the app and by email.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"), key("school_id"),
			col("audience", Record, "who it is for", PublicTask, commsLife, Export, Retain),
			col("optional", Record, "whether it is optional (sent only with consent)", PublicTask, commsLife, Export, Retain),
			col("by_email", Record, "whether it was also emailed", PublicTask, commsLife, Export, Retain),
			col("subject", Content, "the message", PublicTask, commsLife, Export, Retain),
			col("body", Content, "the message", PublicTask, commsLife, Export, Retain),
			col("sent_by", Key, "who sent it", PublicTask, commsLife, Export, Anonymise).person(),
			col("recipients", Record, "how many it went to", PublicTask, commsLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, commsLife, Export, Retain),
		},
	},
	{
		Name: "communication_inbox", Owner: Tenant, Subject: "person_id", Description: "Which messages reached whom in the app, and when they were read.",
		Columns: []Column{
			key("tenant_id"), key("communication_id"), key("person_id").person(),
			col("read_at", Activity, "whether the person has read it", PublicTask, commsLife, Export, Delete),
		},
	},
	{
		Name: "email_outbox", Owner: Tenant, Subject: "person_id", Description: "Emails to send and sent: to whom, and what happened.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("communication_id"), key("person_id").person(),
			col("to_address", Contact, "send the email", PublicTask, commsLife, Export, Delete),
			col("status", Record, "queued, sent, failed or suppressed", PublicTask, commsLife, Export, Delete),
			col("attempts", Record, "delivery attempts", PublicTask, commsLife, Export, Delete),
			col("last_error", Record, "why delivery failed", PublicTask, commsLife, Export, Delete),
			col("sent_at", Record, "when it was sent", PublicTask, commsLife, Export, Delete),
			col("subject", Content, "the subject of an email that is not a communication (a notice, a daily summary)", PublicTask, commsLife, Export, Delete),
			col("body", Content, "the text of an email that is not a communication (a notice, a daily summary)", PublicTask, commsLife, Export, Delete),
		},
	},
	{
		Name: "notification_preferences", Owner: Tenant, Subject: "person_id", Description: "How each person wants each kind of notice: in the app, by email at once, in a daily summary, or not at all.",
		Columns: []Column{
			key("tenant_id"), key("person_id").person(),
			col("kind", Record, "which kind of notice", PublicTask, whileMember, Export, Delete),
			col("in_app", Record, "whether it shows in the app", PublicTask, whileMember, Export, Delete),
			col("email", Record, "whether it is emailed at once, daily or not", PublicTask, whileMember, Export, Delete),
			col("updated_at", Record, "record keeping", PublicTask, whileMember, Export, Delete),
		},
	},
	{
		Name: "notifications", Owner: Tenant, Subject: "person_id", Description: "Notices to a person about their own learning: feedback released, work due or overdue, announcements, replies.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(),
			col("kind", Record, "what the notice is about", PublicTask, noticeLife, Export, Delete),
			col("subject_key", Key, "what it is about (an assignment, a post), so it is made once", PublicTask, noticeLife, Export, Delete),
			col("title", Education, "the notice", PublicTask, noticeLife, Export, Delete),
			col("body", Education, "the notice (a released mark and feedback, a due date, an excerpt of a post)", PublicTask, noticeLife, Export, Delete),
			col("link", Record, "where to read more", PublicTask, noticeLife, Export, Delete),
			col("in_app", Record, "whether it shows in the app", PublicTask, noticeLife, Export, Delete),
			col("email", Record, "how it is emailed", PublicTask, noticeLife, Export, Delete),
			col("emailed_at", Record, "when it was emailed", PublicTask, noticeLife, Export, Delete),
			col("read_at", Activity, "whether the person has read it", PublicTask, noticeLife, Export, Delete),
			col("created_at", Record, "record keeping", PublicTask, noticeLife, Export, Delete),
		},
	},
	{
		Name: "email_suppressions", Owner: Tenant, Description: "Addresses that unsubscribed (a keyed hash, not the address), kept out of optional email even after a re-import.",
		Columns: []Column{
			key("tenant_id"),
			col("address_hash", Contact, "keep an unsubscribed address out of optional email (HMAC of the address)", LegitimateInterest, suppressionLife, Omit, Retain),
			col("reason", Record, "why it is suppressed", LegitimateInterest, suppressionLife, Export, Retain),
			col("created_at", Record, "record keeping", LegitimateInterest, suppressionLife, Export, Retain),
		},
	},
}

// usageTables declares the school's usage analytics: aggregate counts,
// no person.
var usageTables = []Table{
	{
		Name: "usage_daily", Owner: Tenant, Description: "How much each part of the platform is used, per day: counts only, no person, device or address; people whose browser asks not to be tracked are not counted.",
		Columns: []Column{
			key("tenant_id"),
			col("day", Record, "which day", LegitimateInterest, "13 months", Export, Retain),
			col("area", Record, "which part of the platform (a route, never an id)", LegitimateInterest, "13 months", Export, Retain),
			col("requests", Record, "how many requests", LegitimateInterest, "13 months", Export, Retain),
		},
	},
}
