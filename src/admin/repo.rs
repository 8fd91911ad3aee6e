//! SQL of the admin feature: users as an admin sees them, role and activity changes with
//! their audit entries in one transaction, usage counts, and the audit log.
//!
//! No query here reads a message, post, answer or any other content column: usage comes
//! from `quota_usage` alone, users from `users`, `sessions` and `api_keys` (times only).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::repo::{Role, revoke_user_sessions};
use crate::db::{Db, Tx};
use crate::error::Result;
use crate::{on_db, on_tx};

/// A user as an admin lists them (no password hash, no content).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AdminUserRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub username: String,
    pub role: String,
    pub is_active: bool,
    pub created_at: OffsetDateTime,
    /// The latest use of any of the user's sessions (login, refresh).
    pub session_last: Option<OffsetDateTime>,
    /// The latest use of any of the user's API keys.
    pub key_last: Option<OffsetDateTime>,
}

const ADMIN_USER_SELECT: &str = "SELECT u.id, u.email, u.username, u.role, u.is_active, u.created_at, \
     (SELECT MAX(s.last_used_at) FROM sessions s WHERE s.user_id = u.id) AS session_last, \
     (SELECT MAX(k.last_used_at) FROM api_keys k WHERE k.user_id = u.id) AS key_last \
     FROM users u";

/// Filters of the user list (already validated).
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// A `LIKE` pattern over the lower-cased email and username (wildcards escaped).
    pub pattern: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// Users newest first (ids are UUIDv7), after `before` when given; `limit` rows.
pub async fn list_users(
    db: &Db,
    filter: &UserFilter,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AdminUserRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ADMIN_USER_SELECT} \
         WHERE ($1 IS NULL OR u.id < $1) \
           AND ($2 IS NULL OR u.email_normalized LIKE $2 ESCAPE '\\' \
                OR u.username_normalized LIKE $2 ESCAPE '\\') \
           AND ($3 IS NULL OR u.role = $3) \
           AND ($4 IS NULL OR u.is_active = $4) \
         ORDER BY u.id DESC LIMIT $5"
    ));
    let rows = on_db!(db, |pool| {
        sqlx::query_as::<_, AdminUserRow>(sql)
            .bind(before)
            .bind(filter.pattern.as_deref())
            .bind(filter.role.map(Role::as_str))
            .bind(filter.active)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows)
}

/// One user.
pub async fn find_user(db: &Db, id: Uuid) -> Result<Option<AdminUserRow>> {
    let sql = sqlx::AssertSqlSafe(format!("{ADMIN_USER_SELECT} WHERE u.id = $1"));
    let row = on_db!(db, |pool| {
        sqlx::query_as::<_, AdminUserRow>(sql)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row)
}

/// `$first, $first+1, …` for `n` values: placeholders only, never data.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Uses on `day` of the given users: (user, scope, used).
pub async fn used_on(db: &Db, users: &[Uuid], day: &str) -> Result<Vec<(Uuid, String, i64)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id, scope, used FROM quota_usage WHERE day = $1 AND user_id IN ({})",
        placeholders(2, users.len())
    );
    let rows = on_db!(db, |pool| {
        let mut query =
            sqlx::query_as::<_, (Uuid, String, i64)>(sqlx::AssertSqlSafe(sql)).bind(day);
        for id in users {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows)
}

/// Limit overrides of the given users: (user, scope, daily limit).
pub async fn overrides_of(db: &Db, users: &[Uuid]) -> Result<Vec<(Uuid, String, i64)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id, scope, daily_limit FROM quota_overrides WHERE user_id IN ({})",
        placeholders(1, users.len())
    );
    let rows = on_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, (Uuid, String, i64)>(sqlx::AssertSqlSafe(sql));
        for id in users {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows)
}

/// What an admin may change about a user, as stored before a change.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Editable {
    pub username: String,
    pub role: String,
    pub is_active: bool,
}

/// Opens a write transaction that no other admin change (or config promotion) runs beside:
/// on PostgreSQL an advisory lock shared by every such change (so "is another admin left?"
/// cannot be answered twice at once); SQLite's `BEGIN IMMEDIATE` already excludes writers.
pub async fn begin_change(db: &Db) -> Result<Tx> {
    let mut tx = db.begin().await?;
    tx.lock_keys(&["admin:roles"]).await?;
    Ok(tx)
}

/// A user's editable state, read inside the change's transaction.
pub async fn editable(tx: &mut Tx, id: Uuid) -> Result<Option<Editable>> {
    let row = on_tx!(tx, |conn| {
        sqlx::query_as::<_, Editable>("SELECT username, role, is_active FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await
    })?;
    Ok(row)
}

/// Active admins other than `except`.
pub async fn other_active_admins(tx: &mut Tx, except: Uuid) -> Result<i64> {
    let n = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND is_active AND id <> $1",
        )
        .bind(except)
        .fetch_one(conn)
        .await
    })?;
    Ok(n)
}

