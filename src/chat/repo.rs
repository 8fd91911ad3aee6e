//! SQL for rooms and messages. Every query that takes a room also takes its owner, so a
//! room that is not the caller's is simply not found.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{Db, HotRow, Row, Stmt};
use crate::error::Result;

/// A room as stored. An untitled room has the empty title.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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

/// The columns of [`RoomRow`], in its mapping's order.
const ROOM_COLUMNS: &str = "id, owner_id, assistant, title, settings, created_at, updated_at, last_activity_us, last_message_preview";
/// The columns of [`MessageRow`], in its mapping's order.
const MESSAGE_COLUMNS: &str = "id, room_id, role, content, html, status, model, created_at";

impl HotRow for RoomRow {
    fn from_row(row: &dyn Row) -> Result<RoomRow> {
        Ok(RoomRow {
            id: row.uuid(0)?,
            owner_id: row.uuid(1)?,
            assistant: row.text(2)?,
            title: row.text(3)?,
            settings: row.text(4)?,
            created_at: row.time(5)?,
            updated_at: row.time(6)?,
            last_activity_us: row.int(7)?,
            last_message_preview: row.opt_text(8)?,
        })
    }
}

impl HotRow for MessageRow {
    fn from_row(row: &dyn Row) -> Result<MessageRow> {
        Ok(MessageRow {
            id: row.uuid(0)?,
            room_id: row.uuid(1)?,
            role: row.text(2)?,
            content: row.text(3)?,
            html: row.text(4)?,
            status: row.text(5)?,
            model: row.opt_text(6)?,
            created_at: row.time(7)?,
        })
    }
}

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
    let stmt = Stmt::new(format!(
        "INSERT INTO rooms (id, owner_id, assistant, title, settings, created_at, updated_at, last_activity_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING {ROOM_COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(owner)
    .bind(assistant)
    .bind(title)
    .bind(settings)
    .bind(now)
    .bind(micros(now));
    db.query_all(stmt)
        .await?
        .pop()
        .ok_or_else(|| crate::error::Error::internal("INSERT … RETURNING gave no row"))
}

/// The owner's rooms, most recent activity first, after the `(activity, id)` cursor.
pub async fn list_rooms(
    db: &Db,
    owner: Uuid,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<RoomRow>> {
    let (activity, id) = after.unzip();
    let stmt = Stmt::new(format!(
        "SELECT {ROOM_COLUMNS} FROM rooms WHERE owner_id = $1 \
         AND ($2 IS NULL OR last_activity_us < $2 OR (last_activity_us = $2 AND id < $3)) \
         ORDER BY last_activity_us DESC, id DESC LIMIT $4"
    ))
    .bind(owner)
    .bind(activity)
    .bind(id)
    .bind(limit);
    db.hot_all(stmt).await
}

pub async fn get_room(db: &Db, owner: Uuid, id: Uuid) -> Result<Option<RoomRow>> {
    let stmt = Stmt::new(format!(
        "SELECT {ROOM_COLUMNS} FROM rooms WHERE id = $1 AND owner_id = $2"
    ))
    .bind(id)
    .bind(owner);
    db.hot_one(stmt).await
}

pub async fn update_room(
    db: &Db,
    owner: Uuid,
    id: Uuid,
    title: Option<&str>,
    settings: Option<&str>,
) -> Result<Option<RoomRow>> {
    let stmt = Stmt::new(format!(
        "UPDATE rooms SET title = COALESCE($3, title), settings = COALESCE($4, settings), updated_at = $5 \
         WHERE id = $1 AND owner_id = $2 RETURNING {ROOM_COLUMNS}"
    ))
    .bind(id)
    .bind(owner)
    .bind(title)
    .bind(settings)
    .bind(crate::db::now());
    Ok(db.query_all(stmt).await?.pop())
}

/// Messages deleted per statement when a room goes: a room of 10,000 messages must not
/// hold SQLite's single writer for seconds, so its messages go a chunk per write.
const DELETE_CHUNK: i64 = 500;

/// Deletes a room and its messages; `false` when the owner has no such room. The
/// messages go in chunks first (each its own write, so other writes interleave), then
/// the room, whose cascade takes any message sent meanwhile.
pub async fn delete_room(db: &Db, owner: Uuid, id: Uuid) -> Result<bool> {
    if get_room(db, owner, id).await?.is_none() {
        return Ok(false);
    }
    loop {
        let stmt = Stmt::new(
            "DELETE FROM messages WHERE id IN \
             (SELECT id FROM messages WHERE room_id = $1 AND owner_id = $2 LIMIT $3)",
        )
        .bind(id)
        .bind(owner)
        .bind(DELETE_CHUNK);
        if db.hot_execute(stmt).await? < DELETE_CHUNK as u64 {
            break;
        }
    }
    db.delete_owned("rooms", "owner_id", id, owner).await
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
    let insert = Stmt::new(format!(
        "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, model, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {MESSAGE_COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(m.room_id)
    .bind(m.owner_id)
    .bind(m.role)
    .bind(m.content)
    .bind(m.html)
    .bind(m.status)
    .bind(m.model)
    .bind(now);
    let touch_room = Stmt::new(
        "UPDATE rooms SET last_activity_us = $3, last_message_preview = $4, \
         title = CASE WHEN title = '' AND $5 IS NOT NULL THEN $5 ELSE title END \
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(m.room_id)
    .bind(m.owner_id)
    .bind(micros(now))
    .bind(m.preview)
    .bind(m.title_if_empty);
    db.hot_write(insert, vec![touch_room])
        .await?
        .ok_or_else(|| crate::error::Error::internal("INSERT … RETURNING gave no row"))
}

/// A page of the owner's messages in a room, newest first, strictly before `before`.
/// Another owner's room simply has no messages here.
pub async fn list_messages(
    db: &Db,
    owner: Uuid,
    room_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<MessageRow>> {
    let stmt = Stmt::new(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = $1 AND owner_id = $2 \
         AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
    ))
    .bind(room_id)
    .bind(owner)
    .bind(before)
    .bind(limit);
    db.hot_all(stmt).await
}

/// Every message of a room, oldest first (export).
pub async fn all_messages(db: &Db, room_id: Uuid) -> Result<Vec<MessageRow>> {
    let stmt = Stmt::new(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = $1 ORDER BY id"
    ))
    .bind(room_id);
    db.query_all(stmt).await
}

/// The most recent usable turns of a room (newest first) for the model's context: at most
/// `limit`, and no more once their text passes `budget` characters (the turn that passes it
/// is included, so the caller sees where the budget ends).
pub async fn recent_turns(
    db: &Db,
    room_id: Uuid,
    limit: i64,
    budget: usize,
) -> Result<Vec<(String, String)>> {
    const SQL: &str = "SELECT role, content FROM messages WHERE room_id = $1 AND status <> 'failed' AND content <> '' \
         ORDER BY id DESC LIMIT $2";
    let mut used = 0;
    db.hot_all_while(
        Stmt::new(SQL).bind(room_id).bind(limit),
        |(_, content): &(String, String)| {
            used += content.chars().count();
            used <= budget
        },
    )
    .await
}

/// A search hit.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRow {
    pub message: MessageRow,
    pub room_title: String,
}

impl HotRow for SearchRow {
    fn from_row(row: &dyn Row) -> Result<SearchRow> {
        Ok(SearchRow {
            message: MessageRow::from_row(row)?,
            room_title: row.text(8)?,
        })
    }
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
    let stmt = Stmt::new(
        "SELECT m.id, m.room_id, m.role, m.content, m.html, m.status, m.model, m.created_at, r.title \
         FROM messages m JOIN rooms r ON r.id = m.room_id \
         WHERE m.owner_id = $1 AND LOWER(m.content) LIKE $2 ESCAPE '\\' AND ($3 IS NULL OR m.id < $3) \
         ORDER BY m.id DESC LIMIT $4",
    )
    .bind(owner)
    .bind(pattern)
    .bind(before)
    .bind(limit);
    db.query_all(stmt).await
}
