-- The school's controller toolkit: subject requests and their exports,
-- the erasure ledger, restriction and objection, consents and guardians,
-- retention settings, runs and legal holds.

-- +goose Up

-- Guardians are members who act for their children (consents, requests).
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
    CHECK (role IN ('admin', 'teacher', 'learner', 'approver', 'guardian'));

-- What the controller tools need to know about a person: the date of birth
-- (children under 13 need a guardian's consent), restriction and objection
-- (Articles 18 and 21) and the day they left (retention of leavers).
ALTER TABLE people
    ADD COLUMN birth_date         date,
    ADD COLUMN restricted_at      timestamptz,
    ADD COLUMN restriction_reason text NOT NULL DEFAULT '' CHECK (length(restriction_reason) <= 2000),
    ADD COLUMN objected_at        timestamptz,
    ADD COLUMN left_on            date;

-- A restricted person's record cannot be changed until an admin lifts the
-- restriction; the services refuse first, this is the backstop. Sign-in
-- bookkeeping (failed attempts, lockout) still works.
-- +goose StatementBegin
CREATE FUNCTION people_restricted_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.restricted_at IS NOT NULL AND NEW.restricted_at IS NOT NULL AND
       (NEW.username, NEW.email, NEW.display_name, NEW.status, NEW.external_id, NEW.birth_date, NEW.left_on)
       IS DISTINCT FROM
       (OLD.username, OLD.email, OLD.display_name, OLD.status, OLD.external_id, OLD.birth_date, OLD.left_on) THEN
        RAISE EXCEPTION 'person % is restricted; lift the restriction first', OLD.id USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER people_restricted_guard BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION people_restricted_guard();

CREATE TABLE guardianships (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    guardian_id uuid NOT NULL,
    child_id    uuid NOT NULL,
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, guardian_id, child_id),
    CHECK (guardian_id <> child_id),
    FOREIGN KEY (tenant_id, guardian_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, child_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX guardianships_child ON guardianships (tenant_id, child_id);

-- Consents: an append-only history per person and purpose; the latest row
-- is in force. Evidence: who gave or withdrew it, how, and which wording.
CREATE TABLE consents (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL,
    person_id       uuid NOT NULL,
    purpose         text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9-]{0,62}$'),
    given           boolean NOT NULL,
    wording_version text NOT NULL CHECK (length(wording_version) BETWEEN 1 AND 40),
    method          text NOT NULL CHECK (method IN ('online', 'paper', 'verbal')),
    by_person       uuid,
    by_relation     text NOT NULL CHECK (by_relation IN ('self', 'guardian', 'admin')),
    at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, by_person) REFERENCES people (tenant_id, id) ON DELETE SET NULL (by_person)
);
CREATE INDEX consents_current ON consents (tenant_id, person_id, purpose, at DESC);

-- Subject requests: one queue per tenant.
CREATE TABLE subject_requests (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    person_id        uuid,
    kind             text NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'objection', 'portability')),
    asked_by         uuid,
    asked_by_relation text NOT NULL CHECK (asked_by_relation IN ('self', 'admin', 'guardian')),
    received_on      date NOT NULL,
    due_on           date NOT NULL,
    extended_months  int NOT NULL DEFAULT 0 CHECK (extended_months BETWEEN 0 AND 2),
    extension_reason text NOT NULL DEFAULT '' CHECK (length(extension_reason) <= 2000),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in-progress', 'done', 'refused')),
    assignee_id      uuid,
    details          text NOT NULL DEFAULT '' CHECK (length(details) <= 5000),
    notes            text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    outcome          text NOT NULL DEFAULT '' CHECK (length(outcome) <= 5000),
    closed_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (extended_months = 0 OR extension_reason <> ''),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (person_id),
    FOREIGN KEY (tenant_id, asked_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (asked_by),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (assignee_id)
);
CREATE INDEX subject_requests_due ON subject_requests (tenant_id, due_on) WHERE status IN ('open', 'in-progress');
CREATE INDEX subject_requests_person ON subject_requests (tenant_id, person_id);

