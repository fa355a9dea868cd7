-- Roster imports run as a job (issue 24): an upload is stored and
-- answered at once; a River job applies it and records its progress.
--
-- roster_imports gains:
--   - status queued (stored, waiting for a worker) and running (a worker
--     applies it; a worker killed mid-way leaves it running, its heartbeat
--     stops and another worker applies it again from the start: the
--     import is one transaction, so the dead run wrote nothing).
--   - held_files now also holds a queued or running upload's files (a zip
--     of its CSV files), so a worker that dies loses nothing; it goes with
--     the row on contract-end deletion. Cleared when the import ends
--     (applied, rejected, dry run, discarded); a held import keeps it.
--   - step, rows_done, rows_total: the progress the import page shows
--     (the step in plain words, data rows done of all the upload's rows).
--   - updated_at: the job's heartbeat; a running import silent for a
--     minute lost its worker.
--   - confirmed: an admin confirmed a held import, so its run lifts the
--     safety limit.
--   - schools: the uploader's school limit (NULL: tenant-wide), which the
--     job's scope keeps.
-- The cap on held_files follows the upload cap (64 MiB of CSV, stored as
-- a compressed zip).
--
-- courses gains the OneRoster course (courses.csv) a class belongs to:
-- each class stays its own course here (its enrolments, teachers and
-- work are the class's), and records the catalogue course it teaches:
-- roster_course_id (its sourcedId), course_code and course_title.

-- +goose Up
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_status_check;
ALTER TABLE roster_imports ADD CONSTRAINT roster_imports_status_check
    CHECK (status IN ('queued', 'running', 'applied', 'rejected', 'dry_run', 'held', 'discarded'));
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_held_files;
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_held_files_check;
ALTER TABLE roster_imports
    ADD CONSTRAINT roster_imports_held_files_size CHECK (held_files IS NULL OR length(held_files) <= 67108864),
    ADD CONSTRAINT roster_imports_held_files CHECK ((status IN ('held', 'queued', 'running')) = (held_files IS NOT NULL)),
    ADD COLUMN step       text NOT NULL DEFAULT '' CHECK (length(step) <= 200),
    ADD COLUMN rows_done  int NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
    ADD COLUMN rows_total int NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN confirmed  boolean NOT NULL DEFAULT false,
    ADD COLUMN schools    jsonb CHECK (schools IS NULL OR jsonb_typeof(schools) = 'array');

ALTER TABLE courses
    ADD COLUMN roster_course_id text CHECK (roster_course_id IS NULL OR length(roster_course_id) BETWEEN 1 AND 255),
    ADD COLUMN course_code      text CHECK (course_code IS NULL OR length(course_code) BETWEEN 1 AND 100),
    ADD COLUMN course_title     text CHECK (course_title IS NULL OR length(course_title) BETWEEN 1 AND 200);
CREATE INDEX courses_roster_course ON courses (tenant_id, roster_course_id) WHERE roster_course_id IS NOT NULL;

-- +goose Down
DROP INDEX courses_roster_course;
ALTER TABLE courses DROP COLUMN roster_course_id, DROP COLUMN course_code, DROP COLUMN course_title;
-- Under FORCE ROW LEVEL SECURITY the owner sees no rows without a tenant
-- set, so the rows the old constraint forbids are removed with it lifted.
ALTER TABLE roster_imports NO FORCE ROW LEVEL SECURITY;
DELETE FROM roster_imports WHERE status IN ('queued', 'running');
ALTER TABLE roster_imports FORCE ROW LEVEL SECURITY;
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_held_files,
    DROP CONSTRAINT roster_imports_held_files_size,
    DROP COLUMN step, DROP COLUMN rows_done, DROP COLUMN rows_total, DROP COLUMN updated_at,
    DROP COLUMN confirmed, DROP COLUMN schools;
ALTER TABLE roster_imports
    ADD CONSTRAINT roster_imports_held_files_check CHECK (held_files IS NULL OR length(held_files) <= 20971520),
    ADD CONSTRAINT roster_imports_held_files CHECK ((status = 'held') = (held_files IS NOT NULL));
ALTER TABLE roster_imports DROP CONSTRAINT roster_imports_status_check;
ALTER TABLE roster_imports ADD CONSTRAINT roster_imports_status_check
    CHECK (status IN ('applied', 'rejected', 'dry_run', 'held', 'discarded'));
