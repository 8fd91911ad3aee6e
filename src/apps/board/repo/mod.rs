//! SQL for the board: posts and comments. Posts are public; writes check the author (or a
//! manager) in SQL too, so a check in Rust and a change by someone else cannot race.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::{on_db, on_tx};

mod comments;
pub use comments::*;

/// A post as shown on its page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostRow {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub category: String,
    pub title: String,
    pub content: String,
    pub html: String,
    pub thumbnail: Option<String>,
    pub view_count: i64,
    pub comment_count: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A post in a list.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostSummaryRow {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub category: String,
    pub title: String,
    pub excerpt: String,
    pub thumbnail: Option<String>,
    pub view_count: i64,
    pub comment_count: i64,
    pub created_at: OffsetDateTime,
}

/// What a new or edited post stores.
pub struct PostText<'a> {
    pub category: &'a str,
    pub title: &'a str,
    pub content: &'a str,
    pub html: &'a str,
    pub excerpt: &'a str,
    pub search_text: &'a str,
}

const POST_COLUMNS: &str = "p.id, p.author_id, u.username AS author_name, p.category, p.title, p.content, \
     p.html, p.thumbnail, p.view_count, p.comment_count, p.created_at, p.updated_at";

/// Stores a new post; returns its id.
pub async fn insert_post(db: &Db, author: Uuid, text: &PostText<'_>) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO board_posts (id, author_id, category, title, content, html, excerpt, search_text, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(id)
        .bind(author)
        .bind(text.category)
        .bind(text.title)
        .bind(text.content)
        .bind(text.html)
        .bind(text.excerpt)
        .bind(text.search_text)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

/// One post.
pub async fn get_post(db: &Db, id: Uuid) -> Result<Option<PostRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {POST_COLUMNS} FROM board_posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, PostRow>(sql)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// Newest first, after `before`, in `category` when given, whose title or content holds
/// `pattern` (a `LIKE` pattern over the lower-cased text) when given.
pub async fn list_posts(
    db: &Db,
    category: Option<&str>,
    pattern: Option<&str>,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PostSummaryRow>> {
    let sql = "SELECT p.id, p.author_id, u.username AS author_name, p.category, p.title, p.excerpt, \
               p.thumbnail, p.view_count, p.comment_count, p.created_at \
               FROM board_posts p JOIN users u ON u.id = p.author_id \
               WHERE ($1 IS NULL OR p.category = $1) AND ($2 IS NULL OR p.id < $2) \
               AND ($3 IS NULL OR p.search_text LIKE $3 ESCAPE '\\') \
               ORDER BY p.id DESC LIMIT $4";
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, PostSummaryRow>(sql)
            .bind(category)
            .bind(before)
            .bind(pattern)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Replaces a post's text if `author` wrote it; `false` when it did not (or is gone).
pub async fn update_post(db: &Db, id: Uuid, author: Uuid, text: &PostText<'_>) -> Result<bool> {
    let now = crate::db::now();
    let n = on_db!(db, |pool| {
        sqlx::query(
            "UPDATE board_posts SET category = $1, title = $2, content = $3, html = $4, excerpt = $5, \
             search_text = $6, updated_at = $7 WHERE id = $8 AND author_id = $9",
        )
        .bind(text.category)
        .bind(text.title)
        .bind(text.content)
        .bind(text.html)
        .bind(text.excerpt)
        .bind(text.search_text)
        .bind(now)
        .bind(id)
        .bind(author)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Deletes a post (any post when `any`, else only the caller's). `Some(thumbnail)` when a
/// row was deleted.
pub async fn delete_post(
    db: &Db,
    id: Uuid,
    caller: Uuid,
    any: bool,
) -> Result<Option<Option<String>>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar::<_, Option<String>>(
            "DELETE FROM board_posts WHERE id = $1 AND ($2 OR author_id = $3) RETURNING thumbnail",
        )
        .bind(id)
        .bind(any)
        .bind(caller)
        .fetch_optional(pool)
        .await
    })?)
}

/// Deletes every post `author` wrote; returns their thumbnails (for an account's deletion).
pub async fn delete_posts_of(db: &Db, author: Uuid) -> Result<Vec<String>> {
    let thumbnails = on_db!(db, |pool| {
        sqlx::query_scalar::<_, Option<String>>(
            "DELETE FROM board_posts WHERE author_id = $1 RETURNING thumbnail",
        )
        .bind(author)
        .fetch_all(pool)
        .await
    })?;
    Ok(thumbnails.into_iter().flatten().collect())
}

/// Points a post at a new thumbnail if `author` wrote it and its thumbnail is still `old`
/// (compare and swap). `false` when it did not happen.
pub async fn swap_thumbnail(
    db: &Db,
    id: Uuid,
    author: Uuid,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<bool> {
    let now = crate::db::now();
    let n = on_db!(db, |pool| {
        sqlx::query(
            "UPDATE board_posts SET thumbnail = $1, updated_at = $2 \
             WHERE id = $3 AND author_id = $4 AND thumbnail IS NOT DISTINCT FROM $5",
        )
        .bind(new)
        .bind(now)
        .bind(id)
        .bind(author)
        .bind(old)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Adds counted views.
pub async fn add_views(db: &Db, views: &[(Uuid, i64)]) -> Result<()> {
    if views.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for (id, n) in views {
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE board_posts SET view_count = view_count + $1 WHERE id = $2")
                .bind(n)
                .bind(id)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await
}
