-- OpenID Connect Back-Channel Logout: where a client is told that a sign-in ended, and
-- which clients received tokens in each sign-in. Keep
-- migrations/sqlite/0010_backchannel_logout.sql in step with this file.
ALTER TABLE clients ADD COLUMN backchannel_logout_uri TEXT;
ALTER TABLE clients ADD COLUMN backchannel_logout_session_required BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per sign-in (user_sessions) and client that received an ID token in it: the
-- clients a logout of that sign-in notifies.
CREATE TABLE session_clients (
    session_id         TEXT NOT NULL REFERENCES user_sessions(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (session_id, client_id)
);
