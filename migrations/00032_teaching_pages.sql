-- Teaching in the browser: a school decides whether its teachers may make
-- courses (default yes, as in most schools), and a teacher can schedule an
-- item to appear to learners from a date (hidden until then, even when
-- published).

-- +goose Up
ALTER TABLE schools ADD COLUMN teachers_create_courses boolean NOT NULL DEFAULT true;
ALTER TABLE course_items ADD COLUMN visible_from timestamptz;

-- +goose Down
ALTER TABLE course_items DROP COLUMN visible_from;
ALTER TABLE schools DROP COLUMN teachers_create_courses;
