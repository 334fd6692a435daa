-- Administration: client metadata and policy, admin API tokens, browser sign-in sessions,
-- review accounts. Keep migrations/postgres/0005_admin.sql in step with this file.

-- Client metadata shown on the hosted pages (RFC 7591 names) and per-client policy.
ALTER TABLE clients ADD COLUMN logo_uri TEXT;
ALTER TABLE clients ADD COLUMN client_uri TEXT;
ALTER TABLE clients ADD COLUMN policy_uri TEXT;
ALTER TABLE clients ADD COLUMN tos_uri TEXT;
ALTER TABLE clients ADD COLUMN brand_color TEXT;               -- '#rrggbb'
ALTER TABLE clients ADD COLUMN allowed_scopes TEXT;            -- JSON array; NULL = every supported scope
ALTER TABLE clients ADD COLUMN access_token_ttl_seconds INTEGER;   -- NULL = server default
ALTER TABLE clients ADD COLUMN id_token_ttl_seconds INTEGER;
ALTER TABLE clients ADD COLUMN refresh_token_ttl_seconds INTEGER;

-- Bearer tokens of the admin HTTP API. Only a keyed hash of the token is kept.
CREATE TABLE admin_tokens (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    token_hash         BLOB NOT NULL UNIQUE,
    created_at         INTEGER NOT NULL,
    last_used_at       INTEGER,
    revoked_at         INTEGER
);

-- One row per browser sign-in (single sign-on session), so admins can list and end them.
-- The browser's session record carries the same id under the key `sso_sid`.
CREATE TABLE user_sessions (
    id                 TEXT PRIMARY KEY,          -- random hex, not the cookie value
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    amr                TEXT NOT NULL,             -- JSON array
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    ended_at           INTEGER,
    end_reason         TEXT                       -- 'revoked' | 'replaced' | 'user_disabled'
);
CREATE INDEX user_sessions_user ON user_sessions(user_id, created_at);

-- Accounts that app-store reviewers sign in to with a fixed code (no message is sent).
CREATE TABLE review_accounts (
    identifier         TEXT PRIMARY KEY,          -- normalised email or E.164 phone
    channel            TEXT NOT NULL,             -- 'email' | 'sms'
    code_hash          BLOB NOT NULL,             -- HMAC(pepper, identifier, code)
    expires_at         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    last_used_at       INTEGER,
    uses               INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX audit_events_user ON audit_events(user_id, id);
CREATE INDEX audit_events_client ON audit_events(client_id, id);
CREATE INDEX audit_events_kind ON audit_events(kind, id);
