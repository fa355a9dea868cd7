-- Learning core, part one: files, courses, their sections and items,
-- enrolments and teaching groups, and the learner activity that feeds
-- progress and engagement. Same rules as every tenant table: tenant_id leads
-- every key, RLS enabled and forced.

-- +goose Up
-- Maximum size of one uploaded file, per tenant (set by the contract).
ALTER TABLE tenants ADD COLUMN max_file_bytes bigint NOT NULL DEFAULT 2147483648
    CHECK (max_file_bytes BETWEEN 1048576 AND 107374182400);

-- OneRoster user sourcedId when a person came from a roster import.
ALTER TABLE people ADD COLUMN external_id text
    CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 255);
CREATE UNIQUE INDEX people_external_id ON people (tenant_id, external_id) WHERE external_id IS NOT NULL;

-- Every object a tenant stores, whatever refers to it. The object key is
-- t/{tenant_id}/files/{id}: no name or person in it. A file is 'uploading'
-- while its bytes stream to S3, 'ready' after, and 'deleting' once nothing
-- may use it; a sweeper removes every version of a deleting object and then
-- the row. attached_to says what holds a ready file (NULL: just uploaded,
-- swept after a day if nothing claims it).
CREATE TABLE files (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    object_key   text NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    content_type text NOT NULL CHECK (length(content_type) BETWEEN 3 AND 127),
    size_bytes   bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    sha256       bytea,
    status       text NOT NULL DEFAULT 'uploading' CHECK (status IN ('uploading', 'ready', 'deleting')),
    attached_to  text CHECK (attached_to IN ('content', 'submission', 'feedback')),
    uploaded_by  uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, object_key),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES people (tenant_id, id)
);
CREATE INDEX files_status ON files (tenant_id, status, updated_at) WHERE status <> 'ready' OR attached_to IS NULL;

CREATE TABLE courses (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    school_id   uuid NOT NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary     text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
    status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    -- OneRoster class sourcedId when the course came from a roster import.
    external_id text CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 255),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, school_id) REFERENCES schools (tenant_id, id),
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX courses_school ON courses (tenant_id, school_id);

CREATE TABLE course_sections (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL,
    course_id  uuid NOT NULL,
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    position   int  NOT NULL CHECK (position >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX course_sections_course ON course_sections (tenant_id, course_id, position);

-- Ordered content of a section. Pages hold sanitised HTML; links a URL;
-- file, video and audio items a file; assignment items are the visible
-- place of an assignment (its details live with assignments).
CREATE TABLE course_items (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL,
    course_id  uuid NOT NULL,
    section_id uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('page', 'file', 'video', 'audio', 'link', 'assignment')),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    position   int  NOT NULL CHECK (position >= 0),
    published  boolean NOT NULL DEFAULT true,
    body_html  text CHECK (body_html IS NULL OR length(body_html) <= 200000),
    url        text CHECK (url IS NULL OR length(url) <= 2048),
    file_id    uuid,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, section_id) REFERENCES course_sections (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id),
    CHECK ((kind = 'page') = (body_html IS NOT NULL)),
    CHECK ((kind = 'link') = (url IS NOT NULL)),
    CHECK ((kind IN ('file', 'video', 'audio')) = (file_id IS NOT NULL))
);
CREATE INDEX course_items_course ON course_items (tenant_id, course_id, section_id, position);
CREATE UNIQUE INDEX course_items_file ON course_items (tenant_id, file_id) WHERE file_id IS NOT NULL;

CREATE TABLE enrolments (
    tenant_id   uuid NOT NULL,
    course_id   uuid NOT NULL,
    person_id   uuid NOT NULL,
    role        text NOT NULL CHECK (role IN ('teacher', 'learner')),
    -- OneRoster enrollment sourcedId when it came from a roster import.
    external_id text CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 255),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, course_id, person_id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX enrolments_person ON enrolments (tenant_id, person_id);

CREATE TABLE teaching_groups (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL,
    course_id  uuid NOT NULL,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    UNIQUE (tenant_id, course_id, name)
);

CREATE TABLE teaching_group_members (
    tenant_id uuid NOT NULL,
    group_id  uuid NOT NULL,
    course_id uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, group_id, person_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES teaching_groups (tenant_id, id) ON DELETE CASCADE,
    -- Only people enrolled on the course; leaving the course leaves its groups.
    FOREIGN KEY (tenant_id, course_id, person_id) REFERENCES enrolments (tenant_id, course_id, person_id) ON DELETE CASCADE
);
CREATE INDEX teaching_group_members_person ON teaching_group_members (tenant_id, course_id, person_id);

-- Learner activity: each access to a course or item, with its duration when
-- the client reports one, and each interaction (view, submit, post).
CREATE TABLE activity_events (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL,
    person_id        uuid NOT NULL,
    course_id        uuid NOT NULL,
    item_id          uuid,
    kind             text NOT NULL CHECK (kind IN ('access', 'view', 'submit', 'post')),
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    duration_seconds int NOT NULL DEFAULT 0 CHECK (duration_seconds BETWEEN 0 AND 86400),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, item_id) REFERENCES course_items (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX activity_events_course ON activity_events (tenant_id, course_id, person_id, occurred_at);
CREATE INDEX activity_events_person ON activity_events (tenant_id, person_id, occurred_at);

-- One row per learner and item they have opened: progress at a glance
-- without scanning the event log.
CREATE TABLE item_progress (
    tenant_id       uuid NOT NULL,
    item_id         uuid NOT NULL,
    person_id       uuid NOT NULL,
    course_id       uuid NOT NULL,
    first_viewed_at timestamptz NOT NULL DEFAULT now(),
    last_viewed_at  timestamptz NOT NULL DEFAULT now(),
    views           int NOT NULL DEFAULT 1 CHECK (views >= 0),
    seconds         int NOT NULL DEFAULT 0 CHECK (seconds >= 0),
    PRIMARY KEY (tenant_id, item_id, person_id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES course_items (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX item_progress_person ON item_progress (tenant_id, course_id, person_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['files', 'courses', 'course_sections', 'course_items', 'enrolments',
                             'teaching_groups', 'teaching_group_members', 'activity_events', 'item_progress'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE item_progress;
DROP TABLE activity_events;
DROP TABLE teaching_group_members;
DROP TABLE teaching_groups;
DROP TABLE enrolments;
DROP TABLE course_items;
DROP TABLE course_sections;
DROP TABLE courses;
DROP TABLE files;
ALTER TABLE people DROP COLUMN external_id;
ALTER TABLE tenants DROP COLUMN max_file_bytes;
