-- What a school shows its learners' parents and carers on My children.
--
-- Each item is the school's choice: work due, work missing (past its due
-- date and not handed in), and marks with feedback once released. By
-- default parents see due and missing work, not marks.

-- +goose Up
ALTER TABLE schools
    ADD COLUMN guardians_see_due boolean NOT NULL DEFAULT true,
    ADD COLUMN guardians_see_missing boolean NOT NULL DEFAULT true,
    ADD COLUMN guardians_see_marks boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE schools
    DROP COLUMN guardians_see_due,
    DROP COLUMN guardians_see_missing,
    DROP COLUMN guardians_see_marks;
