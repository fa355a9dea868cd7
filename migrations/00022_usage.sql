-- Usage analytics for the school: requests per day and route, counted in
-- aggregate (no person, no device, no address: no individual profiles),
-- and not at all for people whose browser sends Do Not Track or Global
-- Privacy Control.

-- +goose Up
CREATE TABLE usage_daily (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    area      text NOT NULL CHECK (length(area) BETWEEN 1 AND 200),
    requests  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, area)
);
ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_daily USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE usage_daily;
