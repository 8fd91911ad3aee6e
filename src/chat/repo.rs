//! SQL for rooms and messages. Every query that takes a room also takes its owner, so a
//! room that is not the caller's is simply not found.

use time::OffsetDateTime;
use uuid::Uuid;

use rusqlite::OptionalExtension as _;

use crate::db::Db;
use crate::db::lite::{prepare, time_at, time_param, uuid_at, uuid_param};
use crate::error::Result;
use crate::on_db;

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

impl RoomRow {
    /// Maps a row of [`ROOM_COLUMNS`] on SQLite's fast path.
    fn from_lite(row: &rusqlite::Row<'_>) -> rusqlite::Result<RoomRow> {
        Ok(RoomRow {
            id: uuid_at(row, 0)?,
            owner_id: uuid_at(row, 1)?,
            assistant: row.get(2)?,
            title: row.get(3)?,
            settings: row.get(4)?,
            created_at: time_at(row, 5)?,
            updated_at: time_at(row, 6)?,
            last_activity_us: row.get(7)?,
            last_message_preview: row.get(8)?,
        })
    }
}

impl MessageRow {
    /// Maps a row of [`MESSAGE_COLUMNS`] on SQLite's fast path.
    fn from_lite(row: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
        Ok(MessageRow {
            id: uuid_at(row, 0)?,
            room_id: uuid_at(row, 1)?,
            role: row.get(2)?,
            content: row.get(3)?,
            html: row.get(4)?,
            status: row.get(5)?,
            model: row.get(6)?,
            created_at: time_at(row, 7)?,
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
    let sql = format!(
        "SELECT {ROOM_COLUMNS} FROM rooms WHERE owner_id = $1 \
         AND ($2 IS NULL OR last_activity_us < $2 OR (last_activity_us = $2 AND id < $3)) \
         ORDER BY last_activity_us DESC, id DESC LIMIT $4"
    );
    match db {
        Db::Sqlite(sqlite) => sqlite.lite.read(|c| {
            prepare(c, &sql)?
                .query_map(
                    (
                        uuid_param(&owner),
                        activity,
                        id.as_ref().map(uuid_param),
                        limit,
                    ),
                    RoomRow::from_lite,
                )?
                .collect()
        }),
        Db::Postgres(pool) => Ok(sqlx::query_as::<_, RoomRow>(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .bind(activity)
            .bind(id)
            .bind(limit)
            .fetch_all(pool)
            .await?),
    }
}

pub async fn get_room(db: &Db, owner: Uuid, id: Uuid) -> Result<Option<RoomRow>> {
    let sql = format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = $1 AND owner_id = $2");
    match db {
        Db::Sqlite(sqlite) => sqlite.lite.read(|c| {
            prepare(c, &sql)?
                .query_row((uuid_param(&id), uuid_param(&owner)), RoomRow::from_lite)
                .optional()
        }),
        Db::Postgres(pool) => Ok(sqlx::query_as::<_, RoomRow>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await?),
    }
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
    const TOUCH_ROOM: &str = "UPDATE rooms SET last_activity_us = $3, last_message_preview = $4, \
         title = CASE WHEN title = '' AND $5 IS NOT NULL THEN $5 ELSE title END \
         WHERE id = $1 AND owner_id = $2";
    let now = crate::db::now();
    let id = Uuid::now_v7();
    let sql = format!(
        "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, model, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {MESSAGE_COLUMNS}"
    );
    let pool = match db {
        Db::Postgres(pool) => pool,
        Db::Sqlite(sqlite) => {
            let (room_id, owner_id) = (m.room_id, m.owner_id);
            let owned = [m.role, m.content, m.html, m.status, m.preview].map(str::to_owned);
            let (model, title) = (
                m.model.map(str::to_owned),
                m.title_if_empty.map(str::to_owned),
            );
            return sqlite
                .lite
                .write(move |c| {
                    let [role, content, html, status, preview] = &owned;
                    let row = prepare(c, &sql)?.query_row(
                        (
                            uuid_param(&id),
                            uuid_param(&room_id),
                            uuid_param(&owner_id),
                            role,
                            content,
                            html,
                            status,
                            &model,
                            time_param(now)?,
                        ),
                        MessageRow::from_lite,
                    )?;
                    prepare(c, TOUCH_ROOM)?.execute((
                        uuid_param(&room_id),
                        uuid_param(&owner_id),
                        micros(now),
                        preview,
                        &title,
                    ))?;
                    Ok(row)
                })
                .await;
        }
    };
    let mut tx = pool.begin().await?;
    let row = sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(m.room_id)
        .bind(m.owner_id)
        .bind(m.role)
        .bind(m.content)
        .bind(m.html)
        .bind(m.status)
        .bind(m.model)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(TOUCH_ROOM)
        .bind(m.room_id)
        .bind(m.owner_id)
        .bind(micros(now))
        .bind(m.preview)
        .bind(m.title_if_empty)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row)
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
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = $1 AND owner_id = $2 \
         AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
    );
    match db {
        Db::Sqlite(sqlite) => sqlite.lite.read(|c| {
            prepare(c, &sql)?
                .query_map(
                    (
                        uuid_param(&room_id),
                        uuid_param(&owner),
                        before.as_ref().map(uuid_param),
                        limit,
                    ),
                    MessageRow::from_lite,
                )?
                .collect()
        }),
        Db::Postgres(pool) => Ok(sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(sql))
            .bind(room_id)
            .bind(owner)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?),
    }
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
    match db {
        Db::Sqlite(sqlite) => sqlite.lite.read(|c| {
            let mut statement = prepare(c, SQL)?;
            let mut rows = statement.query((uuid_param(&room_id), limit))?;
            let (mut turns, mut used) = (Vec::new(), 0);
            while used <= budget
                && let Some(row) = rows.next()?
            {
                let content: String = row.get(1)?;
                used += content.chars().count();
                turns.push((row.get(0)?, content));
            }
            Ok(turns)
        }),
        Db::Postgres(pool) => Ok(sqlx::query_as(SQL)
            .bind(room_id)
            .bind(limit)
            .fetch_all(pool)
            .await?),
    }
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
