-- Platform tables: the processor's own records. They hold no tenant personal
-- data (staff are the processor's own people). Tenant data lives in tables
-- with row-level security, from 00002 on.

-- +goose Up
-- The server logs in as a member of lms_app, which owns nothing and has no
-- BYPASSRLS. Everything the owner creates from here on is granted to it.
GRANT USAGE ON SCHEMA public TO lms_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO lms_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO lms_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO lms_app;

-- The tenant of the current transaction, or NULL outside a tenant scope.
-- set_config(..., true) lasts one transaction; afterwards the setting reads
-- as '' on that pooled connection, hence NULLIF.
CREATE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE TABLE tenants (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('school', 'trust')),
    -- Data region, fixed at creation: UK or an EEA country (ISO 3166 alpha-2).
    region     text NOT NULL CHECK (region IN ('uk',
        'at','be','bg','hr','cy','cz','dk','ee','fi','fr','de','gr','hu','ie','it',
        'lv','lt','lu','mt','nl','pl','pt','ro','sk','si','es','se','is','li','no')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose StatementBegin
CREATE FUNCTION tenants_region_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.region <> OLD.region THEN
        RAISE EXCEPTION 'tenant % data region is fixed at creation (% -> %)', OLD.id, OLD.region, NEW.region
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tenants_region_fixed BEFORE UPDATE OF region ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_region_fixed();

-- One contract per tenant for now; keyed by tenant so a history can follow.
CREATE TABLE contracts (
    tenant_id          uuid PRIMARY KEY REFERENCES tenants (id),
    reference          text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
    starts_on          date NOT NULL,
    ends_on            date CHECK (ends_on IS NULL OR ends_on >= starts_on),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ending', 'ended', 'deleted')),
    return_window_days int  NOT NULL DEFAULT 30 CHECK (return_window_days BETWEEN 1 AND 365),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Processor staff: operators and support. They never hold a tenant role.
CREATE TABLE staff (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role          text NOT NULL CHECK (role IN ('operator', 'support')),
    password_hash text,
    failed_logins int NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_email_key ON staff (lower(email));

-- Sessions and personal API tokens of staff. Only a SHA-256 of the secret is stored.
CREATE TABLE staff_credentials (
    id           uuid PRIMARY KEY,
    staff_id     uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('session', 'token')),
    name         text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    user_agent   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT ''
);
CREATE INDEX staff_credentials_staff ON staff_credentials (staff_id);

-- +goose Down
DROP TABLE staff_credentials;
DROP TABLE staff;
DROP TABLE contracts;
DROP TABLE tenants;
DROP FUNCTION tenants_region_fixed();
DROP FUNCTION app_tenant_id();
