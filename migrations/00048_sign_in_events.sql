-- Sign-in evidence of a school's members: every sign-in and every failed
-- one, for the school's admins ("Sign-ins") and the person themselves.
-- It is not in the hash-chained audit trail: that trail is kept for the
-- life of the contract, and an erased person must leave no row naming
-- them. These rows go with the person, and after a year (the credential
-- sweep).
--
-- person_id is empty when the name typed matched nobody; the name itself
-- is never stored (it may be someone else's, or a password typed in the
-- wrong box). network is the approximate place the sessions page shows
-- (IPv4 /16, IPv6 /48), never the whole address; browser is the browser
-- and system in words. Both are empty for a person whose objection to
-- that record was upheld. detail is a short plain reason (a refusal's),
-- never a secret.

-- +goose Up
CREATE TABLE member_sign_in_events (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id        uuid NOT NULL,
    person_id uuid,
    method    text NOT NULL
        CHECK (method IN ('password', 'password+code', 'link', 'passkey', 'oidc', 'saml')),
    outcome   text NOT NULL CHECK (outcome ~ '^[a-z][a-z-]{1,39}$'),
    detail    text NOT NULL DEFAULT '' CHECK (length(detail) <= 300),
    network   text NOT NULL DEFAULT '' CHECK (length(network) <= 60),
    browser   text NOT NULL DEFAULT '' CHECK (length(browser) <= 120),
    at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX member_sign_in_events_recent ON member_sign_in_events (tenant_id, at DESC, id DESC);
CREATE INDEX member_sign_in_events_person ON member_sign_in_events (tenant_id, person_id, at DESC);

ALTER TABLE member_sign_in_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_sign_in_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON member_sign_in_events
    USING (tenant_id = (SELECT app_tenant_id()))
    WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE member_sign_in_events;
