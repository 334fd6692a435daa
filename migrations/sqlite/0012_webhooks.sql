-- Event webhooks: URLs that admins subscribe to events (people and clients), and the
-- index the outbox's sweep of ended sign-ins reads. Keep
-- migrations/postgres/0012_webhooks.sql in step with this file.

-- A subscription. Its events are read from the audit trail after `cursor` (the id of
-- the last audit event it has considered), turned into outbox messages of the
-- `webhook` channel, and the cursor moved, in one transaction.
CREATE TABLE webhooks (
    id                 TEXT PRIMARY KEY,
    url                TEXT NOT NULL,
    events             TEXT NOT NULL,             -- space-separated event names
    secret             BLOB NOT NULL,            -- the signing secret, encrypted
    cursor             INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- Ended sign-ins, for the sweep that writes logout notifications a stopped replica left
-- unwritten.
CREATE INDEX user_sessions_ended ON user_sessions(ended_at);
