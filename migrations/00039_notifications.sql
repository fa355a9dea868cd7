-- Notifications: feedback released, work due in 24 hours, work now
-- overdue, a new announcement, a reply in a thread one takes part in. Each
-- person chooses per kind whether it shows in the app and whether it is
-- emailed at once, in a daily digest or not at all (no row: the kind's
-- default). A notice is unique per person, kind and subject, so a job run
-- twice, or by two workers at once, never makes or sends it twice.
-- The email outbox also carries emails that are not a communication (a
-- notice, a digest): those hold their own subject and text.

-- +goose Up
CREATE TABLE notification_preferences (
    tenant_id  uuid NOT NULL,
    person_id  uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('feedback', 'due_soon', 'overdue', 'announcement', 'reply')),
    in_app     boolean NOT NULL,
    email      text NOT NULL CHECK (email IN ('now', 'digest', 'none')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id, kind),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE notifications (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    person_id   uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('feedback', 'due_soon', 'overdue', 'announcement', 'reply')),
    subject_key text NOT NULL CHECK (length(subject_key) BETWEEN 1 AND 200),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body        text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
    link        text NOT NULL DEFAULT '' CHECK (length(link) <= 500),
    in_app      boolean NOT NULL,
    email       text NOT NULL CHECK (email IN ('now', 'digest', 'none')),
    emailed_at  timestamptz,
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, person_id, kind, subject_key),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_shown ON notifications (tenant_id, person_id, created_at DESC) WHERE in_app;
CREATE INDEX notifications_digest ON notifications (tenant_id, person_id) WHERE email = 'digest' AND emailed_at IS NULL;

ALTER TABLE email_outbox
    ALTER COLUMN communication_id DROP NOT NULL,
    ADD COLUMN subject text CHECK (subject IS NULL OR length(subject) BETWEEN 1 AND 300),
    ADD COLUMN body text CHECK (body IS NULL OR length(body) <= 100000),
    ADD CONSTRAINT email_outbox_what CHECK ((communication_id IS NULL) <> (subject IS NULL AND body IS NULL));

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['notification_preferences', 'notifications'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DELETE FROM email_outbox WHERE communication_id IS NULL;
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_what, DROP COLUMN body, DROP COLUMN subject,
    ALTER COLUMN communication_id SET NOT NULL;
DROP TABLE notifications, notification_preferences;
