//! SQL for quota usage and per-user overrides.

use uuid::Uuid;

use crate::db::{Db, Stmt, Tx};
use crate::error::Result;
use crate::{on_db, on_tx};

/// Adds one use if that stays within `limit` and then, in the same transaction and only
/// then, runs `with`; returns the new count, or `None` when the limit is reached. One
/// conditional statement, so it is exact under any concurrency on both backends.
pub async fn try_increment(
    db: &Db,
    user_id: Uuid,
    scope: &str,
    day: &str,
    limit: i64,
    with: Vec<Stmt>,
) -> Result<Option<i64>> {
    const SQL: &str = "INSERT INTO quota_usage (user_id, scope, day, used) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (user_id, scope, day) DO UPDATE SET used = quota_usage.used + 1 \
         WHERE quota_usage.used < $4 \
         RETURNING used";
    let stmt = Stmt::new(SQL)
        .bind(user_id)
        .bind(scope)
        .bind(day)
        .bind(limit);
    db.hot_write_claimed::<i64>(stmt, with).await
}

/// Gives one use back.
pub fn decrement_stmt(user_id: Uuid, scope: &str, day: &str) -> Stmt {
    const SQL: &str = "UPDATE quota_usage SET used = used - 1 \
         WHERE user_id = $1 AND scope = $2 AND day = $3 AND used > 0";
    Stmt::new(SQL).bind(user_id).bind(scope).bind(day)
}

/// Records a hold on a reserved slot.
pub fn insert_hold(id: Uuid, user_id: Uuid, scope: &str, day: &str, message: Option<Uuid>) -> Stmt {
    const SQL: &str = "INSERT INTO quota_holds (id, user_id, scope, day, held_at_us, message_id) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    Stmt::new(SQL)
        .bind(id)
        .bind(user_id)
        .bind(scope)
        .bind(day)
        .bind(crate::db::micros(crate::db::now()))
        .bind(message)
}

/// Removes a hold, returning its id when it was still there (the settling claim).
pub fn claim_hold(id: Uuid) -> Stmt {
    Stmt::new("DELETE FROM quota_holds WHERE id = $1 RETURNING id").bind(id)
}

/// Holds settled per query by a sweep.
pub const SWEEP_BATCH: i64 = 500;

/// A hold left behind.
#[derive(Debug)]
pub struct HoldRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub scope: String,
    pub day: String,
}

impl crate::db::HotRow for HoldRow {
    fn from_row(row: &dyn crate::db::Row) -> Result<HoldRow> {
        Ok(HoldRow {
            id: row.uuid(0)?,
            user_id: row.uuid(1)?,
            scope: row.text(2)?,
            day: row.text(3)?,
        })
    }
}

/// Holds not tied to an answer, taken before `before_us`, oldest first.
pub async fn stale_holds(db: &Db, before_us: i64) -> Result<Vec<HoldRow>> {
    const SQL: &str = "SELECT id, user_id, scope, day FROM quota_holds \
         WHERE message_id IS NULL AND held_at_us < $1 ORDER BY held_at_us LIMIT $2";
    db.query_all(Stmt::new(SQL).bind(before_us).bind(SWEEP_BATCH))
        .await
}

/// Uses per scope on a day.
pub async fn used_on(db: &Db, user_id: Uuid, day: &str) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT scope, used FROM quota_usage WHERE user_id = $1 AND day = $2";
    db.hot_all(Stmt::new(SQL).bind(user_id).bind(day)).await
}

/// A user's own limit for a scope, if an admin set one (0 = unlimited).
pub async fn override_for(db: &Db, user_id: Uuid, scope: &str) -> Result<Option<i64>> {
    const SQL: &str = "SELECT daily_limit FROM quota_overrides WHERE user_id = $1 AND scope = $2";
    db.hot_one(Stmt::new(SQL).bind(user_id).bind(scope)).await
}

/// Sets (or with `None` removes) a user's own limit for a scope.
pub async fn set_override(db: &Db, user_id: Uuid, scope: &str, limit: Option<i64>) -> Result<()> {
    match limit {
        Some(limit) => on_db!(db, |pool| {
            sqlx::query(
                "INSERT INTO quota_overrides (user_id, scope, daily_limit) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, scope) DO UPDATE SET daily_limit = $3",
            )
            .bind(user_id)
            .bind(scope)
            .bind(limit)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?,
        None => on_db!(db, |pool| {
            sqlx::query("DELETE FROM quota_overrides WHERE user_id = $1 AND scope = $2")
                .bind(user_id)
                .bind(scope)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?,
    };
    Ok(())
}

/// A user's own limit for a scope, read inside a transaction (for a change that records
/// the value it replaces).
pub async fn override_in(tx: &mut Tx, user_id: Uuid, scope: &str) -> Result<Option<i64>> {
    let limit = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "SELECT daily_limit FROM quota_overrides WHERE user_id = $1 AND scope = $2",
        )
        .bind(user_id)
        .bind(scope)
        .fetch_optional(conn)
        .await
    })?;
    Ok(limit)
}

/// [`set_override`] inside a transaction (an admin change and its audit entry commit
/// together).
pub async fn set_override_in(
    tx: &mut Tx,
    user_id: Uuid,
    scope: &str,
    limit: Option<i64>,
) -> Result<()> {
    match limit {
        Some(limit) => on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO quota_overrides (user_id, scope, daily_limit) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, scope) DO UPDATE SET daily_limit = $3",
            )
            .bind(user_id)
            .bind(scope)
            .bind(limit)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        })?,
        None => on_tx!(tx, |conn| {
            sqlx::query("DELETE FROM quota_overrides WHERE user_id = $1 AND scope = $2")
                .bind(user_id)
                .bind(scope)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        })?,
    };
    Ok(())
}
