-- A pseudonymised copy made under a data use agreement is removed, with
-- every object version, when the school withdraws the agreement or it
-- reaches its end date; its record stays, marked removed, so operators and
-- the school's log show what happened to it.

-- +goose Up
ALTER TABLE data_extracts ADD COLUMN removed_at timestamptz;
ALTER TABLE data_extracts DROP CONSTRAINT data_extracts_status_check;
ALTER TABLE data_extracts ADD CONSTRAINT data_extracts_status_check
    CHECK (status IN ('queued', 'running', 'done', 'failed', 'removed'));
ALTER TABLE data_extracts ADD CONSTRAINT data_extracts_removed_check
    CHECK ((status = 'removed') = (removed_at IS NOT NULL));
CREATE INDEX data_extracts_kept ON data_extracts (tenant_id, agreement_id)
    WHERE status IN ('done', 'failed');

-- +goose Down
DROP INDEX data_extracts_kept;
ALTER TABLE data_extracts DROP CONSTRAINT data_extracts_removed_check;
UPDATE data_extracts SET status = 'failed', error = 'removed' WHERE status = 'removed';
ALTER TABLE data_extracts DROP CONSTRAINT data_extracts_status_check;
ALTER TABLE data_extracts ADD CONSTRAINT data_extracts_status_check
    CHECK (status IN ('queued', 'running', 'done', 'failed'));
ALTER TABLE data_extracts DROP COLUMN removed_at;
