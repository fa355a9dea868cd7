-- Roster imports: one row per OneRoster CSV upload, whether it was applied,
-- rejected or only checked (dry run). The people, courses and enrolments an
-- import makes live in their own tables, keyed by external_id; this log keeps
-- what the school's admin needs to fix a rejected file: counts and, per
-- problem, file, line, column and message. It never holds row values.

-- +goose Up
CREATE TABLE roster_imports (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    -- Who uploaded; NULL for a platform seed, or once that person is erased.
    started_by    uuid,
    status        text NOT NULL CHECK (status IN ('applied', 'rejected', 'dry_run')),
    dry_run       boolean NOT NULL DEFAULT false,
    files         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(files) = 'array'),
    counts        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(counts) = 'object'),
    errors        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
    warnings      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(warnings) = 'array'),
    error_count   int NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    warning_count int NOT NULL DEFAULT 0 CHECK (warning_count >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, started_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (started_by),
    CHECK (status <> 'applied' OR (error_count = 0 AND NOT dry_run)),
    CHECK (status <> 'dry_run' OR (error_count = 0 AND dry_run))
);
CREATE INDEX roster_imports_status ON roster_imports (tenant_id, status, id);
CREATE INDEX roster_imports_started_by ON roster_imports (tenant_id, started_by);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['roster_imports'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE roster_imports;
