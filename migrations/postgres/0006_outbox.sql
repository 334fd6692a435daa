-- The delivery outbox: every code message is written here in the same transaction as the
-- code itself, and a worker on every replica delivers it (claiming rows with a lease, so a
-- replica that dies mid-delivery has its claims taken over when the lease ends).
-- Keep migrations/sqlite/0006_outbox.sql in step with this file.
CREATE TABLE outbox (
    id                 BIGSERIAL PRIMARY KEY,
    channel            TEXT NOT NULL,             -- 'email' | 'sms'
    recipient          TEXT NOT NULL,             -- normalised address or phone number
    login_tx           TEXT,                      -- the sign-in the message belongs to
    payload            BYTEA,                     -- AES-256-GCM(JSON message); NULL once finished
    status             TEXT NOT NULL,             -- 'pending' | 'delivered' | 'failed'
    attempts           BIGINT NOT NULL DEFAULT 0, -- counted when claimed
    next_attempt_at    BIGINT NOT NULL,
    give_up_at         BIGINT NOT NULL,           -- failed for good when not delivered by then
    claimed_by         TEXT,                      -- replica id; kept on delivered rows
    claimed_until      BIGINT,                    -- lease end
    last_error         TEXT,                      -- for operators; never shown to people
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    delivered_at       BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_login_tx ON outbox(login_tx);
