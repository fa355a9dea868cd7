package privacy

const (
	commsLife       = "for the school's retention period for communications; erased with the person"
	suppressionLife = "for as long as the school sends email: it keeps an unsubscribed address out"
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
