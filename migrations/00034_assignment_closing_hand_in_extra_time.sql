-- Assignments gain a closing date for late work, what may be handed in, and
-- extra time a course's teachers grant one learner on one assignment.
--
-- closes_at: work is accepted after a learner's effective due date, marked
-- late, until closes_at (NULL: no late work, the due date is the end). A
-- learner whose extra time reaches past closes_at keeps their own due date.
-- hand_in: 'text', 'files' or 'both'.
--
-- assignment_extra_time: the school's standing arrangement
-- (special_arrangements) is set by admins and applies to all work; a
-- teacher may grant a learner more time on one assignment of their course.
-- The larger of the two applies. Like the arrangement, it holds the time
-- only, never a reason.

-- +goose Up
ALTER TABLE assignments
    ADD COLUMN closes_at timestamptz,
    ADD COLUMN hand_in text NOT NULL DEFAULT 'both' CHECK (hand_in IN ('text', 'files', 'both')),
    ADD CONSTRAINT assignments_closes_after_due CHECK (closes_at IS NULL OR closes_at >= due_at);

CREATE TABLE assignment_extra_time (
    tenant_id          uuid NOT NULL,
    assignment_id      uuid NOT NULL,
    person_id          uuid NOT NULL,
    extra_time_percent int  NOT NULL CHECK (extra_time_percent BETWEEN 0 AND 300),
    set_by             uuid,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, assignment_id, person_id),
    FOREIGN KEY (tenant_id, assignment_id) REFERENCES assignments (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, set_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (set_by)
);
CREATE INDEX assignment_extra_time_person ON assignment_extra_time (tenant_id, person_id);
ALTER TABLE assignment_extra_time ENABLE ROW LEVEL SECURITY;
ALTER TABLE assignment_extra_time FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON assignment_extra_time
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE assignment_extra_time;
ALTER TABLE assignments DROP CONSTRAINT assignments_closes_after_due, DROP COLUMN hand_in, DROP COLUMN closes_at;
