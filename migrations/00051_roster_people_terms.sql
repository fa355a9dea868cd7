-- Rosters from real MIS exports: names as given, pupil numbers, guardians
-- and terms.
--
-- people gains the legal name as the school's information system gives it
-- (given, middle and family name), the preferred first name the person
-- goes by (display_name is built from it) and the pupil number
-- (users.csv identifier, a UPN in England: personal data, declared as
-- such). A person made by hand has none of them.
--
-- schools.roster_guardians: whether a roster import makes accounts for the
-- school's pupils' parents and carers (users with role guardian, parent or
-- relative, linked through agentSourcedIds). Off by default: a school
-- turns guardian accounts on.
--
-- guardianships.from_roster marks the links a roster import made, so a
-- later file that no longer lists one removes it; a link an admin made by
-- hand is never removed by a file.
--
-- terms are the OneRoster academic sessions (terms, semesters, school
-- years, grading periods), tenant-wide; courses.term_id is the term a
-- class runs in (the one of its termSourcedIds that ends last), so a
-- course ends with its term and can be rolled over after it.

-- +goose Up
ALTER TABLE people
    ADD COLUMN given_name     text CHECK (given_name IS NULL OR length(given_name) BETWEEN 1 AND 100),
    ADD COLUMN middle_name    text CHECK (middle_name IS NULL OR length(middle_name) BETWEEN 1 AND 100),
    ADD COLUMN family_name    text CHECK (family_name IS NULL OR length(family_name) BETWEEN 1 AND 100),
    ADD COLUMN preferred_name text CHECK (preferred_name IS NULL OR length(preferred_name) BETWEEN 1 AND 100),
    ADD COLUMN pupil_number   text CHECK (pupil_number IS NULL OR length(pupil_number) BETWEEN 1 AND 255);

ALTER TABLE schools ADD COLUMN roster_guardians boolean NOT NULL DEFAULT false;

ALTER TABLE guardianships ADD COLUMN from_roster boolean NOT NULL DEFAULT false;

CREATE TABLE terms (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 255),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('term', 'semester', 'schoolYear', 'gradingPeriod')),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    parent_id   uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_on >= starts_on),
    CHECK (parent_id IS NULL OR parent_id <> id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES terms (tenant_id, id) ON DELETE SET NULL (parent_id)
);
CREATE UNIQUE INDEX terms_external_id ON terms (tenant_id, external_id);
ALTER TABLE terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON terms USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

ALTER TABLE courses ADD COLUMN term_id uuid,
    ADD CONSTRAINT courses_term FOREIGN KEY (tenant_id, term_id) REFERENCES terms (tenant_id, id) ON DELETE SET NULL (term_id);
CREATE INDEX courses_term ON courses (tenant_id, term_id) WHERE term_id IS NOT NULL;

-- +goose Down
DROP INDEX courses_term;
ALTER TABLE courses DROP CONSTRAINT courses_term, DROP COLUMN term_id;
DROP TABLE terms;
ALTER TABLE guardianships DROP COLUMN from_roster;
ALTER TABLE schools DROP COLUMN roster_guardians;
ALTER TABLE people DROP COLUMN given_name, DROP COLUMN middle_name, DROP COLUMN family_name,
    DROP COLUMN preferred_name, DROP COLUMN pupil_number;
