-- Throttled attempts gain the `signup` scope (sign-ups per IP, counted before the hash).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.
CREATE TABLE login_failures_new (
    id           BLOB NOT NULL PRIMARY KEY,
    scope        TEXT NOT NULL CHECK (scope IN ('account', 'ip', 'signup')),
    subject      TEXT NOT NULL,
    attempted_at TEXT NOT NULL
);
INSERT INTO login_failures_new (id, scope, subject, attempted_at)
    SELECT id, scope, subject, attempted_at FROM login_failures;
DROP TABLE login_failures;
ALTER TABLE login_failures_new RENAME TO login_failures;
CREATE INDEX login_failures_lookup_idx ON login_failures (scope, subject, attempted_at);
CREATE INDEX login_failures_attempted_at_idx ON login_failures (attempted_at);
