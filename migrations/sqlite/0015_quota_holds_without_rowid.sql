-- Quota holds are written and deleted on every send (one in the reservation's transaction,
-- gone in the settlement's), so each of their b-trees is a page more in nearly every
-- commit of the SQLite writer. As an ordinary table a hold was a row keyed by a hidden rowid
-- plus an automatic index on its `id`: two b-trees for one key. WITHOUT ROWID stores the row
-- in the primary key's own b-tree (https://sqlite.org/withoutrowid.html; a hold is a small
-- row, the case it is for). In S3 that is 1.3 of the ~15 pages the writer wrote per commit.
-- Same columns, nullability and indexes as before; migrations/postgres/0015 only documents
-- the table (a PostgreSQL table has no hidden rowid).
--
-- Nothing points at `quota_holds`, so it can be rebuilt inside the migration's transaction
-- with foreign keys on: dropping the old table deletes only its own rows.
CREATE TABLE quota_holds_new (
    id             BLOB    NOT NULL PRIMARY KEY,
    user_id        BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope          TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    held_at_us     INTEGER NOT NULL,
    message_id     BLOB    REFERENCES messages (id) ON DELETE SET NULL,
    stop_requested BOOLEAN NOT NULL DEFAULT FALSE
) WITHOUT ROWID;
INSERT INTO quota_holds_new (id, user_id, scope, day, held_at_us, message_id, stop_requested)
    SELECT id, user_id, scope, day, held_at_us, message_id, stop_requested FROM quota_holds;
DROP TABLE quota_holds;
ALTER TABLE quota_holds_new RENAME TO quota_holds;
CREATE INDEX quota_holds_held_at_idx ON quota_holds (held_at_us);
CREATE INDEX quota_holds_message_idx ON quota_holds (message_id);
