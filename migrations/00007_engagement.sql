-- Engagement: each school's thresholds under which a learner's summary is
-- flagged for their teachers. A flag informs a person; nothing is decided
-- automatically from it. The summaries themselves are read from
-- activity_events and item_progress (00004); no copy is kept.

-- +goose Up
CREATE TABLE engagement_settings (
    tenant_id                uuid NOT NULL,
    school_id                uuid NOT NULL,
    -- Flag a learner with no activity on a course for this many days (0: never).
    inactive_days            int NOT NULL DEFAULT 14 CHECK (inactive_days BETWEEN 0 AND 365),
    -- Flag a learner who has opened fewer than this share of a course's
    -- published items (0: never).
    min_items_opened_percent int NOT NULL DEFAULT 50 CHECK (min_items_opened_percent BETWEEN 0 AND 100),
    updated_by               uuid,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, school_id),
    FOREIGN KEY (tenant_id, school_id) REFERENCES schools (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, updated_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (updated_by)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['engagement_settings'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE engagement_settings;
