//! SQL for rooms and messages. Every query that takes a room also takes its owner, so a
//! room that is not the caller's is simply not found.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::on_db;
use crate::on_tx;

/// A room as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RoomRow {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub assistant: String,
    pub title: String,
    pub settings: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_activity_us: i64,
    pub last_message_preview: Option<String>,
}

/// A message as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MessageRow {
    pub id: Uuid,
    pub room_id: Uuid,
    pub role: String,
    pub content: String,
    pub html: String,
    pub status: String,
    pub model: Option<String>,
    pub created_at: OffsetDateTime,
}

const ROOM_COLUMNS: &str = "id, owner_id, assistant, title, settings, created_at, updated_at, last_activity_us, last_message_preview";
const MESSAGE_COLUMNS: &str = "id, room_id, role, content, html, status, model, created_at";

/// Microseconds since the epoch, for activity ordering.
pub fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

pub async fn insert_room(
    db: &Db,
    owner: Uuid,
    assistant: &str,
    title: &str,
    settings: &str,
) -> Result<RoomRow> {
    let now = crate::db::now();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO rooms (id, owner_id, assistant, title, settings, created_at, updated_at, last_activity_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING {ROOM_COLUMNS}"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, RoomRow>(sql)
            .bind(Uuid::now_v7())
            .bind(owner)
            .bind(assistant)
            .bind(title)
            .bind(settings)
            .bind(now)
            .bind(micros(now))
            .fetch_one(pool)
            .await
    })?)
}

/// The owner's rooms, most recent activity first, after the `(activity, id)` cursor.
pub async fn list_rooms(
    db: &Db,
    owner: Uuid,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<RoomRow>> {
    let (activity, id) = after.unzip();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ROOM_COLUMNS} FROM rooms WHERE owner_id = $1 \
         AND ($2 IS NULL OR last_activity_us < $2 OR (last_activity_us = $2 AND id < $3)) \
         ORDER BY last_activity_us DESC, id DESC LIMIT $4"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, RoomRow>(sql)
            .bind(owner)
            .bind(activity)
            .bind(id)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

pub async fn get_room(db: &Db, owner: Uuid, id: Uuid) -> Result<Option<RoomRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {ROOM_COLUMNS} FROM rooms WHERE id = $1 AND owner_id = $2"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, RoomRow>(sql)
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?)
}

pub async fn update_room(
    db: &Db,
    owner: Uuid,
    id: Uuid,
    title: Option<&str>,
    settings: Option<&str>,
) -> Result<Option<RoomRow>> {
    let now = crate::db::now();
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE rooms SET title = COALESCE($3, title), settings = COALESCE($4, settings), updated_at = $5 \
         WHERE id = $1 AND owner_id = $2 RETURNING {ROOM_COLUMNS}"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, RoomRow>(sql)
            .bind(id)
            .bind(owner)
            .bind(title)
            .bind(settings)
            .bind(now)
            .fetch_optional(pool)
            .await
    })?)
}

pub async fn delete_room(db: &Db, owner: Uuid, id: Uuid) -> Result<bool> {
    let n = on_db!(db, |pool| {
        sqlx::query("DELETE FROM rooms WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// A message to store.
pub struct NewMessage<'a> {
    pub room_id: Uuid,
    pub owner_id: Uuid,
    pub role: &'a str,
    pub content: &'a str,
    pub html: &'a str,
    pub status: &'a str,
    pub model: Option<&'a str>,
    /// Room preview to show in the room list.
    pub preview: &'a str,
    /// Set the room title when it has none yet.
    pub title_if_empty: Option<&'a str>,
}

/// Stores a message and moves its room to the top of the owner's list, atomically.
pub async fn insert_message(db: &Db, m: NewMessage<'_>) -> Result<MessageRow> {
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, model, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {MESSAGE_COLUMNS}"
    ));
    let row = on_tx!(&mut tx, |conn| {
        sqlx::query_as::<_, MessageRow>(sql)
            .bind(Uuid::now_v7())
            .bind(m.room_id)
            .bind(m.owner_id)
            .bind(m.role)
            .bind(m.content)
            .bind(m.html)
            .bind(m.status)
            .bind(m.model)
            .bind(now)
            .fetch_one(conn)
            .await
    })?;
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "UPDATE rooms SET last_activity_us = $3, last_message_preview = $4, \
             title = CASE WHEN title = '' AND $5 IS NOT NULL THEN $5 ELSE title END \
             WHERE id = $1 AND owner_id = $2",
        )
        .bind(m.room_id)
        .bind(m.owner_id)
        .bind(micros(now))
        .bind(m.preview)
        .bind(m.title_if_empty)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(row)
}

/// A page of a room's messages, newest first, strictly before `before`.
pub async fn list_messages(
    db: &Db,
    room_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<MessageRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, MessageRow>(sql)
            .bind(room_id)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

/// Every message of a room, oldest first (export).
pub async fn all_messages(db: &Db, room_id: Uuid) -> Result<Vec<MessageRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = $1 ORDER BY id"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, MessageRow>(sql)
            .bind(room_id)
            .fetch_all(pool)
            .await
    })?)
}

/// The most recent usable turns of a room (newest first) for the model's context.
pub async fn recent_turns(db: &Db, room_id: Uuid, limit: i64) -> Result<Vec<(String, String)>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT role, content FROM messages WHERE room_id = $1 AND status <> 'failed' AND content <> '' \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(room_id)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}

/// A search hit.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SearchRow {
    #[sqlx(flatten)]
    pub message: MessageRow,
    pub room_title: String,
}

/// The owner's messages containing `needle` (case-insensitive for ASCII), newest first.
pub async fn search(
    db: &Db,
    owner: Uuid,
    needle: &str,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SearchRow>> {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, SearchRow>(
            "SELECT m.id, m.room_id, m.role, m.content, m.html, m.status, m.model, m.created_at, r.title AS room_title \
             FROM messages m JOIN rooms r ON r.id = m.room_id \
             WHERE m.owner_id = $1 AND LOWER(m.content) LIKE $2 ESCAPE '\\' AND ($3 IS NULL OR m.id < $3) \
             ORDER BY m.id DESC LIMIT $4",
        )
        .bind(owner)
        .bind(pattern)
        .bind(before)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}
