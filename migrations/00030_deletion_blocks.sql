-- What keeps a contract-end deletion from starting once the school's return
-- window has closed: a legal hold the school placed, a legal order in force
-- or whose notice is deferred. The contract watch writes it, hourly, instead
-- of starting the deletion; operators see it on the tenant's page and can
-- alert on it from monitoring (it names no person); the school's admins are
-- told once for each new set of reasons they may know of. The row goes when
-- the deletion starts (and with the tenant's data, like any row of it).

-- +goose Up
CREATE TABLE deletion_blocks (
    tenant_id  uuid PRIMARY KEY REFERENCES tenants (id),
    -- The day the deletion would otherwise have started: the return window's last day.
    due_on     date NOT NULL,
    -- Comma-separated, sorted: legal-hold, legal-order.
    reasons    text NOT NULL CHECK (reasons ~ '^[a-z-]+(,[a-z-]+)*$'),
    -- The reasons the school's admins were last told of (a legal order
    -- whose notice is deferred is not among them): they are alerted only
    -- when these change, so no alert gives a deferred order away.
    told       text NOT NULL DEFAULT '' CHECK (told ~ '^([a-z-]+(,[a-z-]+)*)?$'),
    since      timestamptz NOT NULL DEFAULT now(),
    checked_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE deletion_blocks;
