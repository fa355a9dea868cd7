-- Data use agreements: a tenant may allow its data to be used, pseudonymised,
-- for the processor's development and testing; copies made under them.

-- +goose Up
CREATE TABLE data_use_agreements (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    id             uuid NOT NULL,
    terms          text NOT NULL CHECK (length(terms) BETWEEN 1 AND 20000),
    purpose        text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    signed_by      uuid,
    signed_by_name text NOT NULL,
    signed_at      timestamptz NOT NULL DEFAULT now(),
    withdrawn_by   uuid,
    withdrawn_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_on >= starts_on),
    FOREIGN KEY (tenant_id, signed_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (signed_by),
    FOREIGN KEY (tenant_id, withdrawn_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (withdrawn_by)
);

-- The processor's record of each pseudonymised copy and its progress.
CREATE TABLE data_extracts (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    id                uuid NOT NULL,
    agreement_id      uuid NOT NULL,
    requested_by      uuid NOT NULL REFERENCES staff (id),
    requested_by_name text NOT NULL,
    status            text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    tables_done       int NOT NULL DEFAULT 0,
    tables_total      int NOT NULL DEFAULT 0,
    rows              bigint NOT NULL DEFAULT 0,
    object_prefix     text NOT NULL DEFAULT '',
    error             text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX data_extracts_todo ON data_extracts (status, id) WHERE status IN ('queued', 'running');

-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE data_use_agreements ENABLE ROW LEVEL SECURITY;
    ALTER TABLE data_use_agreements FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON data_use_agreements USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE data_extracts;
DROP TABLE data_use_agreements;
