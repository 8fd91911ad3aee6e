-- Community board: posts (with an optional re-encoded thumbnail in the media store) and
-- comments with one level of replies. Same tables, columns and nullability as
-- migrations/sqlite/0008_board.sql. Roles (member, manager, admin) already live in users.

CREATE TABLE board_posts (
    id            UUID        NOT NULL PRIMARY KEY,
    author_id     UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category      TEXT        NOT NULL CHECK (category IN ('notice', 'question', 'chat')),
    title         TEXT        NOT NULL,
    content       TEXT        NOT NULL,
    html          TEXT        NOT NULL,
    excerpt       TEXT        NOT NULL,
    search_text   TEXT        NOT NULL,
    thumbnail     TEXT,
    view_count    BIGINT      NOT NULL DEFAULT 0,
    comment_count BIGINT      NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX board_posts_category_idx ON board_posts (category, id);
CREATE INDEX board_posts_author_idx ON board_posts (author_id);

CREATE TABLE board_comments (
    id         UUID        NOT NULL PRIMARY KEY,
    post_id    UUID        NOT NULL REFERENCES board_posts (id) ON DELETE CASCADE,
    parent_id  UUID        REFERENCES board_comments (id) ON DELETE CASCADE,
    author_id  UUID        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content    TEXT        NOT NULL,
    html       TEXT        NOT NULL,
    deleted    BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX board_comments_post_idx ON board_comments (post_id, parent_id, id);
CREATE INDEX board_comments_parent_idx ON board_comments (parent_id);
CREATE INDEX board_comments_author_idx ON board_comments (author_id);
