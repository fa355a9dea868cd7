-- Local time: each tenant has a time zone (an IANA name, default
-- Europe/London) and a school of a trust may have its own. Pages show and
-- read times in the viewer's zone; the database keeps instants (timestamptz),
-- so a deadline entered as 23:59 on the day the clocks change is the
-- instant 23:59 local that day. The names are checked by the application
-- (time.LoadLocation) and by PostgreSQL here, so a bad name never lands.

-- +goose Up
CREATE FUNCTION is_time_zone(name text) RETURNS boolean
    LANGUAGE sql STABLE AS $$ SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE pg_timezone_names.name = $1) $$;

ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/London'
    CHECK (is_time_zone(time_zone));
ALTER TABLE schools ADD COLUMN time_zone text
    CHECK (time_zone IS NULL OR is_time_zone(time_zone));

-- +goose Down
ALTER TABLE schools DROP COLUMN time_zone;
ALTER TABLE tenants DROP COLUMN time_zone;
DROP FUNCTION is_time_zone(text);
