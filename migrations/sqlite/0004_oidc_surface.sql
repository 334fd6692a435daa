-- The full OpenID Connect / OAuth surface: profile claims, consent, refresh-token families,
-- revoked access tokens, logout URIs and per-client token settings.
-- Keep migrations/postgres/0004_oidc_surface.sql in step with this file.

-- Profile claims (OIDC Core 5.1) a person can set; all empty by default.
ALTER TABLE users ADD COLUMN name TEXT;
ALTER TABLE users ADD COLUMN given_name TEXT;
ALTER TABLE users ADD COLUMN family_name TEXT;
ALTER TABLE users ADD COLUMN middle_name TEXT;
ALTER TABLE users ADD COLUMN nickname TEXT;
ALTER TABLE users ADD COLUMN preferred_username TEXT;
ALTER TABLE users ADD COLUMN profile TEXT;
ALTER TABLE users ADD COLUMN picture TEXT;
ALTER TABLE users ADD COLUMN website TEXT;
ALTER TABLE users ADD COLUMN gender TEXT;
ALTER TABLE users ADD COLUMN birthdate TEXT;
ALTER TABLE users ADD COLUMN zoneinfo TEXT;
ALTER TABLE users ADD COLUMN locale TEXT;
ALTER TABLE users ADD COLUMN address TEXT;           -- JSON object (OIDC Core 5.1.1)

-- Per-client protocol settings.
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';  -- JSON array
ALTER TABLE clients ADD COLUMN grant_types TEXT NOT NULL DEFAULT '["authorization_code","refresh_token"]';
ALTER TABLE clients ADD COLUMN always_issue_refresh_token BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clients ADD COLUMN scope TEXT NOT NULL DEFAULT '';     -- extra (API) scopes it may ask for
ALTER TABLE clients ADD COLUMN dynamic BOOLEAN NOT NULL DEFAULT FALSE;  -- registered through RFC 7591

-- What a grant (token family) was issued for, and from which browser session.
ALTER TABLE grants ADD COLUMN claims TEXT;            -- JSON: the `claims` request parameter
ALTER TABLE grants ADD COLUMN sid TEXT;               -- the single sign-on session it came from
CREATE INDEX grants_sid ON grants(sid);
CREATE INDEX grants_user_client ON grants(user_id, client_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens(expires_at);

-- Consent a person gave a third-party client: the union of the scopes granted.
CREATE TABLE consents (
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope              TEXT NOT NULL,             -- space-separated
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- Access tokens revoked one by one (RFC 7009), until they would have expired anyway.
CREATE TABLE revoked_access_tokens (
    jti                TEXT PRIMARY KEY,
    expires_at         INTEGER NOT NULL
);
CREATE INDEX revoked_access_tokens_expires ON revoked_access_tokens(expires_at);
