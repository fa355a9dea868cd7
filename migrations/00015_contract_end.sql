-- Contract end: the school's full export, the notices before the end, the
-- copy of the erasure ledger that lives as long as the backups do, and the
-- record of each restore from a backup.

-- +goose Up

-- The school's full export: every table of the tenant and every file, as
-- one zip among its files. Made at contract end (and on an admin's
-- request); downloadable until the return window closes.
CREATE TABLE tenant_exports (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('contract-end', 'on-request')),
    requested_by uuid,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    tables_done  int NOT NULL DEFAULT 0,
    tables_total int NOT NULL DEFAULT 0,
    rows         bigint NOT NULL DEFAULT 0,
    files_done   int NOT NULL DEFAULT 0,
    files_total  int NOT NULL DEFAULT 0,
    bytes        bigint NOT NULL DEFAULT 0,
    file_id      uuid,
    error        text NOT NULL DEFAULT '',
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, requested_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (requested_by),
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id) ON DELETE SET NULL (file_id)
);
-- One contract-end export per tenant: the daily job may run twice.
CREATE UNIQUE INDEX tenant_exports_contract_end ON tenant_exports (tenant_id) WHERE reason = 'contract-end';

ALTER TABLE files DROP CONSTRAINT files_attached_to_check;
ALTER TABLE files ADD CONSTRAINT files_attached_to_check CHECK (attached_to IN ('content', 'submission', 'feedback', 'export', 'tenant-export'));

-- Notices sent to the school's admins before its contract ends: one per
-- end date and threshold (60 and 14 days), so a changed end date is
-- announced again.
CREATE TABLE contract_notices (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    ends_on     date NOT NULL,
    days_before int NOT NULL CHECK (days_before >= 0),
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, ends_on, days_before)
);

-- The erasure ledger's copy with the backups: every erased person's keyed
-- hash, kept as long as a backup of the tenant is (a contract-end deletion
-- empties erasure_ledger but not this), so a restore of any backup erases
-- them again. No personal data. Written only by the trigger below.
CREATE TABLE backup_erasures (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    subject_hash text NOT NULL CHECK (subject_hash ~ '^[0-9a-f]{64}$'),
    erased_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, subject_hash)
);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON backup_erasures FROM lms_app;

-- +goose StatementBegin
CREATE FUNCTION erasure_ledger_copy() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO backup_erasures (tenant_id, subject_hash, erased_at) VALUES (NEW.tenant_id, NEW.subject_hash, NEW.erased_at)
        ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER erasure_ledger_copy AFTER INSERT ON erasure_ledger FOR EACH ROW EXECUTE FUNCTION erasure_ledger_copy();

-- The copy goes when no backup of a deleted tenant is left.
-- +goose StatementBegin
CREATE FUNCTION purge_backup_erasures(tenant uuid) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE n bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM contracts WHERE tenant_id = tenant AND status = 'deleted')
       OR EXISTS (SELECT 1 FROM backups WHERE tenant_id = tenant AND status <> 'purged') THEN
        RETURN 0;
    END IF;
    DELETE FROM backup_erasures WHERE tenant_id = tenant;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION purge_backup_erasures(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_backup_erasures(uuid) TO lms_app;

-- Restores of a backup into a fresh tenant. The instruction is required
-- (in code) when the source tenant was deleted at contract end.
CREATE TABLE restores (
    id             uuid PRIMARY KEY,
    backup_id      uuid NOT NULL REFERENCES backups (id),
    source_tenant  uuid NOT NULL REFERENCES tenants (id),
    target_tenant  uuid NOT NULL,
    target_slug    text NOT NULL,
    requested_by   uuid NOT NULL REFERENCES staff (id),
    instruction    text NOT NULL DEFAULT '' CHECK (length(instruction) <= 2000),
    status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_restored  bigint NOT NULL DEFAULT 0,
    files_restored int NOT NULL DEFAULT 0,
    people_erased  int NOT NULL DEFAULT 0,
    error          text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_exports'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- The ledger's copy outlives the deletion, like the backups it serves.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION delete_tenant_rows(tenant uuid, tbl regclass, lim int) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE n bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM deletions d JOIN contracts c ON c.tenant_id = d.tenant_id
                   WHERE d.tenant_id = tenant AND d.status = 'running'
                     AND c.ends_on IS NOT NULL
                     AND GREATEST(c.ends_on, c.updated_at::date) + c.return_window_days <= current_date) THEN
        RAISE EXCEPTION 'no deletion of tenant % is running after its contract and return window ended', tenant;
    END IF;
    IF tbl::text IN ('tenants', 'contracts', 'deletions', 'deletion_objects', 'deletion_certificates', 'backups', 'backup_keys',
                     'backup_erasures') THEN
        RAISE EXCEPTION 'table % is the tenant''s tombstone', tbl;
    END IF;
    PERFORM set_config('app.tenant_id', tenant::text, true);
    EXECUTE format('DELETE FROM %s WHERE ctid = ANY (ARRAY(SELECT ctid FROM %s WHERE tenant_id = $1 LIMIT $2))', tbl, tbl)
        USING tenant, lim;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE restores;
DROP FUNCTION purge_backup_erasures(uuid);
DROP TRIGGER erasure_ledger_copy ON erasure_ledger;
DROP FUNCTION erasure_ledger_copy();
DROP TABLE backup_erasures;
DROP TABLE contract_notices;
DROP TABLE tenant_exports;
ALTER TABLE files DROP CONSTRAINT files_attached_to_check;
ALTER TABLE files ADD CONSTRAINT files_attached_to_check CHECK (attached_to IN ('content', 'submission', 'feedback', 'export'));
