-- Sesame schema, PostgreSQL flavour. Times are Unix seconds (INTEGER). Secrets are stored only
-- as keyed hashes (BYTEA). Keep migrations/sqlite/0001_initial.sql in step with this file.

CREATE TABLE clients (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    secret_hash        BYTEA,                      -- NULL for public clients
    redirect_uris      TEXT NOT NULL,             -- JSON array of exact URIs
    public             BOOLEAN NOT NULL,
    pkce_required      BOOLEAN NOT NULL,
    first_party        BOOLEAN NOT NULL DEFAULT TRUE,
    id_token_alg       TEXT NOT NULL DEFAULT 'RS256',
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,          -- opaque, stable: the `sub` claim
    email              TEXT UNIQUE,               -- normalised (lower-case)
    email_verified     BOOLEAN NOT NULL DEFAULT FALSE,
    phone              TEXT UNIQUE,               -- E.164
    phone_verified     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    last_login_at      BIGINT,
    disabled_at        BIGINT
);

-- One sign-in in progress: the validated authorization request, then the one live code.
CREATE TABLE login_transactions (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    request            TEXT NOT NULL,             -- JSON: the validated authorization request
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    identifier         TEXT,                      -- normalised email or phone, once given
    channel            TEXT,                      -- 'email' | 'sms'
    code_hash          BYTEA,                      -- HMAC(pepper, tx id, code); NULL = no live code
    code_expires_at    BIGINT,
    code_sent_at       BIGINT,
    attempts           BIGINT NOT NULL DEFAULT 0,
    completed_at       BIGINT
);
CREATE INDEX login_transactions_expires ON login_transactions(expires_at);

-- The tokens issued from one authorization code (and later one refresh family).
CREATE TABLE grants (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope              TEXT NOT NULL,
    auth_time          BIGINT NOT NULL,
    amr                TEXT NOT NULL,             -- JSON array
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    revoked_at         BIGINT
);
CREATE INDEX grants_user ON grants(user_id);

CREATE TABLE authorization_codes (
    code_hash          BYTEA PRIMARY KEY,
    grant_id           TEXT NOT NULL,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri       TEXT NOT NULL,
    scope              TEXT NOT NULL,
    nonce              TEXT,
    code_challenge     TEXT,
    auth_time          BIGINT NOT NULL,
    amr                TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used_at            BIGINT
);
CREATE INDEX authorization_codes_expires ON authorization_codes(expires_at);

CREATE TABLE refresh_tokens (
    token_hash         BYTEA PRIMARY KEY,
    grant_id           TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope              TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    used_at            BIGINT,
    revoked_at         BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);

CREATE TABLE signing_keys (
    kid                TEXT PRIMARY KEY,
    alg                TEXT NOT NULL,             -- RS256 | ES256
    private_key        BYTEA NOT NULL,             -- PKCS#8 DER, AES-256-GCM encrypted
    public_jwk         TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    activates_at       BIGINT NOT NULL,          -- signs from then on
    retired_at         BIGINT,                   -- no longer signs
    unpublish_at       BIGINT                    -- leaves the JWKS then
);

CREATE TABLE audit_events (
    id                 BIGSERIAL PRIMARY KEY,
    at                 BIGINT NOT NULL,
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
    expires_at         BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);
