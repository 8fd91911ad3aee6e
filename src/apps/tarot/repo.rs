//! SQL for tarot deals and readings. Every reading query takes the owner, so another
//! user's reading is simply not found.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::on_db;

/// A reading as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReadingRow {
    pub id: Uuid,
    pub subject: String,
    pub concern: String,
    pub language: String,
    pub source: String,
    /// JSON array of `{num, reversed}` in position order.
    pub cards: String,
    /// JSON of [`super::Sections`].
    pub sections: String,
    pub created_at: OffsetDateTime,
}

/// A reading to store.
pub struct NewReading<'a> {
    pub subject: &'a str,
    pub concern: &'a str,
    pub language: &'a str,
    pub source: &'a str,
    pub cards: String,
    pub sections: String,
}

/// Replaces the user's latest deal.
pub async fn save_deal(db: &Db, user_id: Uuid, cards: &str) -> Result<()> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO tarot_deals (user_id, cards, dealt_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET cards = excluded.cards, dealt_at = excluded.dealt_at",
        )
        .bind(user_id)
        .bind(cards)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The user's latest deal (JSON), if any.
pub async fn latest_deal(db: &Db, user_id: Uuid) -> Result<Option<String>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar("SELECT cards FROM tarot_deals WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?)
}

const COLUMNS: &str = "id, subject, concern, language, source, cards, sections, created_at";

/// Stores a reading; returns it as stored.
pub async fn insert_reading(db: &Db, user_id: Uuid, r: &NewReading<'_>) -> Result<ReadingRow> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO tarot_readings (id, user_id, subject, concern, language, source, cards, sections, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ));
    let id = Uuid::now_v7();
    let now = crate::db::now();
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ReadingRow>(sql)
            .bind(id)
            .bind(user_id)
            .bind(r.subject)
            .bind(r.concern)
            .bind(r.language)
            .bind(r.source)
            .bind(&r.cards)
            .bind(&r.sections)
            .bind(now)
            .fetch_one(pool)
            .await
    })?)
}

/// The caller's reading.
pub async fn get_reading(db: &Db, user_id: Uuid, id: Uuid) -> Result<Option<ReadingRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM tarot_readings WHERE id = $1 AND user_id = $2"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ReadingRow>(sql)
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?)
}

/// The caller's readings, newest first, after the cursor (a reading id).
pub async fn list_readings(
    db: &Db,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ReadingRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM tarot_readings WHERE user_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ReadingRow>(sql)
            .bind(user_id)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

pub async fn delete_reading(db: &Db, user_id: Uuid, id: Uuid) -> Result<bool> {
    db.delete_owned("tarot_readings", "user_id", id, user_id)
        .await
}
