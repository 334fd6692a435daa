-- Fixed-window counters for rate limits, shared by every replica.
-- Keep migrations/sqlite/0002_rate_limits.sql in step with this file.
CREATE TABLE rate_counters (
    key                TEXT NOT NULL,             -- e.g. 'send:email:alice@example.com'
    window_start       BIGINT NOT NULL,          -- Unix seconds, a multiple of the window
    count              BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_expires ON rate_counters(expires_at);
