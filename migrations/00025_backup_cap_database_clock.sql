-- Invariant 5 against the database's own clock. The seven-year CHECK
-- measured from created_at, which the application role could write: a row
-- "made" ten years ahead could expire in seventeen. Now created_at is the
-- database's clock when the row is inserted and can never change, whatever
-- a client sends, so the CHECK caps expiry at seven years from the moment
-- the database recorded the backup, on insert and on update. The trigger
-- belongs to the schema owner; the application role can neither drop nor
-- disable it.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION backups_created_by_database() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
    ELSE
        NEW.created_at := OLD.created_at;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER backups_created_by_database
    BEFORE INSERT OR UPDATE ON backups
    FOR EACH ROW EXECUTE FUNCTION backups_created_by_database();

-- Rows written before this migration: none may already break the cap
-- measured from a created_at in the future.
UPDATE backups SET expires_at = LEAST(expires_at, now() + interval '7 years')
    WHERE created_at > now();

-- +goose Down
DROP TRIGGER backups_created_by_database ON backups;
DROP FUNCTION backups_created_by_database();
