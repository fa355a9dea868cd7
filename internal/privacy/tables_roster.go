package privacy

// importLife is how long the roster import log is kept.
const importLife = "for the school's roster-log period (default 12 months); then deleted"

// heldLife is how long a held upload's files are kept.
const heldLife = "until an admin confirms or discards the held import (then cleared); at most the roster-log period"

// rosterTables declares the roster area's tables: the log of OneRoster
// imports. The people, courses and enrolments an import makes are declared
// with their own tables (external_id columns).
var rosterTables = []Table{
	{
		Name: "roster_imports", Owner: Tenant, Subject: "started_by", Description: "Log of OneRoster CSV imports: outcome, counts and per-row problems (file, line, column, message; never row values).",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("started_by", Key, "who uploaded the roster", PublicTask, importLife, Export, Anonymise).person(),
			col("status", Record, "applied, rejected or dry run", PublicTask, importLife, Export, Retain),
			col("dry_run", Record, "whether the upload was only checked", PublicTask, importLife, Export, Retain),
			col("files", Record, "which OneRoster files the upload held", PublicTask, importLife, Export, Retain),
			col("counts", Record, "how many people, courses, roles and enrolments were created, updated, unchanged, removed or skipped", PublicTask, importLife, Export, Retain),
			col("errors", Record, "tell the school which rows to fix (file, line, column, message)", PublicTask, importLife, Export, Retain),
			col("warnings", Record, "tell the school which rows were skipped and why", PublicTask, importLife, Export, Retain),
			col("error_count", Record, "how many problems the upload had", PublicTask, importLife, Export, Retain),
			col("warning_count", Record, "how many rows were skipped with a warning", PublicTask, importLife, Export, Retain),
			col("held", Record, "per school, how many people a held bulk file would end and of how many (no names)", PublicTask, importLife, Export, Retain),
			col("modes", Record, "whether each file was a bulk (full) or delta (changes) file", PublicTask, importLife, Export, Retain),
			col("held_files", Identity, "the uploaded files of an import held by the safety limit, so an admin's confirmation applies exactly them", PublicTask, heldLife, Omit, Retain),
			col("created_at", Record, "record keeping", PublicTask, importLife, Export, Retain),
		},
	},
}
