package privacy

// certificateLife is how long deletion records are kept: they are the
// processor's proof that it deleted a controller's data.
const (
	certificateLife = "for as long as the processor must show what it deleted (at least 7 years after deletion)"
	backupLife      = "until the backup is purged, then as the processor's record of it"
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
		Name: "deletions", Owner: Processor, Description: "Contract-end deletion of a tenant's data, with its progress and counts.",
		Columns: []Column{
			key("id"), key("tenant_id"),
			col("contract_ref", Organisation, "name the contract whose end this is", Contract, certificateLife, Export, Retain),
			col("requested_by", Key, "the operator who started it", Contract, certificateLife, Export, Retain),
			col("status", Record, "queued, running, done or failed", Contract, certificateLife, Export, Retain),
			col("tables_total", Record, "progress", Contract, certificateLife, Export, Retain),
			col("tables_done", Record, "progress", Contract, certificateLife, Export, Retain),
			col("rows_removed", Record, "rows removed per table", Contract, certificateLife, Export, Retain),
			col("objects_removed", Record, "objects removed", Contract, certificateLife, Export, Retain),
			col("versions_removed", Record, "object versions removed", Contract, certificateLife, Export, Retain),
			col("bytes_removed", Record, "bytes removed", Contract, certificateLife, Export, Retain),
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
		Name: "deletion_certificates", Owner: Processor, Description: "Signed deletion certificates: what was removed and when, no personal data.",
		Columns: []Column{
			key("deletion_id"), key("tenant_id"),
			col("body", Record, "the certificate", Contract, certificateLife, Export, Retain),
			col("signature", Record, "the platform's Ed25519 signature of the body", Contract, certificateLife, Export, Retain),
			col("key_id", Record, "which signing key", Contract, certificateLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, certificateLife, Export, Retain),
		},
	},
}
