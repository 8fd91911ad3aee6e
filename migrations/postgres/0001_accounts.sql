-- Accounts, sessions, refresh tokens, login throttling and server secrets.
-- Same tables, columns and nullability as migrations/sqlite/0001_accounts.sql
-- (checked by tests/storage.rs).

CREATE TABLE users (
    id                  UUID        NOT NULL PRIMARY KEY,
    email               TEXT        NOT NULL,
    email_normalized    TEXT        NOT NULL CONSTRAINT users_email_normalized_key UNIQUE,
    username            TEXT        NOT NULL,
    username_normalized TEXT        NOT NULL CONSTRAINT users_username_normalized_key UNIQUE,
    password_hash       TEXT,
    role                TEXT        NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'manager', 'admin')),
    is_active           BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id             UUID        NOT NULL PRIMARY KEY,
    user_id        UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     TIMESTAMPTZ NOT NULL,
    last_used_at   TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_reason TEXT,
    user_agent     TEXT,
    ip             TEXT
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash BYTEA       NOT NULL PRIMARY KEY,
    session_id UUID        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

CREATE TABLE login_failures (
    id           UUID        NOT NULL PRIMARY KEY,
    scope        TEXT        NOT NULL CHECK (scope IN ('account', 'ip')),
    subject      TEXT        NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_lookup_idx ON login_failures (scope, subject, attempted_at);
CREATE INDEX login_failures_attempted_at_idx ON login_failures (attempted_at);

CREATE TABLE server_secrets (
    name       TEXT        NOT NULL PRIMARY KEY,
    value      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
