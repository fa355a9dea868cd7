-- What is due: course events a teacher puts on a course's calendar (a
-- trip, a test in class), and each person's private iCalendar feed. A
-- feed's address holds a random 32-byte token; only its SHA-256 is kept,
-- so a copy of the database opens no one's calendar. One feed per person:
-- making a new address replaces the old one, which stops at once.

-- +goose Up
CREATE TABLE course_events (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL,
    course_id  uuid NOT NULL,
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz CHECK (ends_at IS NULL OR ends_at >= starts_at),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX course_events_course ON course_events (tenant_id, course_id, starts_at);

CREATE TABLE calendar_feeds (
    tenant_id  uuid NOT NULL,
    person_id  uuid NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['course_events', 'calendar_feeds'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE calendar_feeds, course_events;
