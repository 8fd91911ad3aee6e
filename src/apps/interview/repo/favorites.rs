//! SQL for favourites: starred questions, one per question text per user.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::on_db;

/// A favourite as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FavoriteRow {
    pub id: Uuid,
    pub field: String,
    pub difficulty: String,
    pub question: String,
    pub intent: String,
    pub model_answer: String,
    pub source: Option<String>,
    pub created_at: OffsetDateTime,
}

const FAVORITE_COLUMNS: &str =
    "id, field, difficulty, question, intent, model_answer, source, created_at";

/// A favourite to store.
pub struct NewFavorite<'a> {
    pub field: &'a str,
    pub difficulty: &'a str,
    pub question: &'a str,
    pub question_key: &'a str,
    pub intent: &'a str,
    pub model_answer: &'a str,
    pub source: Option<&'a str>,
}

/// Stores a favourite unless the user already starred the same question. Returns the
/// row and whether it is new.
pub async fn add_favorite(
    db: &Db,
    user_id: Uuid,
    f: &NewFavorite<'_>,
) -> Result<(FavoriteRow, bool)> {
    let insert = sqlx::AssertSqlSafe(format!(
        "INSERT INTO interview_favorites \
         (id, user_id, field, difficulty, question, question_key, intent, model_answer, source, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (user_id, question_key) DO NOTHING RETURNING {FAVORITE_COLUMNS}"
    ));
    let now = crate::db::now();
    let created = on_db!(db, |pool| {
        sqlx::query_as::<_, FavoriteRow>(insert)
            .bind(Uuid::now_v7())
            .bind(user_id)
            .bind(f.field)
            .bind(f.difficulty)
            .bind(f.question)
            .bind(f.question_key)
            .bind(f.intent)
            .bind(f.model_answer)
            .bind(f.source)
            .bind(now)
            .fetch_optional(pool)
            .await
    })?;
    if let Some(row) = created {
        return Ok((row, true));
    }
    let select = sqlx::AssertSqlSafe(format!(
        "SELECT {FAVORITE_COLUMNS} FROM interview_favorites WHERE user_id = $1 AND question_key = $2"
    ));
    let existing = on_db!(db, |pool| {
        sqlx::query_as::<_, FavoriteRow>(select)
            .bind(user_id)
            .bind(f.question_key)
            .fetch_one(pool)
            .await
    })?;
    Ok((existing, false))
}

/// The caller's favourites, newest first, after the cursor (a favourite id).
pub async fn list_favorites(
    db: &Db,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<FavoriteRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {FAVORITE_COLUMNS} FROM interview_favorites WHERE user_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, FavoriteRow>(sql)
            .bind(user_id)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?)
}

pub async fn delete_favorite(db: &Db, user_id: Uuid, id: Uuid) -> Result<bool> {
    db.delete_owned("interview_favorites", "user_id", id, user_id)
        .await
}
