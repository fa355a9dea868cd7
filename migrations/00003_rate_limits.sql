-- Fixed-window rate limits shared by every API replica. Keys are hashes
-- (e.g. of a client address), never the raw value.

-- +goose Up
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        int NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
