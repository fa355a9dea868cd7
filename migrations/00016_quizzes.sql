-- Timed tests and quizzes: a question bank per course, quizzes with an
-- open window and a time limit, and learners' attempts, saved answer by
-- answer. A learner's special arrangement (extra time) lengthens their
-- limit; the deadline is fixed when the attempt starts.

-- +goose Up
CREATE TABLE quiz_questions (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    course_id  uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('single', 'multiple', 'numeric', 'short', 'essay')),
    prompt     text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 5000),
    options    jsonb NOT NULL DEFAULT '[]',
    answer     jsonb NOT NULL DEFAULT '{}',
    points     numeric(7, 2) NOT NULL CHECK (points > 0 AND points <= 1000),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX quiz_questions_course ON quiz_questions (tenant_id, course_id);

CREATE TABLE quizzes (
    tenant_id           uuid NOT NULL REFERENCES tenants (id),
    id                  uuid NOT NULL,
    course_id           uuid NOT NULL,
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    instructions        text NOT NULL DEFAULT '' CHECK (length(instructions) <= 20000),
    opens_at            timestamptz NOT NULL,
    closes_at           timestamptz NOT NULL,
    time_limit_seconds  int NOT NULL CHECK (time_limit_seconds BETWEEN 60 AND 86400),
    published           boolean NOT NULL DEFAULT false,
    results_released_at timestamptz,
    created_by          uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (closes_at > opens_at),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX quizzes_course ON quizzes (tenant_id, course_id);

CREATE TABLE quiz_items (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    quiz_id     uuid NOT NULL,
    question_id uuid NOT NULL,
    position    int NOT NULL CHECK (position >= 0),
    PRIMARY KEY (tenant_id, quiz_id, question_id),
    FOREIGN KEY (tenant_id, quiz_id) REFERENCES quizzes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, question_id) REFERENCES quiz_questions (tenant_id, id) ON DELETE CASCADE
);

-- One attempt per learner and quiz; deadline_at is started_at plus the
-- time limit lengthened by the learner's extra time, fixed at the start.
CREATE TABLE quiz_attempts (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 uuid NOT NULL,
    quiz_id            uuid NOT NULL,
    person_id          uuid NOT NULL,
    extra_time_percent int NOT NULL DEFAULT 0 CHECK (extra_time_percent BETWEEN 0 AND 300),
    started_at         timestamptz NOT NULL,
    deadline_at        timestamptz NOT NULL,
    submitted_at       timestamptz,
    status             text NOT NULL DEFAULT 'in-progress' CHECK (status IN ('in-progress', 'submitted')),
    score              numeric(9, 2),
    max_score          numeric(9, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, quiz_id, person_id),
    CHECK (deadline_at > started_at),
    FOREIGN KEY (tenant_id, quiz_id) REFERENCES quizzes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX quiz_attempts_person ON quiz_attempts (tenant_id, person_id);

CREATE TABLE quiz_answers (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    attempt_id    uuid NOT NULL,
    question_id   uuid NOT NULL,
    response      jsonb NOT NULL,
    saved_at      timestamptz NOT NULL DEFAULT now(),
    auto_score    numeric(7, 2),
    teacher_score numeric(7, 2),
    feedback      text NOT NULL DEFAULT '' CHECK (length(feedback) <= 20000),
    marked_by     uuid,
    marked_at     timestamptz,
    PRIMARY KEY (tenant_id, attempt_id, question_id),
    FOREIGN KEY (tenant_id, attempt_id) REFERENCES quiz_attempts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, question_id) REFERENCES quiz_questions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, marked_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (marked_by)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['quiz_questions', 'quizzes', 'quiz_items', 'quiz_attempts', 'quiz_answers'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE quiz_answers, quiz_attempts, quiz_items, quizzes, quiz_questions;
