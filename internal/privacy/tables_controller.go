package privacy

// Retention phrases of the controller toolkit.
const (
	requestRecordLife = "3 years after the request is closed (the school's record of answering it); then deleted"
	exportLife        = "until the download link expires (default 7 days); then deleted"
	consentLife       = "while the person is a member, and 3 years after a withdrawal as evidence; then deleted"
	ledgerLife        = "for as long as any backup holding the erased person may be restored (at most 7 years)"
	retentionLife     = untilContract
)

// controllerTables declare the school's controller tools: subject
// requests and exports, the erasure ledger, consents, guardians and
// retention.
var controllerTables = []Table{
	{
		Name: "guardianships", Owner: Tenant, Subject: "child_id", Description: "Which guardians act for which children (consents and requests).",
		Columns: []Column{
			key("tenant_id"),
			col("guardian_id", Key, "let a guardian act for their child", PublicTask, whileMember, Export, Retain).person(),
			col("child_id", Key, "let a guardian act for their child", PublicTask, whileMember, Export, Retain).person(),
			col("created_by", Key, "which admin linked them", PublicTask, whileMember, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, whileMember, Export, Delete),
			col("from_roster", Record, "whether a roster import made the link (a later file may remove it)", PublicTask, whileMember, Export, Delete),
		},
	},
	{
		Name: "consents", Owner: Tenant, Subject: "person_id", Description: "Consents given and withdrawn, with evidence: who, when, how, which wording.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(),
			col("purpose", Record, "what the consent is for", LegalObligation, consentLife, Export, Delete),
			col("given", Record, "given or withdrawn", LegalObligation, consentLife, Export, Delete),
			col("wording_version", Record, "which wording the person saw", LegalObligation, consentLife, Export, Delete),
			col("method", Record, "how it was given (online, paper, verbal)", LegalObligation, consentLife, Export, Delete),
			col("by_person", Key, "who gave or withdrew it (the person, their guardian, or an admin recording a paper form)", LegalObligation, consentLife, Export, Delete).person(),
			col("by_relation", Record, "self, guardian or admin", LegalObligation, consentLife, Export, Delete),
			col("at", Record, "when", LegalObligation, consentLife, Export, Delete),
		},
	},
	{
		Name: "subject_requests", Owner: Tenant, Subject: "person_id", Description: "Data subject requests (access, rectification, erasure, restriction, objection, portability) and how the school answered them.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("person_id", Key, "whose request it is", LegalObligation, requestRecordLife, Export, Anonymise).person(),
			col("kind", Record, "which right", LegalObligation, requestRecordLife, Export, Retain),
			col("asked_by", Key, "who asked (the person, an admin for them, or a guardian)", LegalObligation, requestRecordLife, Export, Anonymise).person(),
			col("asked_by_relation", Record, "self, admin or guardian", LegalObligation, requestRecordLife, Export, Retain),
			col("received_on", Record, "start the one-month clock", LegalObligation, requestRecordLife, Export, Retain),
			col("due_on", Record, "when the answer is due", LegalObligation, requestRecordLife, Export, Retain),
			col("extended_months", Record, "an extension of up to two months", LegalObligation, requestRecordLife, Export, Retain),
			col("extension_reason", Record, "why the answer needs longer", LegalObligation, requestRecordLife, Export, Retain),
			col("status", Record, "open, in progress, done or refused", LegalObligation, requestRecordLife, Export, Retain),
			col("assignee_id", Key, "which admin is handling it", LegalObligation, requestRecordLife, Export, Anonymise).person(),
			col("details", Content, "what the person asked, in their words", LegalObligation, requestRecordLife, Export, Anonymise),
			col("notes", Content, "the school's working notes", LegalObligation, requestRecordLife, Export, Anonymise),
			col("outcome", Record, "what the school did", LegalObligation, requestRecordLife, Export, Retain),
			col("closed_at", Record, "record keeping", LegalObligation, requestRecordLife, Export, Retain),
			col("created_at", Record, "record keeping", LegalObligation, requestRecordLife, Export, Retain),
			col("updated_at", Record, "record keeping", LegalObligation, requestRecordLife, Export, Retain),
		},
	},
	{
		Name: "subject_exports", Owner: Tenant, Subject: "person_id", Description: "A person's access or portability exports (a zip, kept as one of the school's files) and their progress.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(), key("request_id"),
			col("requested_by", Key, "who asked for the export", LegalObligation, exportLife, Export, Delete).person(),
			col("status", Record, "progress", LegalObligation, exportLife, Export, Delete),
			col("tables_done", Record, "progress", LegalObligation, exportLife, Export, Delete),
			col("tables_total", Record, "progress", LegalObligation, exportLife, Export, Delete),
			col("files_done", Record, "progress", LegalObligation, exportLife, Export, Delete),
			col("files_total", Record, "progress", LegalObligation, exportLife, Export, Delete),
			col("bytes", Record, "progress", LegalObligation, exportLife, Export, Delete),
			key("file_id").file(),
			col("error", Record, "why an export failed", LegalObligation, exportLife, Export, Delete),
			col("expires_at", Record, "when the download ends", LegalObligation, exportLife, Export, Delete),
			col("created_at", Record, "record keeping", LegalObligation, exportLife, Export, Delete),
			col("started_at", Record, "record keeping", LegalObligation, exportLife, Export, Delete),
			col("finished_at", Record, "record keeping", LegalObligation, exportLife, Export, Delete),
			col("heartbeat_at", Record, "a running export's last sign of life (a silent one is taken over)", LegalObligation, exportLife, Omit, Delete),
			col("run_id", Key, "which run holds the export (a run taken over stops)", LegalObligation, exportLife, Omit, Delete),
		},
	},
	{
		Name: "erasure_ledger", Owner: Tenant, Description: "A keyed hash of each erased person, so restoring an older backup erases them again. Holds no personal data.",
		Columns: []Column{
			key("tenant_id"),
			col("subject_hash", Key, "re-apply an erasure after a restore (HMAC of the person's id, not reversible)", LegalObligation, ledgerLife, Omit, Retain),
			key("request_id"),
			col("erased_at", Record, "record keeping", LegalObligation, ledgerLife, Export, Retain),
			col("rows_deleted", Record, "what the erasure removed", LegalObligation, ledgerLife, Export, Retain),
			col("rows_kept", Record, "what the erasure anonymised or kept", LegalObligation, ledgerLife, Export, Retain),
			col("objects", Record, "how many stored objects went", LegalObligation, ledgerLife, Export, Retain),
		},
	},
	{
		Name: "retention_settings", Owner: Tenant, Description: "The school's retention period per data category (defaults in policies/retention.yaml).",
		Columns: []Column{
			key("tenant_id"),
			col("category", Organisation, "which data", PublicTask, retentionLife, Export, Retain),
			col("months", Organisation, "how long it is kept", PublicTask, retentionLife, Export, Retain),
			col("updated_by", Key, "which admin set it", PublicTask, retentionLife, Export, Anonymise).person(),
			col("updated_at", Record, "record keeping", PublicTask, retentionLife, Export, Retain),
		},
	},
	{
		Name: "retention_holds", Owner: Tenant, Subject: "person_id", Description: "Legal holds: people or courses exempt from retention deletion.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(), key("course_id"),
			col("reason", Record, "why the data must be kept", LegalObligation, retentionLife, Export, Retain),
			col("created_by", Key, "which admin placed the hold", LegalObligation, retentionLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", LegalObligation, retentionLife, Export, Retain),
			col("released_at", Record, "when the hold ended", LegalObligation, retentionLife, Export, Retain),
		},
	},
	{
		Name: "retention_runs", Owner: Tenant, Description: "Runs of the retention job, dry or enforcing, with what they found (categories and counts, no personal data).",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("dry_run", Record, "only report, or delete", PublicTask, retentionLife, Export, Retain),
			col("started_by", Key, "the admin who asked for a dry run (none for the daily job)", PublicTask, retentionLife, Export, Anonymise).person(),
			col("report", Record, "what expired, per category", PublicTask, retentionLife, Export, Retain),
			col("rows", Record, "how many rows expired", PublicTask, retentionLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, retentionLife, Export, Retain),
		},
	},
	{
		Name: "retention_enforcement", Owner: Tenant, Description: "When the school switched retention enforcement on, after a dry run.",
		Columns: []Column{
			key("tenant_id"),
			col("enabled_at", Record, "record keeping", PublicTask, retentionLife, Export, Retain),
			col("enabled_by", Key, "the admin who switched it on", PublicTask, retentionLife, Export, Anonymise).person(),
		},
	},
}
