-- The people page lists a school's people by name (then id, so equal
-- names page stably), filtered by role, school, class and status: this
-- index serves its order and keyset paging in each tenant.
-- +goose Up
CREATE INDEX people_by_name ON people (tenant_id, lower(display_name), id);

-- +goose Down
DROP INDEX people_by_name;
