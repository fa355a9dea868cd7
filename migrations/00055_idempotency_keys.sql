-- Idempotency-Key on the API's creates (issue 25, item 2). A client that
-- sends a POST again with the same key (a retry after a timeout) gets the
-- first answer back instead of a second course. Each row is one key of
-- one caller (member or integration) in one tenant: a hash of the request
-- it was first used with, and, once that request succeeded, its answer.
-- status is NULL while the first request still runs.
--
-- The answer is a copy of what the create returned (it may name people),
-- kept 24 hours for its caller alone, then deleted by the hourly sweep
-- (and ignored on read after 24 hours even if the sweep is late).

-- +goose Up
CREATE TABLE idempotency_keys (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    principal    text NOT NULL CHECK (length(principal) BETWEEN 1 AND 100),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
    status       int CHECK (status BETWEEN 200 AND 299),
    location     text NOT NULL DEFAULT '' CHECK (length(location) <= 2000),
    content_type text NOT NULL DEFAULT '' CHECK (length(content_type) <= 200),
    reply        bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, principal, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (tenant_id, created_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE idempotency_keys;
