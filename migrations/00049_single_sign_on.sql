-- Single sign-on: a school connects its Microsoft Entra ID, Google
-- Workspace, another OpenID provider or a SAML identity provider, and its
-- people sign in there instead of with a password here.
--
-- sign_in_providers is the school's connection to one provider (one of
-- each kind). The client secret is sealed under the platform key (age),
-- as authenticator secrets are, and never shown again. issuer is the
-- OpenID issuer or the SAML IdP's entity id; idp_metadata the SAML IdP's
-- metadata (its signing certificate). A person signs in only if they are
-- already in the school and match by match_by, unless create_people.
--
-- sso_links remember which provider account is which person, after the
-- first match (the provider's subject id is personal data: exported with
-- the person, deleted when they are erased).
--
-- sso_flows is a sign-in on its way through the provider: state (only its
-- hash), nonce and PKCE verifier, ten minutes, used once, so a replayed
-- state finds nothing. sso_replays keeps the id of every SAML assertion
-- used until it expires, so it cannot be used twice.
--
-- sign_in_rules: the roles whose password sign-in the school switched off.

-- +goose Up
CREATE TABLE sign_in_providers (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('microsoft', 'google', 'oidc', 'saml')),
    issuer          text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
    directory_id    text NOT NULL DEFAULT '' CHECK (length(directory_id) <= 100),
    client_id       text NOT NULL DEFAULT '' CHECK (length(client_id) <= 500),
    secret_sealed   bytea,
    idp_metadata    text NOT NULL DEFAULT '' CHECK (length(idp_metadata) <= 200000),
    allowed_domains text[] NOT NULL DEFAULT '{}',
    match_by        text NOT NULL DEFAULT 'email' CHECK (match_by IN ('email', 'username', 'external_id')),
    create_people   boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, kind)
);

CREATE TABLE sso_links (
    tenant_id    uuid NOT NULL,
    provider_id  uuid NOT NULL,
    subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    person_id    uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, provider_id, subject),
    FOREIGN KEY (tenant_id, provider_id) REFERENCES sign_in_providers (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sso_links_person ON sso_links (tenant_id, person_id);

CREATE TABLE sso_flows (
    tenant_id   uuid NOT NULL,
    state_hash  bytea NOT NULL,
    provider_id uuid NOT NULL,
    nonce       text NOT NULL,
    verifier    text NOT NULL,
    next        text NOT NULL DEFAULT '',
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, state_hash),
    FOREIGN KEY (tenant_id, provider_id) REFERENCES sign_in_providers (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE sso_replays (
    tenant_id    uuid NOT NULL,
    assertion_id text NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, assertion_id)
);

CREATE TABLE sign_in_rules (
    tenant_id    uuid NOT NULL,
    password_off text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id)
);

-- A session signed in to through a provider says so.
ALTER TABLE member_credentials DROP CONSTRAINT member_credentials_method_check,
    ADD CONSTRAINT member_credentials_method_check CHECK (method IN ('password', 'password+code', 'link', 'passkey', 'oidc', 'saml'));

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sign_in_providers', 'sso_links', 'sso_flows', 'sso_replays', 'sign_in_rules'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
UPDATE member_credentials SET method = 'password' WHERE method IN ('oidc', 'saml');
ALTER TABLE member_credentials DROP CONSTRAINT member_credentials_method_check,
    ADD CONSTRAINT member_credentials_method_check CHECK (method IN ('password', 'password+code', 'link', 'passkey'));
DROP TABLE sign_in_rules, sso_replays, sso_flows, sso_links, sign_in_providers;
