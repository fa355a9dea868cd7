-- Personal tutors: a tenant role, tutorships (not tied to a course),
-- meetings with what was agreed, and what a learner chooses to share of
-- their health or a disability: stored only with their explicit consent
-- recorded, visible only to their tutor and the support staff they name.

-- +goose Up
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
    CHECK (role IN ('admin', 'teacher', 'learner', 'approver', 'guardian', 'tutor'));

CREATE TABLE tutorships (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    tutor_id    uuid NOT NULL,
    learner_id  uuid NOT NULL,
    assigned_by uuid,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    PRIMARY KEY (tenant_id, tutor_id, learner_id),
    CHECK (tutor_id <> learner_id),
    FOREIGN KEY (tenant_id, tutor_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, learner_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, assigned_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (assigned_by)
);
CREATE INDEX tutorships_learner ON tutorships (tenant_id, learner_id);

CREATE TABLE tutor_meetings (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    id             uuid NOT NULL,
    tutor_id       uuid,
    learner_id     uuid NOT NULL,
    met_on         date NOT NULL,
    notes          text NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
    agreed_support text NOT NULL DEFAULT '' CHECK (length(agreed_support) <= 5000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, tutor_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (tutor_id),
    FOREIGN KEY (tenant_id, learner_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX tutor_meetings_learner ON tutor_meetings (tenant_id, learner_id);

-- Article 9 data: only the learner writes it, with consent recorded.
CREATE TABLE tutor_disclosures (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL,
    learner_id      uuid NOT NULL,
    tutor_id        uuid,
    category        text NOT NULL CHECK (category IN ('health', 'disability', 'other')),
    details         text NOT NULL CHECK (length(details) BETWEEN 1 AND 10000),
    shared_with     jsonb NOT NULL DEFAULT '[]', -- person ids (strings)
    consent_at      timestamptz NOT NULL,
    consent_wording text NOT NULL CHECK (length(consent_wording) > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, learner_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, tutor_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (tutor_id)
);
CREATE INDEX tutor_disclosures_learner ON tutor_disclosures (tenant_id, learner_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tutorships', 'tutor_meetings', 'tutor_disclosures'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE tutor_disclosures, tutor_meetings, tutorships;
DELETE FROM role_assignments WHERE role = 'tutor';
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
    CHECK (role IN ('admin', 'teacher', 'learner', 'approver', 'guardian'));
