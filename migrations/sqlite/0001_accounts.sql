-- Accounts, sessions, refresh tokens, login throttling and server secrets.
-- Same tables, columns and nullability as migrations/postgres/0001_accounts.sql
-- (checked by tests/storage.rs). Times are RFC 3339 UTC text; ids are UUID blobs.

CREATE TABLE users (
    id                  BLOB    NOT NULL PRIMARY KEY,
    email               TEXT    NOT NULL,
    email_normalized    TEXT    NOT NULL CONSTRAINT users_email_normalized_key UNIQUE,
    username            TEXT    NOT NULL,
    username_normalized TEXT    NOT NULL CONSTRAINT users_username_normalized_key UNIQUE,
    password_hash       TEXT,
    role                TEXT    NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'manager', 'admin')),
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE sessions (
    id             BLOB NOT NULL PRIMARY KEY,
    user_id        BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    last_used_at   TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    revoked_at     TEXT,
    revoked_reason TEXT,
    user_agent     TEXT,
    ip             TEXT
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash BLOB NOT NULL PRIMARY KEY,
    session_id BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

CREATE TABLE login_failures (
    id           BLOB NOT NULL PRIMARY KEY,
    scope        TEXT NOT NULL CHECK (scope IN ('account', 'ip')),
    subject      TEXT NOT NULL,
    attempted_at TEXT NOT NULL
);
CREATE INDEX login_failures_lookup_idx ON login_failures (scope, subject, attempted_at);
CREATE INDEX login_failures_attempted_at_idx ON login_failures (attempted_at);

CREATE TABLE server_secrets (
    name       TEXT NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
