-- Device authorizations (RFC 8628): one row per device_authorization request, from the
-- request until its device code is exchanged, denied or expired (then purged).
-- The device code and the user code are stored only as keyed hashes.
-- Keep migrations/sqlite/0008_device_authorizations.sql in step with this file.
CREATE TABLE device_authorizations (
    id                 TEXT PRIMARY KEY,          -- random; names the row in the browser session
    device_code_hash   BYTEA NOT NULL UNIQUE,
    user_code_hash     BYTEA NOT NULL UNIQUE,
    client_id          TEXT NOT NULL,
    scope              TEXT NOT NULL,
    status             TEXT NOT NULL,             -- 'pending' | 'approved' | 'denied' | 'redeemed'
    user_id            TEXT,                      -- who approved or denied
    auth_time          BIGINT,                   -- their sign-in, for the tokens
    amr                TEXT,                      -- JSON array
    poll_interval      BIGINT NOT NULL,          -- seconds; grows by 5 at each slow_down
    last_polled_at     BIGINT,
    too_fast           BOOLEAN NOT NULL DEFAULT FALSE, -- the last poll came before the interval
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    decided_at         BIGINT
);
CREATE INDEX device_authorizations_expires ON device_authorizations(expires_at);
