-- Answers owned by the server, and quota holds (see docs/architecture.md, "Answers and
-- holds"). Same tables, columns and nullability as migrations/postgres/0007.
--
-- 1. A message may be `streaming`: an answer still being written by a server task. SQLite
--    cannot change a CHECK constraint in place, so `messages` is rebuilt (its indexes and
--    the cache-version triggers of 0004 go with the old table and are made again).
CREATE TABLE messages_new (
    id         BLOB NOT NULL PRIMARY KEY,
    room_id    BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    owner_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content    TEXT NOT NULL,
    html       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('complete', 'incomplete', 'failed', 'streaming')),
    model      TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO messages_new (id, room_id, owner_id, role, content, html, status, model, created_at)
    SELECT id, room_id, owner_id, role, content, html, status, model, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_room_idx ON messages (room_id, id);
CREATE INDEX messages_owner_idx ON messages (owner_id, id);
CREATE TRIGGER user_versions_message_insert AFTER INSERT ON messages BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id = NEW.owner_id;
END;
CREATE TRIGGER user_versions_message_update AFTER UPDATE ON messages BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id IN (OLD.owner_id, NEW.owner_id);
END;
CREATE TRIGGER user_versions_message_delete AFTER DELETE ON messages BEGIN
    UPDATE user_versions SET data_version = data_version + 1 WHERE user_id = OLD.owner_id;
END;

-- 2. A quota hold: the durable record of a reserved slot whose work is not settled yet.
--    It is written in the same transaction as the reservation and removed in the same
--    transaction as the settlement (kept or refunded), so a crash in between leaves a hold
--    that start-up (or, on PostgreSQL, any instance's sweep once it is stale) settles: the
--    slot is refunded unless the work produced output. `message_id` is the answer a chat
--    hold pays for; `stop_requested` lets any instance stop that answer.
CREATE TABLE quota_holds (
    id             BLOB    NOT NULL PRIMARY KEY,
    user_id        BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope          TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    held_at_us     INTEGER NOT NULL,
    message_id     BLOB    REFERENCES messages (id) ON DELETE SET NULL,
    stop_requested BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX quota_holds_held_at_idx ON quota_holds (held_at_us);
CREATE INDEX quota_holds_message_idx ON quota_holds (message_id);
