-- Rollover: at the end of a school year an admin copies many courses of a
-- school at once (each as course.Copy does: no people, no work), as a
-- background job. course_rollovers is the request and its progress (done
-- of total); course_rollover_courses says, per course, whether its copy
-- is made, so a job whose worker was killed resumes where it stopped:
-- the copy and its row here are written in one transaction.

-- +goose Up
CREATE TABLE course_rollovers (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL,
    school_id    uuid NOT NULL,
    suffix       text NOT NULL CHECK (length(suffix) BETWEEN 1 AND 60),
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
    total        int NOT NULL CHECK (total > 0),
    done         int NOT NULL DEFAULT 0,
    failed       int NOT NULL DEFAULT 0,
    requested_by uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, school_id) REFERENCES schools (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, requested_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (requested_by)
);

CREATE TABLE course_rollover_courses (
    tenant_id   uuid NOT NULL,
    rollover_id uuid NOT NULL,
    course_id   uuid NOT NULL,
    position    int NOT NULL,
    copy_id     uuid,
    failure     text CHECK (length(failure) <= 500),
    PRIMARY KEY (tenant_id, rollover_id, course_id),
    FOREIGN KEY (tenant_id, rollover_id) REFERENCES course_rollovers (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, copy_id) REFERENCES courses (tenant_id, id) ON DELETE SET NULL (copy_id)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['course_rollovers', 'course_rollover_courses'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE course_rollover_courses, course_rollovers;
