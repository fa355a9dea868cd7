-- Passkeys (WebAuthn) of a school's members. A passkey replaces the
-- password and the code: the authenticator checks who holds it (a PIN,
-- a fingerprint) and signs the platform's challenge with a key that never
-- leaves it. credential is the library's record of it (go-webauthn's
-- Credential as JSON: the public key, its sign count, flags, AAGUID);
-- credential_id is its id, which the browser names in a sign-in.
--
-- passkey_challenges keeps a ceremony's state (the challenge the
-- authenticator must sign) on the server for five minutes; it is used
-- once and deleted. person_id is the person adding a passkey; a sign-in's
-- challenge has none (the passkey says whose it is).

-- +goose Up
CREATE TABLE member_passkeys (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    person_id     uuid NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    credential_id bytea NOT NULL,
    credential    jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, credential_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX member_passkeys_person ON member_passkeys (tenant_id, person_id);

CREATE TABLE passkey_challenges (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL,
    person_id  uuid,
    name       text NOT NULL DEFAULT '',
    session    jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['member_passkeys', 'passkey_challenges'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE passkey_challenges, member_passkeys;
