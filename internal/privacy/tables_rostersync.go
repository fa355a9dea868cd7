package privacy

// How long scheduled roster sync records are kept.
const (
	integrationLife = "while the contract lasts (a revoked credential stays listed as revoked); deleted at contract end"
	deliveryLife    = "the run's record for the school's roster-log period, deleted at contract end"
	deliveryFiles   = "until the delivery's run ends (applied, superseded, rejected, or held: a held import keeps its own copy); at most 30 days for a run that failed"
)

// rosterSyncTables declare scheduled roster sync: the MIS's integration
// credentials (no personal data but who made them), the files they
// deliver (the MIS's export: names, emails and classes of many people,
// kept only until applied) and the schedule.
var rosterSyncTables = []Table{
	{
		Name: "roster_integrations", Owner: Tenant, Subject: "created_by", Description: "The school's MIS sync credentials: each may only deliver roster files; when each was made, last used and revoked.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("name", Organisation, "tell the school's credentials apart", Contract, integrationLife, Export, Retain),
			col("token_hash", Credential, "recognise the credential (SHA-256 of the secret; the secret is never kept)", Contract, integrationLife, Omit, Retain),
			col("created_by", Key, "which admin made the credential", PublicTask, integrationLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", Contract, integrationLife, Export, Retain),
			col("last_used_at", Security, "show when the MIS last delivered, so an unused or misused credential shows", Contract, integrationLife, Export, Retain),
			col("revoked_at", Security, "refuse a revoked credential", Contract, integrationLife, Export, Retain),
			col("revoked_by", Key, "which admin revoked the credential", PublicTask, integrationLife, Export, Anonymise).person(),
		},
	},
	{
		Name: "roster_deliveries", Owner: Tenant, Description: "Roster files delivered by the school's MIS sync tool and what each scheduled run made of them.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("integration_id"), key("import_id"), key("superseded_by"),
			col("status", Record, "whether the delivery is waiting, applied, rejected, held, failed or superseded", PublicTask, deliveryLife, Export, Retain),
			col("files", Identity, "the MIS's OneRoster export (names, emails, classes of the school's people) waiting to be applied", PublicTask, deliveryFiles, Omit, Retain),
			col("file_names", Record, "which OneRoster files were delivered", PublicTask, deliveryLife, Export, Retain),
			col("bytes", Record, "how large the delivery was", PublicTask, deliveryLife, Export, Retain),
			col("delivered_at", Record, "record keeping", PublicTask, deliveryLife, Export, Retain),
			col("claimed_at", Record, "let another worker finish a run whose worker stopped", PublicTask, deliveryLife, Export, Retain),
			col("attempts", Record, "how often a run that broke was tried", PublicTask, deliveryLife, Export, Retain),
			col("finished_at", Record, "record keeping", PublicTask, deliveryLife, Export, Retain),
			col("detail", Record, "the run's outcome in plain words (never row values)", PublicTask, deliveryLife, Export, Retain),
		},
	},
	{
		Name: "roster_sync_schedules", Owner: Tenant, Description: "How often the school's roster deliveries are applied.",
		Columns: []Column{
			key("tenant_id"),
			col("every_hours", Organisation, "when deliveries are applied (0: as soon as they arrive)", Contract, integrationLife, Export, Retain),
			col("at_minute", Organisation, "the time of day (school's local time) a daily schedule applies deliveries", Contract, integrationLife, Export, Retain),
			col("updated_at", Record, "record keeping", Contract, integrationLife, Export, Retain),
		},
	},
}
