-- The people who may use the admin console in the browser. A person becomes an admin
-- through `sesame admins add`, the admin API or another admin; the row goes with the
-- person. Keep migrations/sqlite/0011_console_admins.sql in step with this file.
CREATE TABLE console_admins (
    user_id            TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    added_at           BIGINT NOT NULL,
    added_by           TEXT NOT NULL              -- JSON: the actor that added the admin
);
