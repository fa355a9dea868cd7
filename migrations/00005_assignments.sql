-- Assignments, learners' special arrangements, submissions, and marks with
-- feedback. Same rules as every tenant table: tenant_id leads every key, RLS
-- enabled and forced.
--
-- An assignment's visible place in a course is a course item of kind
-- 'assignment' (title, section, position, published); the row here holds
-- the rest and goes with its item. Due dates are hard: no work is accepted
-- after a learner's effective due date (special arrangements and moving the
-- due date are how a learner gets more time), so there is no "late" flag.
--
-- Staff who are erased leave their marks and arrangements in place
-- (ON DELETE SET NULL of the "by" column only); a learner's own work goes
-- with them.

-- +goose Up
CREATE TABLE assignments (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL,
    course_id    uuid NOT NULL,
    item_id      uuid NOT NULL,
    -- Plain text, shown as written.
    instructions text NOT NULL DEFAULT '' CHECK (length(instructions) <= 20000),
    -- Extra time is a share of the window from opens_at to due_at.
    opens_at     timestamptz NOT NULL DEFAULT now(),
    due_at       timestamptz NOT NULL,
    max_score    numeric(6, 2) NOT NULL CHECK (max_score > 0 AND max_score <= 1000),
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, item_id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, item_id) REFERENCES course_items (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by),
    CHECK (due_at > opens_at)
);
CREATE INDEX assignments_course ON assignments (tenant_id, course_id, id);

-- A learner's special arrangement: only what the school grants (extra time
-- as a percentage), never why. The condition behind it (a diagnosis, a
-- disability, a family circumstance) is special-category data the school
-- keeps in its own SEN records; holding it here would spread it to every
-- teacher who reads an arrangement, for no purpose an LMS has. So there is
-- deliberately no reason, note or free-text column: free text would be
-- where such details end up.
CREATE TABLE special_arrangements (
    tenant_id          uuid NOT NULL,
    person_id          uuid NOT NULL,
    extra_time_percent int  NOT NULL CHECK (extra_time_percent BETWEEN 0 AND 300),
    set_by             uuid,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, set_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (set_by)
);

-- A learner's current work for an assignment: one row per learner, replaced
-- in place on resubmission (attempt counts them).
CREATE TABLE submissions (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    assignment_id uuid NOT NULL,
    person_id     uuid NOT NULL,
    body          text NOT NULL DEFAULT '' CHECK (length(body) <= 100000),
    attempt       int  NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, assignment_id, person_id),
    FOREIGN KEY (tenant_id, assignment_id) REFERENCES assignments (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX submissions_assignment ON submissions (tenant_id, assignment_id, id);
CREATE INDEX submissions_person ON submissions (tenant_id, person_id);

-- Files of a submission. A purged file takes its row with it, so a purge
-- is never blocked by a reference.
CREATE TABLE submission_files (
    tenant_id     uuid NOT NULL,
    submission_id uuid NOT NULL,
    file_id       uuid NOT NULL,
    PRIMARY KEY (tenant_id, submission_id, file_id),
    UNIQUE (tenant_id, file_id),
    FOREIGN KEY (tenant_id, submission_id) REFERENCES submissions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id) ON DELETE CASCADE
);

-- A teacher's mark and feedback on a submission; the learner sees it only
-- once released_at is set.
CREATE TABLE marks (
    tenant_id        uuid NOT NULL,
    submission_id    uuid NOT NULL,
    score            numeric(6, 2) NOT NULL CHECK (score >= 0 AND score <= 1000),
    feedback         text NOT NULL DEFAULT '' CHECK (length(feedback) <= 20000),
    feedback_file_id uuid,
    marked_by        uuid,
    marked_at        timestamptz NOT NULL DEFAULT now(),
    released_at      timestamptz,
    PRIMARY KEY (tenant_id, submission_id),
    UNIQUE (tenant_id, feedback_file_id),
    FOREIGN KEY (tenant_id, submission_id) REFERENCES submissions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, feedback_file_id) REFERENCES files (tenant_id, id) ON DELETE SET NULL (feedback_file_id),
    FOREIGN KEY (tenant_id, marked_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (marked_by)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['assignments', 'special_arrangements', 'submissions', 'submission_files', 'marks'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE marks;
DROP TABLE submission_files;
DROP TABLE submissions;
DROP TABLE special_arrangements;
DROP TABLE assignments;
