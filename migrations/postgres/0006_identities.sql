-- Social login (Kakao, GitHub, Google): provider identities, the flows in progress, and
-- accounts that may have no email. Same tables, columns and nullability as
-- migrations/sqlite/0006_identities.sql.

ALTER TABLE users
    ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN email_normalized DROP NOT NULL,
    ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per provider account: (provider, subject) is the key, never the email.
CREATE TABLE user_identities (
    id             UUID        NOT NULL PRIMARY KEY,
    user_id        UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider       TEXT        NOT NULL CHECK (provider IN ('kakao', 'github', 'google')),
    subject        TEXT        NOT NULL,
    email          TEXT,
    email_verified BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    last_login_at  TIMESTAMPTZ,
    CONSTRAINT user_identities_provider_subject_key UNIQUE (provider, subject),
    CONSTRAINT user_identities_user_provider_key UNIQUE (user_id, provider)
);

-- A sign-in or link in progress: single use, 10 minutes, bound to the browser that began
-- it (hash of its cookie), finished by whichever instance the provider sends it back to.
CREATE TABLE oauth_flows (
    state_hash    BYTEA       NOT NULL PRIMARY KEY,
    browser_hash  BYTEA       NOT NULL,
    provider      TEXT        NOT NULL,
    pkce_verifier TEXT        NOT NULL,
    next_path     TEXT        NOT NULL,
    link_user_id  UUID        REFERENCES users (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_flows_expires_at_idx ON oauth_flows (expires_at);
