-- Anonymous surveys: who took part is kept as a keyed hash of the survey
-- and the person (the key is the server's, not in the database), so no
-- table, not even the rows' system columns read with the answers, ties an
-- answer to a person for anyone with the database alone.

-- +goose Up
TRUNCATE survey_participants; -- not DELETE: under FORCE ROW LEVEL SECURITY the owner sees no rows without a tenant set
ALTER TABLE survey_participants DROP CONSTRAINT survey_participants_pkey;
ALTER TABLE survey_participants DROP COLUMN person_id;
ALTER TABLE survey_participants ADD COLUMN participant_hash text NOT NULL CHECK (participant_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE survey_participants ADD PRIMARY KEY (tenant_id, survey_id, participant_hash);

-- +goose Down
TRUNCATE survey_participants; -- not DELETE: under FORCE ROW LEVEL SECURITY the owner sees no rows without a tenant set
ALTER TABLE survey_participants DROP CONSTRAINT survey_participants_pkey;
ALTER TABLE survey_participants DROP COLUMN participant_hash;
ALTER TABLE survey_participants ADD COLUMN person_id uuid NOT NULL;
ALTER TABLE survey_participants ADD PRIMARY KEY (tenant_id, survey_id, person_id);
ALTER TABLE survey_participants ADD FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE;