/// Sets a user's role (the caller cache sees it through `auth_version`, bumped by the
/// trigger on `users`; PostgreSQL reads the role on every request).
pub async fn set_role(tx: &mut Tx, id: Uuid, role: Role) -> Result<()> {
    let now = crate::db::now();
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(role.as_str())
            .bind(now)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Activates or deactivates a user. Deactivation ends every session and deletes every API
/// key of the user in the same transaction (a reactivated user logs in and makes keys
/// anew). Requests stop at once on every instance: the session check and the key lookup
/// both require an active owner, and on SQLite the triggers on `users`, `sessions` and
/// `api_keys` bump `auth_version`, so neither cache can answer with the old caller.
/// Returns how many keys were deleted.
pub async fn set_active(tx: &mut Tx, id: Uuid, active: bool) -> Result<u64> {
    let now = crate::db::now();
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE users SET is_active = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(active)
            .bind(now)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    if active {
        return Ok(0);
    }
    revoke_user_sessions(tx, id, None, "deactivated").await?;
    let keys = on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM api_keys WHERE user_id = $1")
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(keys)
}

/// One audit entry to write.
pub struct NewAudit<'a> {
    /// `None` for a change the server made itself (CONFAB_ADMIN_EMAILS).
    pub actor: Option<(Uuid, &'a str)>,
    pub action: &'a str,
    pub target: (Uuid, &'a str),
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Writes an audit entry inside the change's transaction.
pub async fn record(tx: &mut Tx, entry: NewAudit<'_>) -> Result<()> {
    let before = entry.before.map(|v| v.to_string());
    let after = entry.after.map(|v| v.to_string());
    let now = crate::db::now();
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO admin_audit (id, actor_id, actor_name, action, target_id, target_name, \
             before, after, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7())
        .bind(entry.actor.map(|(id, _)| id))
        .bind(entry.actor.map(|(_, name)| name))
        .bind(entry.action)
        .bind(entry.target.0)
        .bind(entry.target.1)
        .bind(before.as_deref())
        .bind(after.as_deref())
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// An audit entry as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_id: Option<Uuid>,
    pub target_name: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub created_at: OffsetDateTime,
}

/// Audit entries newest first, after `before` when given, about `target` when given.
pub async fn list_audit(
    db: &Db,
    target: Option<Uuid>,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let rows = on_db!(db, |pool| {
        sqlx::query_as::<_, AuditRow>(
            "SELECT id, actor_id, actor_name, action, target_id, target_name, before, after, \
             created_at FROM admin_audit \
             WHERE ($1 IS NULL OR id < $1) AND ($2 IS NULL OR target_id = $2) \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(before)
        .bind(target)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows)
}

/// Calls per (day, scope) over `from..=to` (quota days, `YYYY-MM-DD`, which sort as text).
pub async fn usage_by_day(db: &Db, from: &str, to: &str) -> Result<Vec<(String, String, i64)>> {
    let rows = on_db!(db, |pool| {
        sqlx::query_as::<_, (String, String, i64)>(
            "SELECT day, scope, CAST(SUM(used) AS BIGINT) FROM quota_usage \
             WHERE day >= $1 AND day <= $2 GROUP BY day, scope",
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows)
}

/// The users with the most calls over `from..=to`: (user, total), most first.
pub async fn top_users(db: &Db, from: &str, to: &str, limit: i64) -> Result<Vec<(Uuid, i64)>> {
    let rows = on_db!(db, |pool| {
        sqlx::query_as::<_, (Uuid, i64)>(
            "SELECT user_id, CAST(SUM(used) AS BIGINT) AS total FROM quota_usage \
             WHERE day >= $1 AND day <= $2 GROUP BY user_id HAVING SUM(used) > 0 \
             ORDER BY total DESC, user_id LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows)
}

/// Calls per (user, scope) over `from..=to` for the given users.
pub async fn usage_of_users(
    db: &Db,
    users: &[Uuid],
    from: &str,
    to: &str,
) -> Result<Vec<(Uuid, String, i64)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id, scope, CAST(SUM(used) AS BIGINT) FROM quota_usage \
         WHERE day >= $1 AND day <= $2 AND user_id IN ({}) GROUP BY user_id, scope",
        placeholders(3, users.len())
    );
    let rows = on_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, (Uuid, String, i64)>(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to);
        for id in users {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows)
}

/// (id, username, email) of the given users.
pub async fn names_of(db: &Db, users: &[Uuid]) -> Result<Vec<(Uuid, String, Option<String>)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, username, email FROM users WHERE id IN ({})",
        placeholders(1, users.len())
    );
    let rows = on_db!(db, |pool| {
        let mut query =
            sqlx::query_as::<_, (Uuid, String, Option<String>)>(sqlx::AssertSqlSafe(sql));
        for id in users {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows)
}
