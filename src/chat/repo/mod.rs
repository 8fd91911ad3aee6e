//! SQL for rooms and messages. Every query that takes a room also takes its owner, so a
//! room that is not the caller's is simply not found.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{Db, HotRow, Row, Stmt};
use crate::error::Result;

mod messages;
pub use messages::*;

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

pub use crate::db::micros;

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
    if let Db::Postgres(pool) = db {
        return delete_room_postgres(pool, owner, id).await;
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

/// [`delete_room`] on PostgreSQL. An answer settling in the room locks its quota hold, then
/// its message, then the room (`answers::settle`), while deleting a message sets its hold's
/// `message_id` to NULL and deleting the room deletes its messages: the other way round, so
/// the two could deadlock (and PostgreSQL might pick the settling answer as the victim). So
/// each step first locks the holds of the room's answers, touches only messages whose holds
/// it has locked, and deletes the room only once it holds the room and no answer has started
/// in between; otherwise it lets go and tries again (a settling answer is then let through).
async fn delete_room_postgres(pool: &sqlx::PgPool, owner: Uuid, id: Uuid) -> Result<bool> {
    const OTHER_HOLDS: &str = "SELECT count(*) FROM quota_holds h JOIN messages m ON m.id = h.message_id \
         WHERE m.room_id = $1 AND m.owner_id = $2 AND h.id <> ALL($3)";
    const TRIES: usize = 50;
    loop {
        let mut tx = pool.begin().await?;
        let locked = lock_room_holds(&mut tx, owner, id).await?;
        let deleted = sqlx::query(
            "DELETE FROM messages WHERE id IN \
             (SELECT m.id FROM messages m WHERE m.room_id = $1 AND m.owner_id = $2 \
              AND NOT EXISTS (SELECT 1 FROM quota_holds h WHERE h.message_id = m.id \
                              AND h.id <> ALL($4)) \
              LIMIT $3)",
        )
        .bind(id)
        .bind(owner)
        .bind(DELETE_CHUNK)
        .bind(&locked)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        if deleted < DELETE_CHUNK as u64 {
            break;
        }
    }
    for _ in 0..TRIES {
        let mut tx = pool.begin().await?;
        let locked = lock_room_holds(&mut tx, owner, id).await?;
        // Holding the room keeps new sends out (their messages need it); an answer that
        // started before that and whose hold we do not hold may be settling: let it finish.
        let room: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM rooms WHERE id = $1 AND owner_id = $2 FOR UPDATE")
                .bind(id)
                .bind(owner)
                .fetch_optional(&mut *tx)
                .await?;
        if room.is_none() {
            return Ok(false);
        }
        let others: i64 = sqlx::query_scalar(OTHER_HOLDS)
            .bind(id)
            .bind(owner)
            .bind(&locked)
            .fetch_one(&mut *tx)
            .await?;
        if others > 0 {
            tx.rollback().await?;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            continue;
        }
        let deleted = sqlx::query("DELETE FROM rooms WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        return Ok(deleted > 0);
    }
    Err(crate::error::Error::Busy)
}

/// Locks the quota holds of a room's answers (in id order); returns their ids.
async fn lock_room_holds(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    owner: Uuid,
    id: Uuid,
) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT h.id FROM quota_holds h JOIN messages m ON m.id = h.message_id \
         WHERE m.room_id = $1 AND m.owner_id = $2 ORDER BY h.id FOR UPDATE OF h",
    )
    .bind(id)
    .bind(owner)
    .fetch_all(&mut **tx)
    .await?)
}
