-- Contract-end deletion: the processor's record of each tenant deletion
-- with its progress, the objects it removed (so a resumed run counts them
-- exactly once), and the signed certificate that outlives the tenant.

-- +goose Up
CREATE TABLE deletions (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL UNIQUE REFERENCES tenants (id),
    contract_ref     text NOT NULL,
    requested_by     uuid REFERENCES staff (id),
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    tables_total     int NOT NULL DEFAULT 0,
    tables_done      int NOT NULL DEFAULT 0,
    rows_removed     jsonb NOT NULL DEFAULT '{}',
    objects_removed  bigint NOT NULL DEFAULT 0,
    versions_removed bigint NOT NULL DEFAULT 0,
    bytes_removed    bigint NOT NULL DEFAULT 0,
    error            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    heartbeat_at     timestamptz,
    finished_at      timestamptz
);

-- Object versions a deletion listed, before it deleted them: a run killed
-- between the two deletes them again (idempotent) and counts them once.
-- Keys are relative to the tenant's prefix (t/{tenant_id}/), so no row
-- names the tenant.
CREATE TABLE deletion_objects (
    deletion_id uuid NOT NULL REFERENCES deletions (id) ON DELETE CASCADE,
    key         text NOT NULL,
    version_id  text NOT NULL,
    bytes       bigint NOT NULL DEFAULT 0,
    deleted     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (deletion_id, key, version_id)
);

-- The deletion certificate: signed JSON, no personal data. It outlives
-- the tenant (like the tombstone of the tenant and its contract).
CREATE TABLE deletion_certificates (
    deletion_id uuid PRIMARY KEY REFERENCES deletions (id),
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    body        text NOT NULL, -- the exact bytes that were signed
    signature   text NOT NULL,
    key_id      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- delete_tenant_rows removes up to lim rows of one tenant from one table,
-- as the owner: the audit log and the erasure ledger are closed to the
-- application's deletes, and must go too at contract end. It acts only for
-- a tenant whose deletion is running, never on the tombstone tables, and
-- sets the tenant's scope so row-level security still applies.
-- +goose StatementBegin
CREATE FUNCTION delete_tenant_rows(tenant uuid, tbl regclass, lim int) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE n bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM deletions d JOIN contracts c ON c.tenant_id = d.tenant_id
                   WHERE d.tenant_id = tenant AND d.status = 'running'
                     AND c.ends_on IS NOT NULL AND c.ends_on + c.return_window_days <= current_date) THEN
        RAISE EXCEPTION 'no deletion of tenant % is running after its contract and return window ended', tenant;
    END IF;
    IF tbl::text IN ('tenants', 'contracts', 'deletions', 'deletion_objects', 'deletion_certificates') THEN
        RAISE EXCEPTION 'table % is the tenant''s tombstone', tbl;
    END IF;
    PERFORM set_config('app.tenant_id', tenant::text, true);
    EXECUTE format('DELETE FROM %s WHERE ctid = ANY (ARRAY(SELECT ctid FROM %s WHERE tenant_id = $1 LIMIT $2))', tbl, tbl)
        USING tenant, lim;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION delete_tenant_rows(uuid, regclass, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION delete_tenant_rows(uuid, regclass, int) TO lms_app;

-- +goose Down
DROP FUNCTION delete_tenant_rows(uuid, regclass, int);
DROP TABLE deletion_certificates;
DROP TABLE deletion_objects;
DROP TABLE deletions;
