-- Groups of people (the `groups` claim), admin-defined person attributes, and the
-- per-client mapping of attributes to claims. Keep migrations/postgres/0009_groups_and_claims.sql
-- in step with this file.

-- A group: a name in [a-z0-9][a-z0-9._-]{0,63}, released in the `groups` claim.
CREATE TABLE user_groups (
    name               TEXT PRIMARY KEY,
    description        TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- Who is in which group. Deleting a person or a group removes their memberships.
CREATE TABLE group_members (
    group_name         TEXT NOT NULL REFERENCES user_groups(name) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_at           INTEGER NOT NULL,
    PRIMARY KEY (group_name, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

-- Admin-defined attributes of a person (name -> string value), released only through a
-- client's claim mapping.
CREATE TABLE user_attributes (
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    attribute          TEXT NOT NULL,
    value              TEXT NOT NULL,
    updated_at         INTEGER NOT NULL,
    PRIMARY KEY (user_id, attribute)
);

-- Per client: the claim named `claim` carries the person's attribute `attribute`.
CREATE TABLE client_claims (
    client_id          TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    claim              TEXT NOT NULL,
    attribute          TEXT NOT NULL,
    PRIMARY KEY (client_id, claim)
);
