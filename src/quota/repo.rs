//! SQL for quota usage and per-user overrides.

use uuid::Uuid;

use crate::db::{Db, Stmt};
use crate::error::Result;
use crate::on_db;

/// Adds one use if that stays within `limit`; returns the new count, or `None` when the
/// limit is reached. One statement, so it is exact under any concurrency on both backends.
pub async fn try_increment(
    db: &Db,
    user_id: Uuid,
    scope: &str,
    day: &str,
    limit: i64,
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
    db.hot_write::<i64>(stmt, Vec::new()).await
}

/// Gives one use back.
pub async fn decrement(db: &Db, user_id: Uuid, scope: &str, day: &str) -> Result<()> {
    const SQL: &str = "UPDATE quota_usage SET used = used - 1 \
         WHERE user_id = $1 AND scope = $2 AND day = $3 AND used > 0";
    db.hot_execute(Stmt::new(SQL).bind(user_id).bind(scope).bind(day))
        .await?;
    Ok(())
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
