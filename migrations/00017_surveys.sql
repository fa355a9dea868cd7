-- Surveys and feedback forms, anonymous or named. An anonymous response
-- stores no link to its author: no person, no time, an id that says
-- nothing of when it was made; that someone took part is kept apart
-- (survey_participants, without a time either), only so they answer once.

-- +goose Up
CREATE TABLE surveys (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    course_id   uuid, -- NULL: the whole tenant (admins only)
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    anonymous   boolean NOT NULL,
    purpose     text NOT NULL DEFAULT '' CHECK (length(purpose) <= 1000),
    questions   jsonb NOT NULL,
    closes_at   timestamptz NOT NULL,
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    -- A named survey collects personal data: it must say what for.
    CHECK (anonymous OR length(purpose) > 0),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX surveys_course ON surveys (tenant_id, course_id);

CREATE TABLE survey_participants (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    survey_id uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, survey_id, person_id),
    FOREIGN KEY (tenant_id, survey_id) REFERENCES surveys (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);

-- person_id and submitted_at are set only for named surveys.
CREATE TABLE survey_responses (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    survey_id    uuid NOT NULL,
    person_id    uuid,
    answers      jsonb NOT NULL,
    submitted_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, survey_id, person_id),
    FOREIGN KEY (tenant_id, survey_id) REFERENCES surveys (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['surveys', 'survey_participants', 'survey_responses'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE survey_responses, survey_participants, surveys;
