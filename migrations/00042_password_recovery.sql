-- Passwords people can recover. password_links gains two purposes:
-- 'forgot' (a link a person asks for by email on the sign-in page, valid
-- for an hour) and 'code' (a one-time set-password code printed on a
-- pupil's sign-in card or shown once to an admin or teacher, valid for 14
-- days). A code is typed, not followed, so its row keeps a MAC of it under
-- the server's key (code_hash): the database still holds no usable secret.
-- schools.teachers_reset_passwords lets a school's teachers make codes for
-- the learners on their own courses (off until an admin turns it on).

-- +goose Up
ALTER TABLE password_links DROP CONSTRAINT password_links_purpose_check;
ALTER TABLE password_links ADD CONSTRAINT password_links_purpose_check CHECK (purpose IN ('invite', 'reset', 'forgot', 'code'));
ALTER TABLE password_links ADD COLUMN code_hash bytea CHECK (code_hash IS NULL OR length(code_hash) = 32);
ALTER TABLE password_links ADD CONSTRAINT password_links_code CHECK ((purpose = 'code') = (code_hash IS NOT NULL));
ALTER TABLE schools ADD COLUMN teachers_reset_passwords boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE schools DROP COLUMN teachers_reset_passwords;
DELETE FROM password_links WHERE purpose IN ('forgot', 'code');
ALTER TABLE password_links DROP CONSTRAINT password_links_code;
ALTER TABLE password_links DROP COLUMN code_hash;
ALTER TABLE password_links DROP CONSTRAINT password_links_purpose_check;
ALTER TABLE password_links ADD CONSTRAINT password_links_purpose_check CHECK (purpose IN ('invite', 'reset'));
