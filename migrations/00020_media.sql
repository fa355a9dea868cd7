-- Profile photos (the person's own choice, or the school's ID photo) and
-- recorded lessons or video assessments with the people who appear in
-- them, so a subject access export or an erasure finds them.

-- +goose Up
ALTER TABLE files DROP CONSTRAINT files_attached_to_check;
ALTER TABLE files ADD CONSTRAINT files_attached_to_check
    CHECK (attached_to IN ('content', 'submission', 'feedback', 'export', 'tenant-export', 'photo', 'recording'));

CREATE TABLE profile_photos (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    person_id uuid NOT NULL,
    file_id   uuid NOT NULL,
    source    text NOT NULL CHECK (source IN ('own', 'school')),
    set_by    uuid,
    set_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id),
    FOREIGN KEY (tenant_id, set_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (set_by)
);

CREATE TABLE recordings (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    course_id   uuid NOT NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('lesson', 'assessment')),
    file_id     uuid NOT NULL,
    recorded_on date NOT NULL,
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX recordings_course ON recordings (tenant_id, course_id);

-- Who appears in a recording; file_id repeats the recording's so the
-- person's export carries the video.
CREATE TABLE recording_participants (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    recording_id uuid NOT NULL,
    person_id    uuid NOT NULL,
    file_id      uuid NOT NULL,
    PRIMARY KEY (tenant_id, recording_id, person_id),
    FOREIGN KEY (tenant_id, recording_id) REFERENCES recordings (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id)
);
CREATE INDEX recording_participants_person ON recording_participants (tenant_id, person_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['profile_photos', 'recordings', 'recording_participants'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE recording_participants, recordings, profile_photos;
ALTER TABLE files DROP CONSTRAINT files_attached_to_check;
ALTER TABLE files ADD CONSTRAINT files_attached_to_check CHECK (attached_to IN ('content', 'submission', 'feedback', 'export', 'tenant-export'));
