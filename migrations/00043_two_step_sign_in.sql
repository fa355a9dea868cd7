-- Two-step sign-in (TOTP, RFC 6238) with recovery codes, for members and
-- processor staff. The authenticator's secret is kept sealed under the
-- platform key (age, the backup key's X25519 identity): the database alone
-- cannot compute a code. last_step is the time step of the last code
-- accepted, so no code is accepted twice. Recovery codes are kept as
-- SHA-256 hashes (they are random, 50 bits each) and deleted when used.
--
-- A session whose second step is outstanding carries second_factor:
-- 'code' (the person has an authenticator: enter a code) or 'setup' (two
-- steps are required of them and they have none yet: set it up). Such a
-- session opens nothing but the second-step pages and sign-out.
-- tenants.admins_two_step makes two steps required of the tenant's admins
-- and access approvers (its tenant-wide admins change it).

-- +goose Up
ALTER TABLE member_credentials ADD COLUMN second_factor text CHECK (second_factor IN ('code', 'setup'));
ALTER TABLE staff_credentials ADD COLUMN second_factor text CHECK (second_factor IN ('code', 'setup'));
ALTER TABLE tenants ADD COLUMN admins_two_step boolean NOT NULL DEFAULT false;

CREATE TABLE member_totp (
    tenant_id     uuid NOT NULL,
    person_id     uuid NOT NULL,
    secret_sealed bytea NOT NULL,
    confirmed_at  timestamptz,
    last_step     bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE member_recovery_codes (
    tenant_id  uuid NOT NULL,
    person_id  uuid NOT NULL,
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id, code_hash),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['member_totp', 'member_recovery_codes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

CREATE TABLE staff_totp (
    staff_id      uuid PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    secret_sealed bytea NOT NULL,
    confirmed_at  timestamptz,
    last_step     bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_recovery_codes (
    staff_id   uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (staff_id, code_hash)
);

-- The platform's own trail of staff two-step events (turned on or off, a
-- wrong code, a recovery code used): append-only, like the tenants' audit.
CREATE TABLE staff_security_events (
    id         uuid PRIMARY KEY,
    staff_id   uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL DEFAULT now(),
    action     text NOT NULL CHECK (length(action) BETWEEN 1 AND 60),
    ip         text NOT NULL DEFAULT ''
);
CREATE INDEX staff_security_events_staff ON staff_security_events (staff_id, at);
REVOKE UPDATE, DELETE, TRUNCATE ON staff_security_events FROM lms_app;

-- +goose Down
DROP TABLE staff_security_events;
DROP TABLE staff_recovery_codes, staff_totp, member_recovery_codes, member_totp;
ALTER TABLE tenants DROP COLUMN admins_two_step;
ALTER TABLE staff_credentials DROP COLUMN second_factor;
ALTER TABLE member_credentials DROP COLUMN second_factor;
