-- The delivery outbox: every code message is written here in the same transaction as the
-- code itself, and a worker on every replica delivers it (claiming rows with a lease, so a
-- replica that dies mid-delivery has its claims taken over when the lease ends).
-- Keep migrations/postgres/0006_outbox.sql in step with this file.
CREATE TABLE outbox (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    channel            TEXT NOT NULL,             -- 'email' | 'sms'
    recipient          TEXT NOT NULL,             -- normalised address or phone number
    login_tx           TEXT,                      -- the sign-in the message belongs to
    payload            BLOB,                      -- AES-256-GCM(JSON message); NULL once finished
    status             TEXT NOT NULL,             -- 'pending' | 'delivered' | 'failed'
    attempts           INTEGER NOT NULL DEFAULT 0, -- counted when claimed
    next_attempt_at    INTEGER NOT NULL,
    give_up_at         INTEGER NOT NULL,           -- failed for good when not delivered by then
    claimed_by         TEXT,                      -- replica id; kept on delivered rows
    claimed_until      INTEGER,                    -- lease end
    last_error         TEXT,                      -- for operators; never shown to people
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    delivered_at       INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_login_tx ON outbox(login_tx);
