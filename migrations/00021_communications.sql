-- Communications: announcements and newsletters to a course, a school or
-- the whole tenant, in the app and by email. Optional ones go only to
-- people whose consent is in force and whose address is not suppressed;
-- the suppression list (a keyed hash of the address) keeps a person who
-- unsubscribed out after a re-import.

-- +goose Up
CREATE TABLE communications (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    audience   text NOT NULL CHECK (audience IN ('course', 'school', 'tenant')),
    course_id  uuid,
    school_id  uuid,
    optional   boolean NOT NULL,
    by_email   boolean NOT NULL,
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 50000),
    sent_by    uuid,
    recipients int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK ((audience = 'course') = (course_id IS NOT NULL) AND (audience = 'school') = (school_id IS NOT NULL)),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, school_id) REFERENCES schools (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, sent_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (sent_by)
);

CREATE TABLE communication_inbox (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    communication_id uuid NOT NULL,
    person_id        uuid NOT NULL,
    read_at          timestamptz,
    PRIMARY KEY (tenant_id, communication_id, person_id),
    FOREIGN KEY (tenant_id, communication_id) REFERENCES communications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX communication_inbox_person ON communication_inbox (tenant_id, person_id);

-- The email outbox: written with the communication, sent by a job.
CREATE TABLE email_outbox (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    communication_id uuid NOT NULL,
    person_id        uuid NOT NULL,
    to_address       text NOT NULL,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'suppressed')),
    attempts         int NOT NULL DEFAULT 0,
    last_error       text NOT NULL DEFAULT '',
    sent_at          timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, communication_id) REFERENCES communications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX email_outbox_queued ON email_outbox (tenant_id, status) WHERE status = 'queued';

CREATE TABLE email_suppressions (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    address_hash text NOT NULL CHECK (address_hash ~ '^[0-9a-f]{64}$'),
    reason       text NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'admin')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, address_hash)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['communications', 'communication_inbox', 'email_outbox', 'email_suppressions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE email_suppressions, email_outbox, communication_inbox, communications;
