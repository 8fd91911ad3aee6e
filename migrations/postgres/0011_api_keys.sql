-- Personal API keys for the OpenAI-compatible endpoint (`/v1`). Same tables, columns and
-- nullability as migrations/sqlite/0012_api_keys.sql (which also keeps the cache counters).
--
-- Only the SHA-256 of a key is stored (hex), with a short visible prefix to tell keys apart.

CREATE TABLE api_keys (
    id           UUID        NOT NULL PRIMARY KEY,
    user_id      UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,
    key_hash     TEXT        NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, id);
