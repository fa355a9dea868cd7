-- Tenant tables for identity. Every tenant table: tenant_id NOT NULL leads the
-- primary key, every foreign key and every unique index; row-level security
-- is enabled and forced so even the owner sees one tenant at a time.

-- +goose Up
CREATE TABLE schools (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    slug       text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug)
);

CREATE TABLE people (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    username      text NOT NULL CHECK (length(username) BETWEEN 1 AND 254),
    email         text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    password_hash text,
    failed_logins int NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX people_username_key ON people (tenant_id, lower(username));

-- Roles are scoped to one school, or to the whole tenant when school_id is NULL.
CREATE TABLE role_assignments (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL,
    person_id  uuid NOT NULL,
    role       text NOT NULL CHECK (role IN ('admin', 'teacher', 'learner')),
    school_id  uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, school_id) REFERENCES schools (tenant_id, id),
    UNIQUE NULLS NOT DISTINCT (tenant_id, person_id, role, school_id)
);

-- Sessions and personal API tokens of tenant members. Only a SHA-256 of the
-- secret is stored; the secret itself carries the tenant id so the lookup can
-- run inside that tenant's scope.
CREATE TABLE member_credentials (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL,
    person_id    uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('session', 'token')),
    name         text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    user_agent   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    UNIQUE (tenant_id, token_hash)
);
CREATE INDEX member_credentials_person ON member_credentials (tenant_id, person_id);

ALTER TABLE schools ENABLE ROW LEVEL SECURITY;
ALTER TABLE schools FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON schools
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

ALTER TABLE people ENABLE ROW LEVEL SECURITY;
ALTER TABLE people FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON people
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

ALTER TABLE role_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON role_assignments
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

ALTER TABLE member_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON member_credentials
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE member_credentials;
DROP TABLE role_assignments;
DROP TABLE people;
DROP TABLE schools;
