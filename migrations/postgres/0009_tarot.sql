-- Tarot: each user's latest shuffle and their saved readings. Same tables, columns and
-- nullability as migrations/sqlite/0009_tarot.sql.

-- The latest deal per user: a JSON array of {num, reversed}, replaced by every shuffle.
CREATE TABLE tarot_deals (
    user_id  UUID        NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    cards    TEXT        NOT NULL,
    dealt_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE tarot_readings (
    id         UUID        NOT NULL PRIMARY KEY,
    user_id    UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject    TEXT        NOT NULL,
    concern    TEXT        NOT NULL,
    language   TEXT        NOT NULL CHECK (language IN ('ko', 'en')),
    source     TEXT        NOT NULL CHECK (source IN ('offline', 'llm')),
    cards      TEXT        NOT NULL,
    sections   TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tarot_readings_user_idx ON tarot_readings (user_id, id);
