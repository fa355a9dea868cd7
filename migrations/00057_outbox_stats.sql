-- Operators alert on the outboxes' depth and failures (issue 25, part 5):
-- lms_outbox_* on /metrics. The outboxes are tenant tables whose row-level
-- security binds their owner too, so one function visits each tenant under
-- that tenant's setting and returns four numbers an outbox, never a row.
-- The partial indexes keep every count an index probe per tenant.

-- +goose Up
CREATE INDEX alerts_webhook_failed ON alerts (tenant_id) WHERE webhook_status = 'failed';
CREATE INDEX email_outbox_failed ON email_outbox (tenant_id) WHERE status = 'failed';

-- +goose StatementBegin
-- pending: waiting to be sent (retries included); retrying: pending after
-- a failed try; failed: given up on (alerts after 8 tries; emails marked
-- failed or queued with 5 tries spent, which delivery no longer picks);
-- oldest_pending: when the oldest pending one was written.
CREATE FUNCTION outbox_stats()
    RETURNS TABLE (outbox text, pending bigint, retrying bigint, failed bigint, oldest_pending timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    prev text := current_setting('app.tenant_id', true);
    t uuid;
    p bigint; r bigint; f bigint; o timestamptz;
    ap bigint := 0; ar bigint := 0; af bigint := 0; ao timestamptz;
    ep bigint := 0; er bigint := 0; ef bigint := 0; eo timestamptz;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        SELECT count(*), count(*) FILTER (WHERE a.webhook_attempts > 0), min(a.created_at) INTO p, r, o
            FROM alerts a WHERE a.webhook_status = 'pending';
        SELECT count(*) INTO f FROM alerts a WHERE a.webhook_status = 'failed';
        ap := ap + p; ar := ar + r; af := af + f; ao := LEAST(ao, o);
        SELECT count(*) FILTER (WHERE e.attempts < 5), count(*) FILTER (WHERE e.attempts BETWEEN 1 AND 4),
               count(*) FILTER (WHERE e.attempts >= 5), min(c.created_at) FILTER (WHERE e.attempts < 5) INTO p, r, f, o
            FROM email_outbox e LEFT JOIN communications c ON c.tenant_id = e.tenant_id AND c.id = e.communication_id
            WHERE e.status = 'queued';
        ep := ep + p; er := er + r; ef := ef + f; eo := LEAST(eo, o);
        SELECT count(*) INTO f FROM email_outbox e WHERE e.status = 'failed';
        ef := ef + f;
    END LOOP;
    PERFORM set_config('app.tenant_id', COALESCE(prev, ''), true);
    RETURN QUERY VALUES ('alert_webhook'::text, ap, ar, af, ao), ('email'::text, ep, er, ef, eo);
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION outbox_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outbox_stats() TO lms_app;

-- +goose Down
DROP FUNCTION outbox_stats();
DROP INDEX email_outbox_failed;
DROP INDEX alerts_webhook_failed;
