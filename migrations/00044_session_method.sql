-- How a session was signed in to, shown on "Where you are signed in":
-- 'password', 'password+code' (the password and then a code from the
-- authenticator or a recovery code), 'link' (a set-password link),
-- 'passkey'. API tokens keep the default; their kind says what they are.

-- +goose Up
ALTER TABLE member_credentials ADD COLUMN method text NOT NULL DEFAULT 'password'
    CHECK (method IN ('password', 'password+code', 'link', 'passkey'));
ALTER TABLE staff_credentials ADD COLUMN method text NOT NULL DEFAULT 'password'
    CHECK (method IN ('password', 'password+code', 'link', 'passkey'));

-- +goose Down
ALTER TABLE staff_credentials DROP COLUMN method;
ALTER TABLE member_credentials DROP COLUMN method;
