//! SQL for comments (one level of replies; a deleted comment with replies stays as a
//! placeholder).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::{on_db, on_tx};

/// A comment as stored, with its author's name. The author is gone (`None`) once their
/// account is deleted; such a comment is a placeholder kept for its replies.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CommentRow {
    pub id: Uuid,
    pub post_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub content: String,
    pub html: String,
    pub deleted: bool,
    pub created_at: OffsetDateTime,
}

const COMMENT_COLUMNS: &str = "c.id, c.post_id, c.parent_id, c.author_id, u.username AS author_name, \
     c.content, c.html, c.deleted, c.created_at";

/// Why a comment could not be added.
pub enum NewCommentError {
    /// The post is gone.
    NoPost,
    /// The parent is not a live top-level comment of this post.
    BadParent,
}

/// Adds a comment (a reply when `parent` is given) and counts it on the post, in one
/// transaction. Returns the new comment.
pub async fn insert_comment(
    db: &Db,
    post: Uuid,
    parent: Option<Uuid>,
    author: Uuid,
    content: &str,
    html: &str,
) -> Result<std::result::Result<CommentRow, NewCommentError>> {
    let id = Uuid::now_v7();
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    let counted = on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE board_posts SET comment_count = comment_count + 1 WHERE id = $1")
            .bind(post)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    if counted == 0 {
        return Ok(Err(NewCommentError::NoPost));
    }
    if let Some(parent) = parent {
        let ok = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM board_comments WHERE id = $1 AND post_id = $2 \
                 AND parent_id IS NULL AND NOT deleted",
            )
            .bind(parent)
            .bind(post)
            .fetch_one(conn)
            .await
        })?;
        if ok == 0 {
            return Ok(Err(NewCommentError::BadParent));
        }
    }
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO board_comments (id, post_id, parent_id, author_id, content, html, deleted, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)",
        )
        .bind(id)
        .bind(post)
        .bind(parent)
        .bind(author)
        .bind(content)
        .bind(html)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COMMENT_COLUMNS} FROM board_comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.id = $1"
    ));
    let row = on_tx!(&mut tx, |conn| {
        sqlx::query_as::<_, CommentRow>(sql)
            .bind(id)
            .fetch_one(conn)
            .await
    })?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// Whether a post exists.
pub async fn post_exists(db: &Db, id: Uuid) -> Result<bool> {
    let n = on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM board_posts WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
    })?;
    Ok(n > 0)
}

/// Top-level comments of a post, oldest first, after `after`.
pub async fn list_comments(
    db: &Db,
    post: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<CommentRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COMMENT_COLUMNS} FROM board_comments c LEFT JOIN users u ON u.id = c.author_id \
         WHERE c.post_id = $1 AND c.parent_id IS NULL AND ($2 IS NULL OR c.id > $2) \
         ORDER BY c.id LIMIT $3"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, CommentRow>(sql)
            .bind(post)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Most replies listed under one page of comments.
pub const MAX_REPLIES_PER_PAGE: i64 = 2000;

/// Replies to the top-level comments `first..=last` of a post (a page is a contiguous id
/// range), oldest first.
pub async fn list_replies(db: &Db, post: Uuid, first: Uuid, last: Uuid) -> Result<Vec<CommentRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COMMENT_COLUMNS} FROM board_comments c LEFT JOIN users u ON u.id = c.author_id \
         WHERE c.post_id = $1 AND c.parent_id >= $2 AND c.parent_id <= $3 \
         ORDER BY c.id LIMIT $4"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, CommentRow>(sql)
            .bind(post)
            .bind(first)
            .bind(last)
            .bind(MAX_REPLIES_PER_PAGE)
            .fetch_all(pool)
            .await
    })?)
}

/// What deleting a comment did.
pub enum Deleted {
    /// No live comment with that id.
    NotFound,
    /// The caller may not delete it.
    Forbidden,
    /// Gone (or left as a placeholder because it has replies).
    Done,
}

/// Deletes a comment the caller wrote (any comment when `any`). A comment with replies
/// stays as a "deleted" placeholder; a placeholder whose last reply goes goes with it.
pub async fn delete_comment(db: &Db, id: Uuid, caller: Uuid, any: bool) -> Result<Deleted> {
    let mut tx = db.begin().await?;
    let found = on_tx!(&mut tx, |conn| {
        sqlx::query_as::<_, (Uuid, Option<Uuid>, Option<Uuid>, bool)>(
            "SELECT post_id, parent_id, author_id, deleted FROM board_comments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })?;
    let Some((post, parent, author, deleted)) = found else {
        return Ok(Deleted::NotFound);
    };
    if deleted {
        return Ok(Deleted::NotFound);
    }
    if !any && author != Some(caller) {
        return Ok(Deleted::Forbidden);
    }
    let replies = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM board_comments WHERE parent_id = $1")
            .bind(id)
            .fetch_one(conn)
            .await
    })?;
    if replies > 0 {
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE board_comments SET deleted = TRUE, content = '', html = '' WHERE id = $1",
            )
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        })?;
    } else {
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM board_comments WHERE id = $1")
                .bind(id)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        })?;
        if let Some(parent) = parent {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "DELETE FROM board_comments WHERE id = $1 AND deleted \
                     AND NOT EXISTS (SELECT 1 FROM board_comments r WHERE r.parent_id = $1)",
                )
                .bind(parent)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
    }
    on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE board_posts SET comment_count = comment_count - 1 WHERE id = $1 AND comment_count > 0")
            .bind(post)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(Deleted::Done)
}

/// Before an account is deleted, in one transaction: its comments become "deleted"
/// placeholders, every post they were on gets its count of live comments back, and on those
/// posts the placeholders without a live reply go (with their own placeholder replies, by
/// cascade). What stays are placeholders holding other members' replies; their `author_id`
/// becomes NULL with the user row. Three statements whatever the number of posts.
pub async fn erase_comments_of(db: &Db, author: Uuid) -> Result<()> {
    const COMMENTED_POSTS: &str = "SELECT post_id FROM board_comments WHERE author_id = $1";
    let steps = [
        "UPDATE board_comments SET deleted = TRUE, content = '', html = '' WHERE author_id = $1"
            .to_owned(),
        // Placeholders are not counted, so the count is right before they go, too.
        format!(
            "UPDATE board_posts SET comment_count = \
             (SELECT COUNT(*) FROM board_comments c WHERE c.post_id = board_posts.id AND NOT c.deleted) \
             WHERE id IN ({COMMENTED_POSTS})"
        ),
        format!(
            "DELETE FROM board_comments WHERE deleted AND post_id IN ({COMMENTED_POSTS}) AND NOT EXISTS \
             (SELECT 1 FROM board_comments r WHERE r.parent_id = board_comments.id AND NOT r.deleted)"
        ),
    ];
    let mut tx = db.begin().await?;
    for sql in steps {
        let sql = sqlx::AssertSqlSafe(sql);
        on_tx!(&mut tx, |conn| {
            sqlx::query(sql)
                .bind(author)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(())
}
