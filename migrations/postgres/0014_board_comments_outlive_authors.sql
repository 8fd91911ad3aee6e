-- A deleted account's comment that other members answered stays as a "deleted" placeholder
-- with its replies, as when its author deletes it (docs/architecture.md, "Board"): the
-- account's erasure turns such comments into placeholders and deletes the rest, and
-- `author_id` becomes NULL with the user row instead of deleting the comment, and with it
-- every reply, by cascade. Same change as migrations/sqlite/0014.
ALTER TABLE board_comments ALTER COLUMN author_id DROP NOT NULL;
ALTER TABLE board_comments DROP CONSTRAINT board_comments_author_id_fkey;
ALTER TABLE board_comments ADD CONSTRAINT board_comments_author_id_fkey
    FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL;
