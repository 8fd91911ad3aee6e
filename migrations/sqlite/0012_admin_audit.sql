-- The audit log of admin actions (PRODUCT.md §2.6): who did what to whom, when, and the
-- values before and after. Same tables, columns and nullability as
-- migrations/postgres/0012_admin_audit.sql.
--
-- Names are copied at the time of the action so an entry still reads right after an
-- account is renamed or deleted (the ids then become NULL). `actor_id` is also NULL for
-- changes the server made itself (CONFAB_ADMIN_EMAILS). `before` and `after` are small
-- JSON objects written by the server (never message content).

CREATE TABLE admin_audit (
    id          BLOB NOT NULL PRIMARY KEY,
    actor_id    BLOB REFERENCES users (id) ON DELETE SET NULL,
    actor_name  TEXT,
    action      TEXT NOT NULL,
    target_id   BLOB REFERENCES users (id) ON DELETE SET NULL,
    target_name TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX admin_audit_target_idx ON admin_audit (target_id, id);
CREATE INDEX admin_audit_actor_idx ON admin_audit (actor_id);
