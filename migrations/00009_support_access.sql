-- The processor boundary, first part: support access that the school
-- approves, the tenant's hash-chained audit log (append-only), alerts to the
-- school's approvers (in the app and by webhook), and sub-processors with
-- each tenant's authorisation or objection.

-- +goose Up

-- Tenant admins may give the "approver" role: who decides support requests.
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check CHECK (role IN ('admin', 'teacher', 'learner', 'approver'));

-- Sub-processors: the processor's register. Only the UK, the EEA and
-- countries with UK adequacy regulations are accepted (also checked in code).
CREATE TABLE sub_processors (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    purpose             text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
    country             text NOT NULL CHECK (country ~ '^[a-z]{2}$'),
    replaces            uuid REFERENCES sub_processors (id),
    objections_close_at timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    retired_at          timestamptz
);
CREATE UNIQUE INDEX sub_processors_name_key ON sub_processors (lower(name));

-- Staff of a sub-processor (e.g. a contracted investigation partner) carry
-- its id; they may receive grants only from tenants that authorised it.
ALTER TABLE staff ADD COLUMN sub_processor_id uuid REFERENCES sub_processors (id);

-- A tenant's decision on a sub-processor: authorised, or objected to.
CREATE TABLE sub_processor_decisions (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    sub_processor_id uuid NOT NULL REFERENCES sub_processors (id),
    decision         text NOT NULL CHECK (decision IN ('authorised', 'objected')),
    reason           text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    decided_by       uuid,
    decided_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, sub_processor_id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (decided_by)
);

-- Support requests and the grants they become: the processor's record of
-- what it asked and what the school decided. tenant_id leads every key; the
-- tenant reads its own rows through the API (filtered by tenant), staff
-- their own requests across tenants.
CREATE TABLE support_requests (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    requester_id     uuid NOT NULL REFERENCES staff (id),
    requester_name   text NOT NULL,
    ticket           text NOT NULL CHECK (length(ticket) BETWEEN 1 AND 100),
    reason_code      text NOT NULL,
    justification    text NOT NULL CHECK (length(justification) BETWEEN 1 AND 2000),
    areas            text[] NOT NULL CHECK (cardinality(areas) >= 1),
    course_ids       uuid[],
    person_ids       uuid[],
    duration_minutes int NOT NULL CHECK (duration_minutes BETWEEN 15 AND 1440),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'revoked')),
    requested_at     timestamptz NOT NULL DEFAULT now(),
    pending_until    timestamptz NOT NULL,
    decided_by       uuid,
    decided_by_name  text,
    decided_at       timestamptz,
    decision_note    text NOT NULL DEFAULT '',
    starts_at        timestamptz,
    ends_at          timestamptz,
    revoked_by       uuid,
    revoked_by_name  text,
    revoked_at       timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (status <> 'approved' OR (starts_at IS NOT NULL AND ends_at > starts_at AND decided_by IS NOT NULL)),
    CHECK (ends_at IS NULL OR ends_at <= starts_at + interval '24 hours')
);
CREATE INDEX support_requests_requester ON support_requests (requester_id, requested_at);
CREATE INDEX support_requests_active ON support_requests (tenant_id, requester_id, status, ends_at);
-- A school reads its requests inside its own scope: row-level security
-- shows it its rows only, whatever a query forgets. Outside any tenant
-- scope (the processor's own work: a support person's requests across
-- schools, the grant check) every row is visible, as for any processor
-- table.
ALTER TABLE support_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE support_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_or_processor ON support_requests
    USING ((SELECT app_tenant_id()) IS NULL OR tenant_id = (SELECT app_tenant_id()))
    WITH CHECK ((SELECT app_tenant_id()) IS NULL OR tenant_id = (SELECT app_tenant_id()));

-- Where the school wants alerts sent (its own HTTPS endpoint).
CREATE TABLE tenant_webhooks (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    url        text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    secret     text NOT NULL,
    updated_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id),
    FOREIGN KEY (tenant_id, updated_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (updated_by)
);

-- Alerts for the school's admins and approvers, shown in the app.
CREATE TABLE alerts (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    kind       text NOT NULL,
    audience   text NOT NULL CHECK (audience IN ('admin', 'approver')),
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    link       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Delivery to the tenant's webhook, if it has one (an outbox: the alert
    -- and its delivery are written in the same transaction).
    webhook_status   text NOT NULL DEFAULT 'none' CHECK (webhook_status IN ('none', 'pending', 'delivered', 'failed')),
    webhook_attempts int NOT NULL DEFAULT 0,
    webhook_next_at  timestamptz,
    webhook_error    text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX alerts_webhook_pending ON alerts (tenant_id, webhook_next_at) WHERE webhook_status = 'pending';
CREATE INDEX alerts_recent ON alerts (tenant_id, created_at DESC);

-- The tenant's audit log: every look by processor staff and every decision
-- about it. Append-only and hash-chained per tenant: each row's hash covers
-- its content and the previous row's hash, so an edit, a removal or a
-- reordering breaks the chain (`lms audit verify`).
CREATE TABLE audit_events (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    seq           bigint NOT NULL CHECK (seq >= 1),
    at            timestamptz NOT NULL,
    actor_kind    text NOT NULL CHECK (actor_kind IN ('member', 'staff', 'system')),
    actor_id      uuid,
    actor_name    text NOT NULL,
    basis         text NOT NULL,
    action        text NOT NULL,
    target        text NOT NULL DEFAULT '',
    grant_id      uuid,
    ticket        text NOT NULL DEFAULT '',
    approver_name text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    prev_hash     bytea NOT NULL,
    hash          bytea NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_at ON audit_events (tenant_id, at);

-- The head of each tenant's chain: its last seq and hash. Appends lock this
-- row, so they are serialised per tenant, and a removed last record shows
-- as a head that points past the end of the log.
CREATE TABLE audit_heads (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    seq       bigint NOT NULL CHECK (seq >= 0),
    hash      bytea NOT NULL,
    PRIMARY KEY (tenant_id)
);
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM lms_app;

-- +goose StatementBegin
CREATE FUNCTION audit_events_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_frozen();

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sub_processor_decisions', 'tenant_webhooks', 'alerts', 'audit_events', 'audit_heads'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_heads;
DROP TABLE audit_events;
DROP FUNCTION audit_events_frozen();
DROP TABLE alerts;
DROP TABLE tenant_webhooks;
DROP TABLE support_requests;
DROP TABLE sub_processor_decisions;
ALTER TABLE staff DROP COLUMN sub_processor_id;
DROP TABLE sub_processors;
DELETE FROM role_assignments WHERE role = 'approver';
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check CHECK (role IN ('admin', 'teacher', 'learner'));
