-- Personal API keys for the OpenAI-compatible endpoint (`/v1`). Same tables, columns and
-- nullability as migrations/postgres/0012_api_keys.sql.
--
-- Only the SHA-256 of a key is stored (hex), with a short visible prefix to tell keys
-- apart. Deleting a key bumps its owner's `auth_version` (0004), so a key cached in memory
-- stops working on the next request; a user's deactivation or deletion already does.
-- `last_used_at` changes do not bump it (they do not decide who a key belongs to).

CREATE TABLE api_keys (
    id           BLOB NOT NULL PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, id);

CREATE TRIGGER user_versions_api_key_delete AFTER DELETE ON api_keys BEGIN
    UPDATE user_versions SET auth_version = auth_version + 1 WHERE user_id = OLD.user_id;
END;
