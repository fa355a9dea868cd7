-- +goose Up
-- Sign-in finds a person by username in any case. The old unique index on
-- (tenant_id, lower(username)) cannot serve that lookup under row-level
-- security: lower() is not leakproof, so PostgreSQL keeps the comparison
-- above the policy and reads every person of the school for each sign-in
-- (issue 28). A stored generated column holds lower(username); comparing
-- it with lower($1) is leakproof (texteq), so the unique index on it is an
-- index condition under the policy.
ALTER TABLE people ADD COLUMN username_key text GENERATED ALWAYS AS (lower(username)) STORED;
DROP INDEX people_username_key;
CREATE UNIQUE INDEX people_username_key ON people (tenant_id, username_key);

-- +goose Down
DROP INDEX people_username_key;
ALTER TABLE people DROP COLUMN username_key;
CREATE UNIQUE INDEX people_username_key ON people (tenant_id, lower(username));
