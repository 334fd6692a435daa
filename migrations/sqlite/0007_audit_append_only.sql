-- The audit trail is append-only: the database itself refuses to change or delete an
-- event. Keep migrations/postgres/0007_audit_append_only.sql in step with this file.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE INDEX audit_events_kind_at ON audit_events(kind, at);
