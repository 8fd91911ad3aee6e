-- no-transaction
-- A deleted account's comment that other members answered stays as a "deleted" placeholder
-- with its replies, as when its author deletes it (docs/architecture.md, "Board"): the
-- account's erasure turns such comments into placeholders and deletes the rest, and
-- `author_id` becomes NULL with the user row instead of deleting the comment, and with it
-- every reply, by cascade. Same change as migrations/postgres/0014.
--
-- SQLite cannot change a column's nullability or a foreign key's action in place, so
-- `board_comments` is rebuilt (https://sqlite.org/lang_altertable.html#otheralter). Its
-- replies point at it (`parent_id`, ON DELETE CASCADE): dropping the old table with foreign
-- keys on would delete every reply copied into the new one. Hence `-- no-transaction`,
-- foreign keys off around our own transaction, a check, and on again (as in 0006).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE board_comments_new (
    id         BLOB        NOT NULL PRIMARY KEY,
    post_id    BLOB        NOT NULL REFERENCES board_posts (id) ON DELETE CASCADE,
    parent_id  BLOB        REFERENCES board_comments (id) ON DELETE CASCADE,
    author_id  BLOB        REFERENCES users (id) ON DELETE SET NULL,
    content    TEXT        NOT NULL,
    html       TEXT        NOT NULL,
    deleted    BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at TEXT        NOT NULL
);
INSERT INTO board_comments_new (id, post_id, parent_id, author_id, content, html, deleted, created_at)
    SELECT id, post_id, parent_id, author_id, content, html, deleted, created_at FROM board_comments;
DROP TABLE board_comments;
ALTER TABLE board_comments_new RENAME TO board_comments;
CREATE INDEX board_comments_post_idx ON board_comments (post_id, parent_id, id);
CREATE INDEX board_comments_parent_idx ON board_comments (parent_id);
CREATE INDEX board_comments_author_idx ON board_comments (author_id);

-- Nothing may point at a missing row after the rebuild: the CHECK fails the migration (and
-- nothing is committed) if anything does.
CREATE TEMP TABLE _fk_problems (n INTEGER NOT NULL CHECK (n = 0));
INSERT INTO _fk_problems SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE _fk_problems;

COMMIT;
PRAGMA foreign_keys = ON;
