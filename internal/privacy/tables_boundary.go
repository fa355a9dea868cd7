package privacy

// Retention phrases of the processor boundary.
const (
	auditLife   = "for the life of the contract; returned in the contract-end export, then deleted"
	requestLife = "for the life of the contract, then 1 year as the processor's record of access; then deleted"
	alertLife   = "90 days; then deleted"
	legalLife   = "6 years after the order (limitation period); then deleted"
	breachLife  = "6 years after closure (the processor's breach record); then deleted"
	signalLife  = "90 days; then deleted"
)

// boundaryTables declare support access, the audit log, alerts and
// sub-processors.
var boundaryTables = []Table{
	{
		Name: "sub_processors", Owner: Processor, Description: "The processor's register of sub-processors: name, purpose, country.",
		Columns: []Column{
			key("id"),
			col("name", Organisation, "name the sub-processor to every tenant", NotPersonal, "while engaged, then 7 years", Export, Retain),
			col("purpose", Organisation, "say what it does for the processor", NotPersonal, "while engaged, then 7 years", Export, Retain),
			col("country", Organisation, "where it processes (UK, EEA or adequacy only)", NotPersonal, "while engaged, then 7 years", Export, Retain),
			col("replaces", Key, "the sub-processor it replaces", NotPersonal, "with the row", Export, Retain),
			col("objections_close_at", Record, "end of the tenants' objection window", NotPersonal, "with the row", Export, Retain),
			col("created_at", Record, "record keeping", NotPersonal, "with the row", Export, Retain),
			col("retired_at", Record, "when it stopped being used", NotPersonal, "with the row", Export, Retain),
		},
	},
	{
		Name: "sub_processor_decisions", Owner: Tenant, Subject: "decided_by", Description: "A tenant's authorisation of, or objection to, each sub-processor.",
		Columns: []Column{
			key("tenant_id"), key("sub_processor_id"),
			col("decision", Organisation, "whether the school authorised the sub-processor or objected", Contract, untilContract, Export, Retain),
			col("reason", Content, "the school's reason for objecting", Contract, untilContract, Export, Retain),
			col("decided_by", Key, "which admin decided", Contract, untilContract, Export, Anonymise).person(),
			col("decided_at", Record, "record keeping", Contract, untilContract, Export, Retain),
		},
	},
	{
		Name: "support_requests", Owner: Processor, Subject: "decided_by", Description: "Support access requests and the grants they become: ticket, reason, scope, duration, and who approved, denied or revoked them.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("requester_id", Key, "the support person asking", LegitimateInterest, requestLife, Export, Retain),
			col("requester_name", Identity, "name the support person in the tenant's view", LegitimateInterest, requestLife, Export, Retain),
			col("ticket", Record, "tie the access to a support ticket", Contract, requestLife, Export, Retain),
			col("reason_code", Record, "why access is needed", Contract, requestLife, Export, Retain),
			col("justification", Record, "why access is needed, in words", Contract, requestLife, Export, Retain),
			col("areas", Record, "which data areas may be read", Contract, requestLife, Export, Retain),
			col("course_ids", Key, "the courses the grant is narrowed to", Contract, requestLife, Export, Retain),
			col("person_ids", Key, "the people the grant is narrowed to", Contract, requestLife, Export, Retain),
			col("duration_minutes", Record, "how long access lasts once approved", Contract, requestLife, Export, Retain),
			col("status", Record, "pending, approved, denied or revoked", Contract, requestLife, Export, Retain),
			col("requested_at", Record, "record keeping", Contract, requestLife, Export, Retain),
			col("pending_until", Record, "when an undecided request lapses", Contract, requestLife, Export, Retain),
			col("decided_by", Key, "the school's approver who decided", Contract, requestLife, Export, Anonymise).person(),
			col("decided_by_name", Identity, "name the approver in the access log", Contract, requestLife, Export, Anonymise),
			col("decided_at", Record, "record keeping", Contract, requestLife, Export, Retain),
			col("decision_note", Content, "the approver's note", Contract, requestLife, Export, Anonymise),
			col("starts_at", Record, "when access began", Contract, requestLife, Export, Retain),
			col("ends_at", Record, "when access ends", Contract, requestLife, Export, Retain),
			col("revoked_by", Key, "who ended access early", Contract, requestLife, Export, Anonymise).person(),
			col("revoked_by_name", Identity, "name who ended access early", Contract, requestLife, Export, Anonymise),
			col("revoked_at", Record, "record keeping", Contract, requestLife, Export, Retain),
		},
	},
	{
		Name: "tenant_webhooks", Owner: Tenant, Subject: "updated_by", Description: "Where the school wants alerts posted.",
		Columns: []Column{
			key("tenant_id"),
			col("url", Organisation, "deliver alerts to the school's system", Contract, untilContract, Export, Retain),
			col("secret", Credential, "sign deliveries so the school can check them", Contract, untilContract, Omit, Retain),
			col("updated_by", Key, "which admin set it", Contract, untilContract, Export, Anonymise).person(),
			col("updated_at", Record, "record keeping", Contract, untilContract, Export, Retain),
		},
	},
	{
		Name: "alerts", Owner: Tenant, Description: "Alerts for the school's admins and approvers (support requests, sub-processor changes).",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("kind", Record, "what the alert is about", Contract, alertLife, Export, Retain),
			col("audience", Record, "who should act on it", Contract, alertLife, Export, Retain),
			col("title", Record, "tell the school what happened", Contract, alertLife, Export, Retain),
			col("body", Record, "tell the school what happened", Contract, alertLife, Export, Retain),
			col("link", Record, "where to act", Contract, alertLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, alertLife, Export, Retain),
			col("webhook_status", Record, "whether the alert reached the school's webhook", Contract, alertLife, Export, Retain),
			col("webhook_attempts", Record, "delivery attempts so far", Contract, alertLife, Export, Retain),
			col("webhook_next_at", Record, "when delivery is tried again", Contract, alertLife, Export, Retain),
			col("webhook_error", Record, "why the last delivery failed", Contract, alertLife, Export, Retain),
		},
	},
	{
		Name: "audit_events", Owner: Tenant, Subject: "actor_id", Description: "The tenant's append-only, hash-chained log of processor staff access and of decisions about it.",
		Columns: []Column{
			key("tenant_id"),
			col("seq", Record, "order the chain", Contract, auditLife, Export, Retain),
			col("at", Record, "when it happened", Contract, auditLife, Export, Retain),
			col("actor_kind", Record, "member, staff or system", Contract, auditLife, Export, Retain),
			col("actor_id", Key, "who acted", Contract, auditLife, Export, Retain).person(),
			col("actor_name", Identity, "name who acted (never a shared account)", Contract, auditLife, Export, Retain),
			col("basis", Record, "under which legal basis", Contract, auditLife, Export, Retain),
			col("action", Record, "what was done", Contract, auditLife, Export, Retain),
			col("target", Record, "what was read or decided (route and ids)", Contract, auditLife, Export, Retain),
			col("grant_id", Key, "the grant the access was under", Contract, auditLife, Export, Retain),
			col("ticket", Record, "the support ticket", Contract, auditLife, Export, Retain),
			col("approver_name", Identity, "who approved the grant", Contract, auditLife, Export, Retain),
			col("detail", Record, "further facts about the event (ids, reason codes)", Contract, auditLife, Export, Retain),
			col("prev_hash", Record, "chain the log so edits show", Contract, auditLife, Export, Retain),
			col("hash", Record, "chain the log so edits show", Contract, auditLife, Export, Retain),
		},
	},
	{
		Name: "audit_heads", Owner: Tenant, Description: "The last sequence number and hash of each tenant's audit chain.",
		Columns: []Column{
			key("tenant_id"),
			col("seq", Record, "anchor the chain's end", Contract, auditLife, Export, Retain),
			col("hash", Record, "anchor the chain's end", Contract, auditLife, Export, Retain),
		},
	},
	{
		Name: "legal_orders", Owner: Processor, Subject: "recorded_by", Description: "Legal obligations (court orders, statutory demands) an operator read a tenant's data under.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("reference", Record, "identify the order", LegalObligation, legalLife, Export, Retain),
			col("issuing_body", Record, "who issued it", LegalObligation, legalLife, Export, Retain),
			col("order_date", Record, "when it was issued", LegalObligation, legalLife, Export, Retain),
			col("scope", Record, "what the order covers, in its words", LegalObligation, legalLife, Export, Retain),
			col("areas", Record, "which data areas may be read", LegalObligation, legalLife, Export, Retain),
			col("document_sha256", Record, "tie the record to the order's document", LegalObligation, legalLife, Export, Retain),
			col("recorded_by", Key, "the operator who recorded it and may read under it", LegalObligation, legalLife, Export, Retain),
			col("recorded_by_name", Identity, "name the operator in the tenant's log", LegalObligation, legalLife, Export, Retain),
			col("valid_until", Record, "when reading under it ends", LegalObligation, legalLife, Export, Retain),
			col("confirmed_by", Key, "the second operator who confirmed the record", LegalObligation, legalLife, Export, Retain),
			col("confirmed_by_name", Identity, "name the confirming operator", LegalObligation, legalLife, Export, Retain),
			col("confirmed_at", Record, "when reading became possible", LegalObligation, legalLife, Export, Retain),
			col("deferred", Record, "whether the order forbids telling the tenant yet", LegalObligation, legalLife, Export, Retain),
			col("deferral_reason", Record, "why the notice is deferred", LegalObligation, legalLife, Export, Retain),
			col("notice_by", Record, "the latest day the tenant is told", LegalObligation, legalLife, Export, Retain),
			col("notified_at", Record, "when the tenant was told", LegalObligation, legalLife, Export, Retain),
			col("created_at", Record, "record keeping", LegalObligation, legalLife, Export, Retain),
		},
	},
	{
		Name: "legal_reads", Owner: Processor, Subject: "staff_id", Description: "Reads under a legal order whose notice is deferred; moved into the tenant's audit log when the notice is given.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("order_id"),
			col("at", Record, "when it was read", LegalObligation, legalLife, Export, Retain),
			col("staff_id", Key, "who read", LegalObligation, legalLife, Export, Retain),
			col("staff_name", Identity, "name who read", LegalObligation, legalLife, Export, Retain),
			col("target", Record, "what was read", LegalObligation, legalLife, Export, Retain),
			col("disclosed_at", Record, "when it went into the tenant's log", LegalObligation, legalLife, Export, Retain),
		},
	},
	{
		Name: "breaches", Owner: Processor, Subject: "recorded_by", Description: "Personal data breaches the processor recorded.",
		Columns: []Column{
			key("id"),
			col("title", Record, "name the incident", LegalObligation, breachLife, Export, Retain),
			col("description", Record, "what happened", LegalObligation, breachLife, Export, Retain),
			col("detected_at", Record, "start the 72-hour clock", LegalObligation, breachLife, Export, Retain),
			col("recorded_by", Key, "the operator who recorded it", LegalObligation, breachLife, Export, Retain),
			col("recorded_by_name", Identity, "name the operator", LegalObligation, breachLife, Export, Retain),
			col("status", Record, "open, contained or closed", LegalObligation, breachLife, Export, Retain),
			col("created_at", Record, "record keeping", LegalObligation, breachLife, Export, Retain),
		},
	},
	{
		Name: "breach_tenants", Owner: Processor, Description: "Which tenants a breach affects, and what of their data.",
		Columns: []Column{
			key("tenant_id"), key("breach_id"),
			col("data_affected", Record, "tell the school what of its data was affected", LegalObligation, breachLife, Export, Retain),
			col("notified_at", Record, "when the school was told", LegalObligation, breachLife, Export, Retain),
		},
	},
	{
		Name: "security_events", Owner: Tenant, Subject: "person_id", Description: "Security signals for the school's admins: repeated failed sign-ins, a token used from a new network.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("kind", Security, "what was noticed", LegitimateInterest, signalLife, Export, Retain),
			col("person_id", Key, "whose account", LegitimateInterest, signalLife, Export, Anonymise).person(),
			col("detail", Security, "what was noticed, in words (no addresses)", LegitimateInterest, signalLife, Export, Delete),
			col("created_at", Record, "record keeping", LegitimateInterest, signalLife, Export, Retain),
		},
	},
	{
		Name: "data_use_agreements", Owner: Tenant, Subject: "signed_by", Description: "The school's agreements that the processor may use a pseudonymised copy of its data for development and testing.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("terms", Organisation, "what the school agreed", Contract, untilContract, Export, Retain),
			col("purpose", Organisation, "what the copy may be used for", Contract, untilContract, Export, Retain),
			col("starts_on", Record, "when it starts", Contract, untilContract, Export, Retain),
			col("ends_on", Record, "when it ends", Contract, untilContract, Export, Retain),
			col("signed_by", Key, "the admin who signed", Contract, untilContract, Export, Anonymise).person(),
			col("signed_by_name", Identity, "name who signed", Contract, untilContract, Export, Anonymise),
			col("signed_at", Record, "record keeping", Contract, untilContract, Export, Retain),
			col("withdrawn_by", Key, "the admin who withdrew it", Contract, untilContract, Export, Anonymise).person(),
			col("withdrawn_at", Record, "when it was withdrawn", Contract, untilContract, Export, Retain),
		},
	},
	{
		Name: "data_extracts", Owner: Processor, Subject: "requested_by", Description: "Pseudonymised copies made under a data use agreement, with progress.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("agreement_id"),
			col("requested_by", Key, "the operator who asked", Contract, untilContract, Export, Retain),
			col("requested_by_name", Identity, "name the operator in the tenant's log", Contract, untilContract, Export, Retain),
			col("status", Record, "queued, running, done, failed or removed", Contract, untilContract, Export, Retain),
			col("tables_done", Record, "progress", Contract, untilContract, Export, Retain),
			col("tables_total", Record, "progress", Contract, untilContract, Export, Retain),
			col("rows", Record, "how many rows were copied", Contract, untilContract, Export, Retain),
			col("object_prefix", Record, "where the copy is (under the tenant's prefix)", Contract, untilContract, Export, Retain),
			col("error", Record, "why a copy failed", Contract, untilContract, Export, Retain),
			col("created_at", Record, "record keeping", Contract, untilContract, Export, Retain),
			col("started_at", Record, "when a worker took it (a stale one is taken again)", Contract, untilContract, Export, Retain),
			col("finished_at", Record, "record keeping", Contract, untilContract, Export, Retain),
			col("removed_at", Record, "when the copy and every version of its objects were removed (the agreement was withdrawn or ended)", Contract, untilContract, Export, Retain),
		},
	},
	{
		Name: "security_signal_counts", Owner: Processor, Description: "Security signals counted per hour and kind across all schools: operators' figures, no school, no person.",
		Columns: []Column{
			col("hour", Record, "count signals over time", NotPersonal, signalLife, Export, Retain),
			col("kind", Record, "what was noticed", NotPersonal, signalLife, Export, Retain),
			col("n", Record, "how many", NotPersonal, signalLife, Export, Retain),
		},
	},
}
