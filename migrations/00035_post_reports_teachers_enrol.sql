-- Forum reports and enrolment by teachers.
--
-- Anyone on a course may report a post to the course's teachers: a report
-- names the post, who reported it and why. It stays open until a teacher
-- dismisses it or hides the post (then it is closed, with who closed it).
-- Reporters are nullable so erasing a person keeps the school's record of
-- the moderation without them.
--
-- Teachers close a forum: it stays readable, but only they post in it.
--
-- A school decides whether a course's teachers may enrol learners of the
-- school on it (default yes, as teachers_create_courses).

-- +goose Up
ALTER TABLE forums ADD COLUMN closed_at timestamptz;
ALTER TABLE schools ADD COLUMN teachers_enrol boolean NOT NULL DEFAULT true;

CREATE TABLE post_reports (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    post_id     uuid NOT NULL,
    reported_by uuid,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz,
    closed_by   uuid,
    -- dismissed: nothing wrong; hidden: the post was hidden.
    outcome     text CHECK (outcome IN ('dismissed', 'hidden')),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, post_id) REFERENCES posts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, reported_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (reported_by),
    FOREIGN KEY (tenant_id, closed_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (closed_by),
    CHECK ((closed_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX post_reports_post ON post_reports (tenant_id, post_id) WHERE closed_at IS NULL;
CREATE INDEX post_reports_reporter ON post_reports (tenant_id, reported_by) WHERE reported_by IS NOT NULL;

ALTER TABLE post_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON post_reports
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE post_reports;
ALTER TABLE schools DROP COLUMN teachers_enrol;
ALTER TABLE forums DROP COLUMN closed_at;
