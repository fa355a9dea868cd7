-- Per-tenant logical backups: each tenant's data key (wrapped by the
-- platform's backup key; destroying it makes every backup of the tenant
-- unreadable at once) and the catalogue, whose expiry can never be more
-- than seven years after the backup was made.

-- +goose Up
CREATE TABLE backup_keys (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id),
    recipient        text NOT NULL,
    wrapped_identity bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    destroyed_at     timestamptz,
    destroyed_by     text NOT NULL DEFAULT '',
    CHECK ((wrapped_identity IS NULL) = (destroyed_at IS NOT NULL))
);

CREATE TABLE backups (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    bucket      text NOT NULL,
    object_key  text NOT NULL,
    version_id  text NOT NULL DEFAULT '',
    size_bytes  bigint NOT NULL DEFAULT 0,
    sha256      text NOT NULL DEFAULT '',
    rows        bigint NOT NULL DEFAULT 0,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'purged')),
    locked      boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    purged_at   timestamptz,
    -- Invariant 5: no backup is kept past seven years.
    CONSTRAINT backups_at_most_seven_years CHECK (expires_at <= created_at + interval '7 years')
);
CREATE INDEX backups_tenant ON backups (tenant_id, created_at);
CREATE INDEX backups_expiry ON backups (expires_at) WHERE status <> 'purged';

-- The backup catalogue and the tenant's backup key outlive a contract-end
-- deletion (the certificate names the backups that still hold data, and
-- the purge needs them): the deletion leaves them, like the tombstone.
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
    IF tbl::text IN ('tenants', 'contracts', 'deletions', 'deletion_objects', 'deletion_certificates', 'backups', 'backup_keys') THEN
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
DROP TABLE backups;
DROP TABLE backup_keys;
