package privacy

// certificateLife is how long deletion records are kept: they are the
// processor's proof that it deleted a controller's data.
const (
	certificateLife = "for as long as the processor must show what it deleted (at least 7 years after deletion)"
	backupLife      = "until the backup is purged, then as the processor's record of it"
	// tenantExportLife: the zip goes when its link expires; the record
	// with the tenant's data at contract-end deletion.
	tenantExportLife = "until the contract-end deletion"
)

// lifecycleTables declare the processor's records of contract-end
// deletion: progress, the objects removed, and the signed certificate.
// None holds personal data.
var lifecycleTables = []Table{
	{
		Name: "backup_keys", Owner: Processor, Description: "Each tenant's backup key, kept only wrapped by the platform's backup key; destroying it makes the tenant's backups unreadable.",
		Columns: []Column{
			key("tenant_id"),
			col("recipient", Record, "encrypt the tenant's backups (public half)", Contract, "until the key is destroyed or the last backup expires", Export, Retain),
			col("wrapped_identity", Credential, "read the tenant's backups (private half, encrypted)", Contract, "until the key is destroyed or the last backup expires", Omit, Delete),
			col("created_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
			col("destroyed_at", Record, "when the key was destroyed (crypto-shredding)", Contract, certificateLife, Export, Retain),
			col("destroyed_by", Record, "on whose instruction", Contract, certificateLife, Export, Retain),
		},
	},
	{
		Name: "backups", Owner: Processor, Description: "The catalogue of per-tenant backups, with their expiry (never more than 7 years).",
		Columns: []Column{
			key("id"), key("tenant_id"),
			col("bucket", Record, "where the backup is", Contract, backupLife, Export, Retain),
			col("object_key", Record, "where the backup is", Contract, backupLife, Export, Retain),
			col("version_id", Record, "which version", Contract, backupLife, Export, Retain),
			col("size_bytes", Record, "its size", Contract, backupLife, Export, Retain),
			col("sha256", Record, "its integrity", Contract, backupLife, Export, Retain),
			col("rows", Record, "how many rows it holds", Contract, backupLife, Export, Retain),
			col("status", Record, "running, done, failed or purged", Contract, backupLife, Export, Retain),
			col("locked", Record, "whether S3 Object Lock holds it until expiry", Contract, backupLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, backupLife, Export, Retain),
			col("expires_at", Record, "when it is purged (at most 7 years)", Contract, backupLife, Export, Retain),
			col("purged_at", Record, "when it was purged", Contract, backupLife, Export, Retain),
		},
	},
	{
		Name: "deletion_blocks", Owner: Processor, Description: "What keeps a contract-end deletion from starting after the return window (legal holds, legal orders): kinds and dates only.",
		Columns: []Column{
			key("tenant_id"),
			col("due_on", Record, "the day the deletion would otherwise have started", Contract, "until the deletion starts", Export, Retain),
			col("reasons", Record, "what blocks it: legal-hold, legal-order", Contract, "until the deletion starts", Export, Retain),
			col("told", Record, "what of it the school's admins were told (never a legal order whose notice is deferred)", Contract, "until the deletion starts", Export, Retain),
			col("since", Record, "when it was first found blocked for these reasons (the school was told then)", Contract, "until the deletion starts", Export, Retain),
			col("checked_at", Record, "when the contract watch last looked", Contract, "until the deletion starts", Export, Retain),
		},
	},
	{
		Name: "deletions", Owner: Processor, Description: "Contract-end deletion of a tenant's data, with its progress and counts.",
		Columns: []Column{
			key("id"), key("tenant_id"),
			col("contract_ref", Organisation, "name the contract whose end this is", Contract, certificateLife, Export, Retain),
			col("requested_by", Key, "the operator who started it (none when the contract watch started it)", Contract, certificateLife, Export, Retain),
			col("status", Record, "queued, running, done or failed", Contract, certificateLife, Export, Retain),
			col("tables_total", Record, "progress", Contract, certificateLife, Export, Retain),
			col("tables_done", Record, "progress", Contract, certificateLife, Export, Retain),
			col("rows_removed", Record, "rows removed per table", Contract, certificateLife, Export, Retain),
			col("objects_removed", Record, "objects removed", Contract, certificateLife, Export, Retain),
			col("versions_removed", Record, "object versions removed", Contract, certificateLife, Export, Retain),
			col("bytes_removed", Record, "bytes removed", Contract, certificateLife, Export, Retain),
			col("uploads_aborted", Record, "incomplete multipart uploads aborted", Contract, certificateLife, Export, Retain),
			col("job_rows_removed", Record, "job queue rows naming the tenant removed", Contract, certificateLife, Export, Retain),
			col("error", Record, "why a run stopped", Contract, certificateLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
			col("started_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
			col("heartbeat_at", Record, "a live worker's last sign (a stale one is taken over)", Contract, certificateLife, Export, Retain),
			col("finished_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
		},
	},
	{
		Name: "deletion_objects", Owner: Processor, Description: "Object versions a deletion listed before removing them, so a resumed run counts each once; cleared when the certificate is made.",
		Columns: []Column{
			key("deletion_id"),
			col("key", Record, "the object's key under the tenant's prefix (ids only)", Contract, "until the certificate is made", Omit, Retain),
			col("version_id", Record, "the version removed", Contract, "until the certificate is made", Omit, Retain),
			col("bytes", Record, "its size", Contract, "until the certificate is made", Omit, Retain),
			col("deleted", Record, "whether it is gone", Contract, "until the certificate is made", Omit, Retain),
		},
	},
	{
		Name: "deletion_uploads", Owner: Processor, Description: "Incomplete multipart uploads a deletion listed before aborting them, so a resumed run counts each once; cleared when the certificate is made.",
		Columns: []Column{
			key("deletion_id"),
			col("bucket", Record, "which bucket (the data or the backup bucket of the region)", Contract, "until the certificate is made", Omit, Retain),
			col("key", Record, "the upload's key under the tenant's prefix (ids only)", Contract, "until the certificate is made", Omit, Retain),
			col("upload_id", Record, "the upload aborted", Contract, "until the certificate is made", Omit, Retain),
			col("aborted", Record, "whether it is gone", Contract, "until the certificate is made", Omit, Retain),
		},
	},
	{
		Name: "deletion_certificates", Owner: Processor, Description: "Signed deletion certificates: what was removed and when, no personal data.",
		Columns: []Column{
			key("deletion_id"), key("tenant_id"),
			col("body", Record, "the certificate", Contract, certificateLife, Export, Retain),
			col("signature", Record, "the platform's Ed25519 signature of the body", Contract, certificateLife, Export, Retain),
			col("key_id", Record, "which signing key", Contract, certificateLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
		},
	},
	{
		Name: "backup_erasures", Owner: Processor, Description: "The erasure ledger's copy that lives as long as the tenant's backups: a keyed hash per erased person, so a restore of any backup erases them again. No personal data.",
		Columns: []Column{
			key("tenant_id"),
			col("subject_hash", Key, "re-apply an erasure after a restore (HMAC of the person's id, not reversible)", LegalObligation, "until the tenant's last backup is purged", Omit, Retain),
			col("erased_at", Record, "record keeping", LegalObligation, "until the tenant's last backup is purged", Export, Retain),
		},
	},
	{
		Name: "restores", Owner: Processor, Description: "Restores of a tenant's backup into a fresh tenant: who asked, on whose instruction, and what was restored and erased again.",
		Columns: []Column{
			key("id"), key("backup_id"), key("source_tenant"), key("target_tenant"),
			col("target_slug", Organisation, "name the restored tenant", Contract, certificateLife, Export, Retain),
			col("requested_by", Key, "the operator who restored", Contract, certificateLife, Export, Retain),
			col("instruction", Record, "the school's or a court's instruction (required for a deleted tenant)", Contract, certificateLife, Export, Retain),
			col("status", Record, "queued, running, done or failed", Contract, certificateLife, Export, Retain),
			col("rows_restored", Record, "what was restored", Contract, certificateLife, Export, Retain),
			col("files_restored", Record, "what was restored", Contract, certificateLife, Export, Retain),
			col("people_erased", Record, "people erased again from the erasure ledger", Contract, certificateLife, Export, Retain),
			col("error", Record, "why a restore stopped", Contract, certificateLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
			col("finished_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
		},
	},
	{
		Name: "contract_notices", Owner: Processor, Description: "Notices sent to a school's admins before its contract ends (60 and 14 days ahead).",
		Columns: []Column{
			key("tenant_id"),
			col("ends_on", Organisation, "which end date was announced", Contract, "for the life of the contract", Export, Retain),
			col("days_before", Record, "which notice", Contract, "for the life of the contract", Export, Retain),
			col("sent_at", Record, "record keeping", Contract, "for the life of the contract", Export, Retain),
		},
	},
	{
		Name: "tenant_exports", Owner: Tenant, Description: "The school's full exports (every table and file, a zip among its files), made at contract end or on an admin's request, with progress.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("reason", Record, "contract end or an admin's request", Contract, tenantExportLife, Export, Retain),
			col("requested_by", Key, "the admin who asked", Contract, tenantExportLife, Export, Delete).person(),
			col("status", Record, "progress", Contract, tenantExportLife, Export, Retain),
			col("tables_done", Record, "progress", Contract, tenantExportLife, Export, Retain),
			col("tables_total", Record, "progress", Contract, tenantExportLife, Export, Retain),
			col("rows", Record, "progress", Contract, tenantExportLife, Export, Retain),
			col("files_done", Record, "progress", Contract, tenantExportLife, Export, Retain),
			col("files_total", Record, "progress", Contract, tenantExportLife, Export, Retain),
			col("bytes", Record, "progress", Contract, tenantExportLife, Export, Retain),
			key("file_id").file(),
			col("error", Record, "why an export failed", Contract, tenantExportLife, Export, Retain),
			col("expires_at", Record, "when the download ends", Contract, tenantExportLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, tenantExportLife, Export, Retain),
			col("started_at", Record, "record keeping", Contract, tenantExportLife, Export, Retain),
			col("finished_at", Record, "record keeping", Contract, tenantExportLife, Export, Retain),
			col("heartbeat_at", Record, "a running export's last sign of life (a silent one is taken over)", Contract, tenantExportLife, Omit, Retain),
			col("run_id", Key, "which run holds the export (a run taken over stops)", Contract, tenantExportLife, Omit, Retain),
		},
	},
}
