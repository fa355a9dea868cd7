-- A running export says it is alive: the run that holds it writes
-- heartbeat_at every 15 seconds, and one silent for 45 seconds lost its
-- worker (killed, its node gone) and is taken over within about a minute,
-- not when River rescues its job hours later. run_id names the run that
-- holds the export, so a run that was taken over (paused, cut off from the
-- database) stops instead of finishing over its successor.

-- +goose Up
ALTER TABLE subject_exports ADD COLUMN heartbeat_at timestamptz, ADD COLUMN run_id uuid;
ALTER TABLE tenant_exports ADD COLUMN heartbeat_at timestamptz, ADD COLUMN run_id uuid;

-- +goose Down
ALTER TABLE tenant_exports DROP COLUMN run_id, DROP COLUMN heartbeat_at;
ALTER TABLE subject_exports DROP COLUMN run_id, DROP COLUMN heartbeat_at;
