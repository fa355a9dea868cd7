-- Peer assessment: on a group assignment, learners rate each member of
-- their teaching group against the teacher's criteria. Teachers see every
-- rating and a suggested weighting and decide the marks; a learner sees
-- only the averages of what they received, never who gave what.

-- +goose Up
CREATE TABLE peer_assessments (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    assignment_id uuid NOT NULL,
    criteria      jsonb NOT NULL,
    closes_at     timestamptz NOT NULL,
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, assignment_id),
    FOREIGN KEY (tenant_id, assignment_id) REFERENCES assignments (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES people (tenant_id, id) ON DELETE SET NULL (created_by)
);

-- rater_id is cleared when the rater is erased: the rating stays for the
-- ratee's teacher, unattributed.
CREATE TABLE peer_ratings (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    assessment_id uuid NOT NULL,
    rater_id      uuid,
    ratee_id      uuid NOT NULL,
    criterion     text NOT NULL CHECK (criterion ~ '^c[0-9]{1,2}$'),
    score         int NOT NULL CHECK (score BETWEEN 1 AND 5),
    rated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, assessment_id, rater_id, ratee_id, criterion),
    FOREIGN KEY (tenant_id, assessment_id) REFERENCES peer_assessments (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, rater_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (rater_id),
    FOREIGN KEY (tenant_id, ratee_id) REFERENCES people (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX peer_ratings_ratee ON peer_ratings (tenant_id, assessment_id, ratee_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['peer_assessments', 'peer_ratings'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE peer_ratings, peer_assessments;
