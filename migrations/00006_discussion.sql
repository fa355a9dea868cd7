-- Discussion: per-course forums, their threads and posts. Same rules as every
-- tenant table: tenant_id leads every key, RLS enabled and forced.
--
-- A post is never hard-deleted on its own: deleting it (by its author or a
-- teacher) clears the body and keeps the row, so the replies around it keep
-- their place and context ("[deleted]"). Teachers may also hide a post with
-- a reason; the words stay for the author and the teachers, not the class.
-- Authors are nullable so erasing a person can keep the school's record of
-- a discussion without them (ON DELETE SET NULL of that column only).

-- +goose Up
CREATE TABLE forums (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    course_id   uuid NOT NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX forums_course ON forums (tenant_id, course_id, id);

CREATE TABLE threads (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL,
    forum_id     uuid NOT NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    author_id    uuid,
    locked       boolean NOT NULL DEFAULT false,
    pinned       boolean NOT NULL DEFAULT false,
    -- Kept with each new post so a forum lists its threads without
    -- counting posts.
    post_count   int NOT NULL DEFAULT 0 CHECK (post_count >= 0),
    last_post_at timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, forum_id) REFERENCES forums (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (author_id)
);
CREATE INDEX threads_forum ON threads (tenant_id, forum_id, id);

CREATE TABLE posts (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    thread_id     uuid NOT NULL,
    author_id     uuid,
    -- Plain text; empty only once deleted.
    body          text NOT NULL CHECK (length(body) <= 20000),
    edited_at     timestamptz,
    deleted_at    timestamptz,
    deleted_by    uuid,
    hidden_at     timestamptz,
    hidden_by     uuid,
    hidden_reason text CHECK (hidden_reason IS NULL OR length(hidden_reason) BETWEEN 1 AND 500),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES threads (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (author_id),
    FOREIGN KEY (tenant_id, deleted_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (deleted_by),
    FOREIGN KEY (tenant_id, hidden_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (hidden_by),
    CHECK (deleted_at IS NOT NULL OR length(body) >= 1),
    CHECK (deleted_at IS NULL OR body = ''),
    CHECK (hidden_at IS NOT NULL OR hidden_reason IS NULL)
);
CREATE INDEX posts_thread ON posts (tenant_id, thread_id, id);
CREATE INDEX posts_author ON posts (tenant_id, author_id) WHERE author_id IS NOT NULL;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['forums', 'threads', 'posts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE posts;
DROP TABLE threads;
DROP TABLE forums;
