//! SQL for messages: storing questions and answers, a running answer's progress and stop,
//! reading a room's history and searching an owner's messages.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{MESSAGE_COLUMNS, MessageRow, RoomRow, micros};
use crate::db::{Db, HotRow, Row, Stmt};
use crate::error::Result;

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

/// Stores a message, without reading it back (a statement for a larger write).
pub fn insert_message_stmt(id: Uuid, m: &NewMessage<'_>, at: OffsetDateTime) -> Stmt {
    Stmt::new(
        "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, model, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(m.room_id)
    .bind(m.owner_id)
    .bind(m.role)
    .bind(m.content)
    .bind(m.html)
    .bind(m.status)
    .bind(m.model)
    .bind(at)
}

/// Moves a room to the top of its owner's list with a new preview (kept when `preview` is
/// empty), and gives it `title_if_empty` when it has no title yet.
pub fn touch_room_stmt(
    room: &RoomRow,
    at: OffsetDateTime,
    preview: &str,
    title_if_empty: Option<&str>,
) -> Stmt {
    Stmt::new(
        "UPDATE rooms SET last_activity_us = $3, \
         last_message_preview = CASE WHEN $4 = '' THEN last_message_preview ELSE $4 END, \
         title = CASE WHEN title = '' AND $5 IS NOT NULL THEN $5 ELSE title END \
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(room.id)
    .bind(room.owner_id)
    .bind(micros(at))
    .bind(preview)
    .bind(title_if_empty)
}

/// [`touch_room_stmt`] now, for an answer's end.
pub fn touch_room(room: &RoomRow, preview: &str) -> Stmt {
    touch_room_stmt(room, crate::db::now(), preview, None)
}

/// Stores how a running answer ended (only while it is still `streaming`).
pub fn finish_answer(
    id: Uuid,
    content: &str,
    html: &str,
    status: &str,
    model: Option<&str>,
) -> Stmt {
    Stmt::new(
        "UPDATE messages SET content = $2, html = $3, status = $4, model = $5 \
         WHERE id = $1 AND status = 'streaming'",
    )
    .bind(id)
    .bind(content)
    .bind(html)
    .bind(status)
    .bind(model)
}

/// Saves a running answer's text so far; returns 0 when it is no longer running.
pub async fn save_partial(db: &Db, id: Uuid, content: &str) -> Result<u64> {
    db.hot_execute(
        Stmt::new("UPDATE messages SET content = $2 WHERE id = $1 AND status = 'streaming'")
            .bind(id)
            .bind(content),
    )
    .await
}

/// Whether a stop was asked for the answer a hold pays for (`None`: no such hold).
pub async fn stop_requested(db: &Db, hold: Uuid) -> Result<Option<bool>> {
    db.hot_one(Stmt::new("SELECT stop_requested FROM quota_holds WHERE id = $1").bind(hold))
        .await
}

/// Asks whichever instance runs an answer to stop it; returns 0 when it is not running.
pub async fn request_stop(db: &Db, owner: Uuid, message: Uuid) -> Result<u64> {
    db.hot_execute(
        Stmt::new(
            "UPDATE quota_holds SET stop_requested = TRUE WHERE message_id = $1 AND user_id = $2",
        )
        .bind(message)
        .bind(owner),
    )
    .await
}

/// One of the owner's messages in a room.
pub async fn get_message(db: &Db, owner: Uuid, room: Uuid, id: Uuid) -> Result<Option<MessageRow>> {
    let stmt = Stmt::new(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND room_id = $2 AND owner_id = $3"
    ))
    .bind(id)
    .bind(room)
    .bind(owner);
    db.hot_one(stmt).await
}

/// A message by id (for following an answer whose owner was already checked).
pub async fn message_by_id(db: &Db, id: Uuid) -> Result<Option<MessageRow>> {
    let stmt = Stmt::new(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
    ))
    .bind(id);
    db.hot_one(stmt).await
}

/// The newest message of a room.
pub async fn last_message(db: &Db, owner: Uuid, room: Uuid) -> Result<Option<MessageRow>> {
    Ok(list_messages(db, owner, room, None, 1).await?.pop())
}

/// Deletes one of the owner's messages unless it is a running answer.
pub fn delete_message_stmt(owner: Uuid, id: Uuid) -> Stmt {
    Stmt::new("DELETE FROM messages WHERE id = $1 AND owner_id = $2 AND status <> 'streaming'")
        .bind(id)
        .bind(owner)
}

/// A running answer whose hold is older than a sweep's limit.
#[derive(Debug)]
pub struct StaleAnswer {
    pub hold: Uuid,
    pub user_id: Uuid,
    pub scope: String,
    pub day: String,
    pub message_id: Uuid,
    pub content: String,
}

impl HotRow for StaleAnswer {
    fn from_row(row: &dyn Row) -> Result<StaleAnswer> {
        Ok(StaleAnswer {
            hold: row.uuid(0)?,
            user_id: row.uuid(1)?,
            scope: row.text(2)?,
            day: row.text(3)?,
            message_id: row.uuid(4)?,
            content: row.text(5)?,
        })
    }
}

/// Answers paid for by holds taken before `before_us`, oldest first.
pub async fn stale_answers(db: &Db, before_us: i64) -> Result<Vec<StaleAnswer>> {
    const SQL: &str = "SELECT h.id, h.user_id, h.scope, h.day, m.id, m.content \
         FROM quota_holds h JOIN messages m ON m.id = h.message_id \
         WHERE h.held_at_us < $1 ORDER BY h.held_at_us LIMIT $2";
    db.query_all(
        Stmt::new(SQL)
            .bind(before_us)
            .bind(crate::quota::repo::SWEEP_BATCH),
    )
    .await
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

/// The query behind [`recent_turns`]: it repeats the WHERE terms of the partial index
/// `messages_context_idx` (migration 0013) exactly, so the planner reads through that index
/// and never visits a row it cannot use (an answer still streaming, a failed or empty one).
pub const RECENT_TURNS_SQL: &str = "SELECT role = 'assistant', content FROM messages \
     WHERE room_id = $1 AND status IN ('complete', 'incomplete') AND content <> '' \
     ORDER BY id DESC LIMIT $2";

/// A turn of the model's context.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    /// Written by the assistant (else by the user).
    pub assistant: bool,
    pub content: String,
    /// The text's length in characters, counted once for the budget here and for the trim
    /// that builds the request (`chat::send`).
    pub chars: usize,
}

impl HotRow for Turn {
    fn from_row(row: &dyn Row) -> Result<Turn> {
        let content = row.text(1)?;
        Ok(Turn {
            assistant: row.bool(0)?,
            chars: content.chars().count(),
            content,
        })
    }
}

/// The most recent usable turns of a room (newest first) for the model's context: at most
/// `limit`, and no more once their text passes `budget` characters (the turn that passes it
/// is included, so the caller sees where the budget ends).
pub async fn recent_turns(db: &Db, room_id: Uuid, limit: i64, budget: usize) -> Result<Vec<Turn>> {
    let mut used = 0;
    db.hot_all_while(
        Stmt::new(RECENT_TURNS_SQL).bind(room_id).bind(limit),
        |turn: &Turn| {
            used += turn.chars;
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
