-- Integrations without a person (issue 25, item 3). A school's admin
-- registers a program (an OAuth2 client, client-credentials grant only)
-- with scopes; it gets short-lived access tokens at /api/v1/oauth2/token
-- and calls the API under them, each call in the school's audit trail.
--
-- The client secret is kept as a bcrypt hash (fosite's hasher); access
-- tokens only as their HMAC signature (fosite's HMAC strategy), so
-- neither can be read back. Revoking an integration deletes its tokens in
-- the same transaction, and every request reads its token here (no
-- cache), so the next call is refused.

-- +goose Up
CREATE TABLE integrations (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    client_id   text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 100),
    secret_hash bytea NOT NULL,
    scopes      jsonb NOT NULL CHECK (jsonb_typeof(scopes) = 'array' AND jsonb_array_length(scopes) > 0),
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    revoked_by  uuid,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, client_id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by),
    FOREIGN KEY (tenant_id, revoked_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (revoked_by)
);
-- One live integration per name, so the audit trail's name is unambiguous.
CREATE UNIQUE INDEX integrations_live_name ON integrations (tenant_id, lower(name)) WHERE revoked_at IS NULL;

CREATE TABLE integration_tokens (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    signature      text NOT NULL,
    integration_id uuid NOT NULL,
    request_id     text NOT NULL,
    scopes         jsonb NOT NULL CHECK (jsonb_typeof(scopes) = 'array'),
    issued_at      timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, signature),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX integration_tokens_integration ON integration_tokens (tenant_id, integration_id, expires_at);

-- The audit trail names an integration as its own kind of actor.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check,
    ADD CONSTRAINT audit_events_actor_kind_check CHECK (actor_kind IN ('member', 'staff', 'system', 'integration'));

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['integrations', 'integration_tokens'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- audit_events keeps the wider check: the trail is append-only, and the
-- records naming integrations stay as they were written.
DROP TABLE integration_tokens;
DROP TABLE integrations;
