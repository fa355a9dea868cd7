-- Scheduled roster sync (issue 24, item 4). A school's MIS sync tool
-- delivers OneRoster files without a person: it holds an integration
-- credential of the tenant that reaches one route only (delivering roster
-- files). A schedule applies the latest delivery; older ones it never
-- reached are recorded as superseded.
--
-- Only SHA-256 of an integration's secret is kept (256 random bits need no
-- slow hash). A delivery's files are the MIS's export (pupils' and staff
-- names, emails, class lists): they are kept only until their run ends
-- (applied, superseded, rejected, or held: a held import keeps its own
-- copy), and at most 30 days for a run that failed; the row (without
-- files) stays as the run's record.

-- +goose Up
CREATE TABLE roster_integrations (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   uuid,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by),
    FOREIGN KEY (tenant_id, revoked_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (revoked_by)
);

CREATE TABLE roster_deliveries (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    id             uuid NOT NULL,
    integration_id uuid NOT NULL,
    status         text NOT NULL DEFAULT 'delivered'
        CHECK (status IN ('delivered', 'applying', 'applied', 'rejected', 'held', 'failed', 'superseded')),
    -- The delivered files as one zip; NULL once the run no longer needs them.
    files          bytea,
    file_names     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(file_names) = 'array'),
    bytes          bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    delivered_at   timestamptz NOT NULL DEFAULT now(),
    claimed_at     timestamptz,
    attempts       int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    finished_at    timestamptz,
    import_id      uuid,
    superseded_by  uuid,
    detail         text NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES roster_integrations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, import_id) REFERENCES roster_imports (tenant_id, id) ON DELETE SET NULL (import_id)
);
CREATE INDEX roster_deliveries_pending ON roster_deliveries (tenant_id, status, delivered_at);
CREATE INDEX roster_deliveries_import ON roster_deliveries (tenant_id, import_id);

-- every_hours: 0 applies a delivery as soon as it arrives (within a
-- minute); N applies the latest delivery at most once every N hours.
CREATE TABLE roster_sync_schedules (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    every_hours int NOT NULL DEFAULT 0 CHECK (every_hours BETWEEN 0 AND 168),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['roster_integrations', 'roster_deliveries', 'roster_sync_schedules'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE roster_deliveries;
DROP TABLE roster_integrations;
DROP TABLE roster_sync_schedules;
