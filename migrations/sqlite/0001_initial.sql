-- Sesame schema, SQLite flavour. Times are Unix seconds (INTEGER). Secrets are stored only
-- as keyed hashes (BLOB). Keep migrations/postgres/0001_initial.sql in step with this file.

CREATE TABLE clients (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    secret_hash        BLOB,                      -- NULL for public clients
    redirect_uris      TEXT NOT NULL,             -- JSON array of exact URIs
    public             BOOLEAN NOT NULL,
    pkce_required      BOOLEAN NOT NULL,
    first_party        BOOLEAN NOT NULL DEFAULT TRUE,
    id_token_alg       TEXT NOT NULL DEFAULT 'RS256',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,          -- opaque, stable: the `sub` claim
    email              TEXT UNIQUE,               -- normalised (lower-case)
    email_verified     BOOLEAN NOT NULL DEFAULT FALSE,
    phone              TEXT UNIQUE,               -- E.164
    phone_verified     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    last_login_at      INTEGER,
    disabled_at        INTEGER
);

-- One sign-in in progress: the validated authorization request, then the one live code.
CREATE TABLE login_transactions (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    request            TEXT NOT NULL,             -- JSON: the validated authorization request
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    identifier         TEXT,                      -- normalised email or phone, once given
    channel            TEXT,                      -- 'email' | 'sms'
    code_hash          BLOB,                      -- HMAC(pepper, tx id, code); NULL = no live code
    code_expires_at    INTEGER,
    code_sent_at       INTEGER,
    attempts           INTEGER NOT NULL DEFAULT 0,
    completed_at       INTEGER
);
CREATE INDEX login_transactions_expires ON login_transactions(expires_at);

-- The tokens issued from one authorization code (and later one refresh family).
CREATE TABLE grants (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope              TEXT NOT NULL,
    auth_time          INTEGER NOT NULL,
    amr                TEXT NOT NULL,             -- JSON array
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    revoked_at         INTEGER
);
CREATE INDEX grants_user ON grants(user_id);

CREATE TABLE authorization_codes (
    code_hash          BLOB PRIMARY KEY,
    grant_id           TEXT NOT NULL,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri       TEXT NOT NULL,
    scope              TEXT NOT NULL,
    nonce              TEXT,
    code_challenge     TEXT,
    auth_time          INTEGER NOT NULL,
    amr                TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    used_at            INTEGER
);
CREATE INDEX authorization_codes_expires ON authorization_codes(expires_at);

CREATE TABLE refresh_tokens (
    token_hash         BLOB PRIMARY KEY,
    grant_id           TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope              TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    used_at            INTEGER,
    revoked_at         INTEGER
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);

CREATE TABLE signing_keys (
    kid                TEXT PRIMARY KEY,
    alg                TEXT NOT NULL,             -- RS256 | ES256
    private_key        BLOB NOT NULL,             -- PKCS#8 DER, AES-256-GCM encrypted
    public_jwk         TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    activates_at       INTEGER NOT NULL,          -- signs from then on
    retired_at         INTEGER,                   -- no longer signs
    unpublish_at       INTEGER                    -- leaves the JWKS then
);

CREATE TABLE audit_events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    at                 INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    user_id            TEXT,
    client_id          TEXT,
    ip                 TEXT,
    detail             TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at ON audit_events(at);

CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY,
    data               TEXT NOT NULL,
    expires_at         INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);