-- Access and portability exports of one person, with progress; the zip is
-- a file of the tenant (attached to 'export'), so the files purge removes
-- it when it expires or the person is erased.
ALTER TABLE files DROP CONSTRAINT files_attached_to_check;
ALTER TABLE files ADD CONSTRAINT files_attached_to_check CHECK (attached_to IN ('content', 'submission', 'feedback', 'export'));
CREATE TABLE subject_exports (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    person_id    uuid NOT NULL,
    request_id   uuid,
    requested_by uuid,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    tables_done  int NOT NULL DEFAULT 0,
    tables_total int NOT NULL DEFAULT 0,
    files_done   int NOT NULL DEFAULT 0,
    files_total  int NOT NULL DEFAULT 0,
    bytes        bigint NOT NULL DEFAULT 0,
    file_id      uuid,
    error        text NOT NULL DEFAULT '',
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, request_id) REFERENCES subject_requests (tenant_id, id) ON DELETE SET NULL (request_id),
    FOREIGN KEY (tenant_id, requested_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (requested_by),
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id) ON DELETE SET NULL (file_id)
);
CREATE INDEX subject_exports_person ON subject_exports (tenant_id, person_id);

-- The erasure ledger: a keyed hash of each erased person, so a restore of
-- an older backup can erase them again. No personal data.
CREATE TABLE erasure_ledger (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    subject_hash text NOT NULL CHECK (subject_hash ~ '^[0-9a-f]{64}$'),
    request_id   uuid,
    erased_at    timestamptz NOT NULL DEFAULT now(),
    rows_deleted bigint NOT NULL DEFAULT 0,
    rows_kept    bigint NOT NULL DEFAULT 0,
    objects      int NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, subject_hash)
);

-- Retention: the school's periods per data category (defaults in
-- policies/retention.yaml), its legal holds, and the runs of the daily job.
CREATE TABLE retention_settings (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    category   text NOT NULL CHECK (category ~ '^[a-z][a-z0-9-]{0,62}$'),
    months     int NOT NULL CHECK (months BETWEEN 1 AND 1200),
    updated_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, category),
    FOREIGN KEY (tenant_id, updated_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (updated_by)
);

CREATE TABLE retention_holds (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    person_id   uuid,
    course_id   uuid,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK ((person_id IS NULL) <> (course_id IS NULL)),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);

-- enforce_from is when the school switched enforcement on (after seeing a
-- dry run); no run deletes anything before it.
CREATE TABLE retention_runs (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    dry_run     boolean NOT NULL,
    started_by  uuid,
    report      jsonb NOT NULL DEFAULT '[]',
    rows        bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, started_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (started_by)
);

CREATE TABLE retention_enforcement (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    enabled_at timestamptz NOT NULL DEFAULT now(),
    enabled_by uuid,
    PRIMARY KEY (tenant_id),
    FOREIGN KEY (tenant_id, enabled_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (enabled_by)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['guardianships', 'consents', 'subject_requests', 'subject_exports', 'erasure_ledger',
                             'retention_settings', 'retention_holds', 'retention_runs', 'retention_enforcement'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- The ledger is append-only for the app: erasure is not undone.
REVOKE UPDATE, DELETE ON erasure_ledger FROM lms_app;
-- Consent evidence is append-only: a withdrawal is a new row. Only who
-- acted may be cleared, when that person is erased.
REVOKE UPDATE ON consents FROM lms_app;
GRANT UPDATE (by_person) ON consents TO lms_app;

-- +goose Down
DROP TABLE retention_enforcement, retention_runs, retention_holds, retention_settings, erasure_ledger,
    subject_exports, subject_requests, consents, guardianships;
ALTER TABLE files DROP CONSTRAINT files_attached_to_check;
ALTER TABLE files ADD CONSTRAINT files_attached_to_check CHECK (attached_to IN ('content', 'submission', 'feedback'));
DROP TRIGGER people_restricted_guard ON people;
DROP FUNCTION people_restricted_guard();
ALTER TABLE people DROP COLUMN birth_date, DROP COLUMN restricted_at, DROP COLUMN restriction_reason,
    DROP COLUMN objected_at, DROP COLUMN left_on;
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check CHECK (role IN ('admin', 'teacher', 'learner', 'approver'));
