-- An identifier a signed-in person is adding to their account (an email address to a
-- phone account, or a phone number to an email account), until they type the code sent
-- to it. One at a time per person.
CREATE TABLE identifier_changes (
    user_id            TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    channel            TEXT NOT NULL,             -- 'email' | 'sms'
    identifier         TEXT NOT NULL,             -- normalised email or E.164 number
    code_hash          BYTEA,                     -- HMAC(pepper, user id, identifier, code); NULL = burnt
    code_expires_at    BIGINT  NOT NULL,
    code_sent_at       BIGINT  NOT NULL,
    attempts           BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX identifier_changes_expires ON identifier_changes(code_expires_at);
