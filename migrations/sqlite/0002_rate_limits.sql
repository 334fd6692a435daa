-- Fixed-window counters for rate limits, shared by every replica.
-- Keep migrations/postgres/0002_rate_limits.sql in step with this file.
CREATE TABLE rate_counters (
    key                TEXT NOT NULL,             -- e.g. 'send:email:alice@example.com'
    window_start       INTEGER NOT NULL,          -- Unix seconds, a multiple of the window
    count              INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_expires ON rate_counters(expires_at);
