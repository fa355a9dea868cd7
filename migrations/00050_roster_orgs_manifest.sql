-- Rosters from real MIS exports: orgs, manifest modes and the safety limit.
--
-- schools.external_id is the OneRoster org sourcedId an export gives the
-- school (often a GUID), remembered on the first import that matches the
-- school by its DfE number or URN (orgs.csv identifier), so later files
-- match by id alone. dfe_number (LA code and establishment number, as
-- 3302000) and urn (the six-digit unique reference number) are what a UK
-- export puts in identifier; an admin records them for each school.
--
-- roster_imports gains:
--   - status held: a bulk import that would end more than the limit's
--     share of a school's people stopped before writing; it waits for an
--     admin to confirm (then applied) or discard (then discarded).
--   - held_files: the upload itself (a zip of its CSV files) while it is
--     held, so confirming re-runs the same files; cleared when confirmed
--     or discarded. Kept in the row (not the object store) because it is
--     small (the upload cap is 20 MiB), lives for days at most, and goes
--     with the row on contract-end deletion and retention.
--   - held: per school, how many people the file would end and of how
--     many (no names).
--   - modes: per file, bulk, delta or absent (from manifest.csv); empty
--     when the upload had no manifest (then every file is read as delta).

-- +goose Up
ALTER TABLE schools
    ADD COLUMN external_id text CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 255),
    ADD COLUMN dfe_number  text CHECK (dfe_number IS NULL OR dfe_number ~ '^[0-9]{3}-?[0-9]{4}$'),
    ADD COLUMN urn         text CHECK (urn IS NULL OR urn ~ '^[0-9]{6,7}$');
CREATE UNIQUE INDEX schools_external_id ON schools (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX schools_dfe_number ON schools (tenant_id, dfe_number) WHERE dfe_number IS NOT NULL;
CREATE UNIQUE INDEX schools_urn ON schools (tenant_id, urn) WHERE urn IS NOT NULL;

ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_status_check;
ALTER TABLE roster_imports ADD CONSTRAINT roster_imports_status_check
    CHECK (status IN ('applied', 'rejected', 'dry_run', 'held', 'discarded'));
ALTER TABLE roster_imports
    ADD COLUMN held_files bytea CHECK (held_files IS NULL OR length(held_files) <= 20971520),
    ADD COLUMN held       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(held) = 'array'),
    ADD COLUMN modes      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(modes) = 'object'),
    ADD CONSTRAINT roster_imports_held_files CHECK ((status = 'held') = (held_files IS NOT NULL));

-- +goose Down
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_held_files,
    DROP COLUMN held_files, DROP COLUMN held, DROP COLUMN modes;
-- Under FORCE ROW LEVEL SECURITY the owner sees no rows without a tenant
-- set, so the rows the old constraint forbids are removed with it lifted.
ALTER TABLE roster_imports NO FORCE ROW LEVEL SECURITY;
DELETE FROM roster_imports WHERE status IN ('held', 'discarded');
ALTER TABLE roster_imports FORCE ROW LEVEL SECURITY;
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_status_check;
ALTER TABLE roster_imports ADD CONSTRAINT roster_imports_status_check
    CHECK (status IN ('applied', 'rejected', 'dry_run'));
DROP INDEX schools_urn;
DROP INDEX schools_dfe_number;
DROP INDEX schools_external_id;
ALTER TABLE schools DROP COLUMN external_id, DROP COLUMN dfe_number, DROP COLUMN urn;
