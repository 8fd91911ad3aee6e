-- Rooms, messages and the daily quota. Same tables, columns and nullability as
-- migrations/postgres/0002_conversations.sql. Activity is kept as UTC microseconds so
-- that ordering and cursors are exact on both backends.

CREATE TABLE rooms (
    id                   BLOB    NOT NULL PRIMARY KEY,
    owner_id             BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assistant            TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    settings             TEXT    NOT NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    last_activity_us     INTEGER NOT NULL,
    last_message_preview TEXT
);
CREATE INDEX rooms_owner_activity_idx ON rooms (owner_id, last_activity_us, id);

CREATE TABLE messages (
    id         BLOB NOT NULL PRIMARY KEY,
    room_id    BLOB NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    owner_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content    TEXT NOT NULL,
    html       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('complete', 'incomplete', 'failed')),
    model      TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_room_idx ON messages (room_id, id);
CREATE INDEX messages_owner_idx ON messages (owner_id, id);

CREATE TABLE quota_usage (
    user_id BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope   TEXT    NOT NULL,
    day     TEXT    NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (user_id, scope, day)
);
CREATE INDEX quota_usage_day_idx ON quota_usage (day, scope);

CREATE TABLE quota_overrides (
    user_id     BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope       TEXT    NOT NULL,
    daily_limit INTEGER NOT NULL,
    PRIMARY KEY (user_id, scope)
);
