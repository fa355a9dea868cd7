-- Issue 24, the remaining parts.
--
-- roster_sync_schedules.at_minute: a school's "every day at 06:00", in
-- minutes after local midnight (the tenant's time zone, so 06:00 stays
-- 06:00 when the clocks change). With it the schedule applies the latest
-- delivery once a day, at or after that time; without it every_hours
-- alone decides.
--
-- course_rollovers.term_id: the term the rollover's copies run in. NULL
-- puts each copy in the term after its course's own (the default the
-- page offers); a course in no term gives a copy in no term.

-- +goose Up
ALTER TABLE roster_sync_schedules
    ADD COLUMN at_minute smallint CHECK (at_minute IS NULL OR at_minute BETWEEN 0 AND 1439);

ALTER TABLE course_rollovers ADD COLUMN term_id uuid,
    ADD CONSTRAINT course_rollovers_term FOREIGN KEY (tenant_id, term_id) REFERENCES terms (tenant_id, id) ON DELETE SET NULL (term_id);

-- +goose Down
ALTER TABLE course_rollovers DROP CONSTRAINT course_rollovers_term, DROP COLUMN term_id;
ALTER TABLE roster_sync_schedules DROP COLUMN at_minute;
