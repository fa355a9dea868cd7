-- The processor boundary, second part: reads under a recorded legal
-- obligation, the breach register, and security signals for schools.

-- +goose Up

-- A legal obligation (court order, statutory demand) an operator records
-- before reading under it. The processor's record, per tenant.
CREATE TABLE legal_orders (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    reference        text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    issuing_body     text NOT NULL CHECK (length(issuing_body) BETWEEN 1 AND 200),
    order_date       date NOT NULL,
    scope            text NOT NULL CHECK (length(scope) BETWEEN 1 AND 2000),
    areas            text[] NOT NULL CHECK (cardinality(areas) >= 1),
    document_sha256  text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
    recorded_by      uuid NOT NULL REFERENCES staff (id),
    recorded_by_name text NOT NULL,
    valid_until      timestamptz NOT NULL,
    -- A second operator confirms the record before anyone reads under it.
    confirmed_by      uuid REFERENCES staff (id),
    confirmed_by_name text,
    confirmed_at      timestamptz,
    -- The tenant is told at once unless the order forbids it: then the
    -- notice is deferred, with the reason, until an operator gives it or,
    -- at the latest, notice_by, when a job gives it.
    deferred         boolean NOT NULL DEFAULT false,
    deferral_reason  text NOT NULL DEFAULT '',
    notice_by        date,
    notified_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (NOT deferred OR (length(deferral_reason) > 0 AND notice_by IS NOT NULL)),
    CHECK (deferred OR notified_at IS NOT NULL),
    CHECK (confirmed_by IS NULL OR confirmed_by <> recorded_by)
);

-- Reads under an order whose notice is deferred wait here (append-only),
-- out of the tenant's sight, and move into the tenant's hash-chained audit
-- log when the notice is given, so the log has no gap that tells early.
CREATE TABLE legal_reads (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    order_id   uuid NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    staff_id   uuid NOT NULL REFERENCES staff (id),
    staff_name text NOT NULL,
    target     text NOT NULL,
    disclosed_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES legal_orders (tenant_id, id)
);
REVOKE DELETE, TRUNCATE ON legal_reads FROM lms_app;

-- Personal data breaches the processor records, and the tenants affected.
CREATE TABLE breaches (
    id               uuid PRIMARY KEY,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
    detected_at      timestamptz NOT NULL,
    recorded_by      uuid NOT NULL REFERENCES staff (id),
    recorded_by_name text NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contained', 'closed')),
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE breach_tenants (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    breach_id     uuid NOT NULL REFERENCES breaches (id),
    data_affected text NOT NULL CHECK (length(data_affected) BETWEEN 1 AND 2000),
    notified_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, breach_id)
);
-- Schools read their notices in their own scope (see support_requests).
ALTER TABLE breach_tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE breach_tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_or_processor ON breach_tenants
    USING ((SELECT app_tenant_id()) IS NULL OR tenant_id = (SELECT app_tenant_id()))
    WITH CHECK ((SELECT app_tenant_id()) IS NULL OR tenant_id = (SELECT app_tenant_id()));

-- Security signals for the school's admins: repeated failed sign-ins, a
-- token used from a new network.
CREATE TABLE security_events (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('failed-logins', 'token-new-network', 'export-volume')),
    person_id  uuid,
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (person_id)
);
CREATE INDEX security_events_recent ON security_events (tenant_id, created_at DESC);

-- What operators see of signals: counts per hour and kind across every
-- school, no school and no person. Kept beside each signal (same
-- transaction), so the figures are one query, not one per school.
CREATE TABLE security_signal_counts (
    hour timestamptz NOT NULL,
    kind text NOT NULL,
    n    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, kind)
);

-- The network each credential was last used from, to notice a new one.
ALTER TABLE member_credentials ADD COLUMN last_network text NOT NULL DEFAULT '';

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['security_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE member_credentials DROP COLUMN last_network;
DROP TABLE security_signal_counts;
DROP TABLE security_events;
DROP TABLE breach_tenants;
DROP TABLE breaches;
DROP TABLE legal_reads;
DROP TABLE legal_orders;
