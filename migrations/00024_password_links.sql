-- Set-password links: the first admins of a tenant made without a password
-- (production) get one by email, and admins can send one to a person. The
-- link's secret is never stored: it is a MAC of the link's id under the
-- server's key, so the row says only that a link exists, for whom, until
-- when, whether it was sent and used.

-- +goose Up
CREATE TABLE password_links (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    person_id  uuid NOT NULL,
    purpose    text NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    sent_at    timestamptz,
    used_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX password_links_person ON password_links (tenant_id, person_id);
ALTER TABLE password_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON password_links USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE password_links;
