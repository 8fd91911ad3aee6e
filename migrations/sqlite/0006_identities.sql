-- no-transaction
-- Social login (Kakao, GitHub, Google): provider identities, the flows in progress, and
-- accounts that may have no email. Same tables, columns and nullability as
-- migrations/postgres/0006_identities.sql.
--
-- `users.email` becomes nullable and the account records whether its own email was
-- verified. SQLite cannot change a column's nullability in place, so `users` is rebuilt
-- (the procedure of https://sqlite.org/lang_altertable.html#otheralter). Dropping a parent
-- table with foreign keys on would delete every child row through ON DELETE CASCADE, and
-- `PRAGMA foreign_keys` is a no-op inside a transaction: hence `-- no-transaction` above,
-- foreign keys off around our own transaction, a `foreign_key_check`, and on again. The
-- pool's connections open with foreign keys on, so the pragma is restored here.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE users_new (
    id                  BLOB    NOT NULL PRIMARY KEY,
    email               TEXT,
    email_normalized    TEXT    CONSTRAINT users_email_normalized_key UNIQUE,
    username            TEXT    NOT NULL,
    username_normalized TEXT    NOT NULL CONSTRAINT users_username_normalized_key UNIQUE,
    password_hash       TEXT,
    role                TEXT    NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'manager', 'admin')),
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    email_verified      BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO users_new (id, email, email_normalized, username, username_normalized,
                       password_hash, role, is_active, created_at, updated_at, email_verified)
    SELECT id, email, email_normalized, username, username_normalized,
           password_hash, role, is_active, created_at, updated_at, FALSE
    FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- The triggers on `users` went with the old table (0004_cache_versions.sql).
CREATE TRIGGER user_versions_user_insert AFTER INSERT ON users BEGIN
    INSERT OR IGNORE INTO user_versions (user_id) VALUES (NEW.id);
END;
CREATE TRIGGER user_versions_user_update AFTER UPDATE ON users BEGIN
    UPDATE user_versions SET auth_version = auth_version + 1 WHERE user_id IN (OLD.id, NEW.id);
END;

-- One row per provider account: (provider, subject) is the key, never the email.
CREATE TABLE user_identities (
    id             BLOB    NOT NULL PRIMARY KEY,
    user_id        BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider       TEXT    NOT NULL CHECK (provider IN ('kakao', 'github', 'google')),
    subject        TEXT    NOT NULL,
    email          TEXT,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TEXT    NOT NULL,
    last_login_at  TEXT,
    CONSTRAINT user_identities_provider_subject_key UNIQUE (provider, subject),
    CONSTRAINT user_identities_user_provider_key UNIQUE (user_id, provider)
);

-- A sign-in or link in progress: single use, 10 minutes, bound to the browser that began
-- it (hash of its cookie), finished by whichever instance the provider sends it back to.
CREATE TABLE oauth_flows (
    state_hash    BLOB NOT NULL PRIMARY KEY,
    browser_hash  BLOB NOT NULL,
    provider      TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path     TEXT NOT NULL,
    link_user_id  BLOB REFERENCES users (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX oauth_flows_expires_at_idx ON oauth_flows (expires_at);

-- Nothing may point at a missing user after the rebuild: the CHECK fails the migration
-- (and nothing is committed) if anything does.
CREATE TEMP TABLE _fk_problems (n INTEGER NOT NULL CHECK (n = 0));
INSERT INTO _fk_problems SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE _fk_problems;

COMMIT;
PRAGMA foreign_keys = ON;
