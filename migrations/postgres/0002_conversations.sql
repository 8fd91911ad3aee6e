-- Rooms, messages and the daily quota. Same tables, columns and nullability as
-- migrations/sqlite/0002_conversations.sql.

CREATE TABLE rooms (
    id                   UUID        NOT NULL PRIMARY KEY,
    owner_id             UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assistant            TEXT        NOT NULL,
    title                TEXT        NOT NULL,
    settings             TEXT        NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    last_activity_us     BIGINT      NOT NULL,
    last_message_preview TEXT
);
CREATE INDEX rooms_owner_activity_idx ON rooms (owner_id, last_activity_us, id);

CREATE TABLE messages (
    id         UUID        NOT NULL PRIMARY KEY,
    room_id    UUID        NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    owner_id   UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT        NOT NULL CHECK (role IN ('user', 'assistant')),
    content    TEXT        NOT NULL,
    html       TEXT        NOT NULL,
    status     TEXT        NOT NULL CHECK (status IN ('complete', 'incomplete', 'failed')),
    model      TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_room_idx ON messages (room_id, id);
CREATE INDEX messages_owner_idx ON messages (owner_id, id);

CREATE TABLE quota_usage (
    user_id UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope   TEXT   NOT NULL,
    day     TEXT   NOT NULL,
    used    BIGINT NOT NULL,
    PRIMARY KEY (user_id, scope, day)
);
CREATE INDEX quota_usage_day_idx ON quota_usage (day, scope);

CREATE TABLE quota_overrides (
    user_id     UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope       TEXT   NOT NULL,
    daily_limit BIGINT NOT NULL,
    PRIMARY KEY (user_id, scope)
);
