//! SQL for travel plans. Every query takes the owner, so another user's plan is simply not
//! found.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::on_db;

/// A plan as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PlanRow {
    pub id: Uuid,
    pub room_id: Option<Uuid>,
    pub language: String,
    pub source: String,
    pub departure_date: String,
    pub arrival_date: String,
    pub days: i64,
    pub travelers: i64,
    /// JSON of [`super::plans::TripView`].
    pub request: String,
    /// JSON of [`super::compose::PlanBody`].
    pub body: String,
    pub created_at: OffsetDateTime,
}

/// A plan in a list (without its body).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PlanSummaryRow {
    pub id: Uuid,
    pub room_id: Option<Uuid>,
    pub language: String,
    pub source: String,
    pub departure_date: String,
    pub arrival_date: String,
    pub days: i64,
    pub travelers: i64,
    pub request: String,
    pub created_at: OffsetDateTime,
}

/// A plan to store.
pub struct NewPlan<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub room_id: Option<Uuid>,
    pub language: &'a str,
    pub source: &'a str,
    pub departure_date: &'a str,
    pub arrival_date: &'a str,
    pub days: i64,
    pub travelers: i64,
    pub request: &'a str,
    pub body: &'a str,
}

const COLUMNS: &str = "id, room_id, language, source, departure_date, arrival_date, days, travelers, request, body, created_at";

pub async fn insert_plan(db: &Db, plan: &NewPlan<'_>) -> Result<()> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO travel_plans (id, user_id, room_id, language, source, departure_date, arrival_date, \
             days, travelers, request, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(plan.id)
        .bind(plan.user_id)
        .bind(plan.room_id)
        .bind(plan.language)
        .bind(plan.source)
        .bind(plan.departure_date)
        .bind(plan.arrival_date)
        .bind(plan.days)
        .bind(plan.travelers)
        .bind(plan.request)
        .bind(plan.body)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The caller's plan.
pub async fn get_plan(db: &Db, user_id: Uuid, id: Uuid) -> Result<Option<PlanRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM travel_plans WHERE id = $1 AND user_id = $2"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, PlanRow>(sql)
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?)
}

/// The caller's plans, newest first, after the cursor (a plan id).
pub async fn list_plans(
    db: &Db,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PlanSummaryRow>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, PlanSummaryRow>(
            "SELECT id, room_id, language, source, departure_date, arrival_date, days, travelers, request, created_at \
             FROM travel_plans WHERE user_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(user_id)
        .bind(before)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}

/// Deletes the caller's plan; returns whether there was one, and its room.
pub async fn delete_plan(db: &Db, user_id: Uuid, id: Uuid) -> Result<Option<Option<Uuid>>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar::<_, Option<Uuid>>(
            "DELETE FROM travel_plans WHERE id = $1 AND user_id = $2 RETURNING room_id",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })?)
}
