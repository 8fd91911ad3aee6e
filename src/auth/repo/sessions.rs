//! Sessions and refresh tokens: open, check (the hot query behind every request), rotate,
//! revoke.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{Db, HotRow, Stmt, Tx};
use crate::error::Result;
use crate::{on_db, on_tx};

use super::{USER_COLUMNS, UserRow};

/// The user and session behind a valid access token.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub username: String,
    pub role: String,
    /// When the session expires (callers cached in memory stop there).
    pub session_expires_at: OffsetDateTime,
    /// When the session began (it ends at an absolute maximum age from here).
    pub session_created_at: OffsetDateTime,
}

impl HotRow for AuthRow {
    fn from_row(row: &dyn crate::db::Row) -> Result<AuthRow> {
        Ok(AuthRow {
            id: row.uuid(0)?,
            email: row.opt_text(1)?,
            username: row.text(2)?,
            role: row.text(3)?,
            session_expires_at: row.time(4)?,
            session_created_at: row.time(5)?,
        })
    }
}

/// Loads the user of a live session in one indexed query: the session must be unrevoked,
/// unexpired, belong to `user_id`, and the user must be active.
pub async fn live_session_user(
    db: &Db,
    session_id: Uuid,
    user_id: Uuid,
) -> Result<Option<AuthRow>> {
    const SQL: &str = "SELECT u.id, u.email, u.username, u.role, s.expires_at, s.created_at \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL \
           AND s.expires_at > $3 AND u.is_active";
    db.hot_one(
        Stmt::new(SQL)
            .bind(session_id)
            .bind(user_id)
            .bind(crate::db::now()),
    )
    .await
}

/// Opens a session with its first refresh token.
pub async fn create_session(
    db: &Db,
    user_id: Uuid,
    refresh_hash: &[u8],
    expires_at: OffsetDateTime,
    user_agent: Option<&str>,
    ip: Option<&str>,
) -> Result<Uuid> {
    let now = crate::db::now();
    let id = Uuid::now_v7();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, user_agent, ip) \
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .bind(user_agent)
        .bind(ip)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    insert_refresh_token(&mut tx, id, refresh_hash, now).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_refresh_token(
    tx: &mut Tx,
    session_id: Uuid,
    hash: &[u8],
    now: OffsetDateTime,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(session_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What presenting a refresh token led to.
pub enum Rotation {
    /// The token was current: it is now used, and `new_hash` replaces it.
    Rotated { user: UserRow, session_id: Uuid },
    /// The token had been used before: its whole session is now revoked.
    Reused,
    /// Unknown token, or its session is revoked, expired or its user inactive.
    Invalid,
}

/// Atomically marks a refresh token used and stores its successor. Exactly one of any
/// number of concurrent presentations of one token can win; every later one is a reuse.
/// A session begun before `created_after` (past its absolute maximum age) cannot refresh.
pub async fn rotate_refresh_token(
    db: &Db,
    old_hash: &[u8],
    new_hash: &[u8],
    new_expires_at: OffsetDateTime,
    created_after: OffsetDateTime,
) -> Result<Rotation> {
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    let won: Option<Uuid> = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar(
            "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
             RETURNING session_id",
        )
        .bind(old_hash)
        .bind(now)
        .fetch_optional(conn)
        .await
    })?;
    let Some(session_id) = won else {
        let seen: Option<Uuid> = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar("SELECT session_id FROM refresh_tokens WHERE token_hash = $1")
                .bind(old_hash)
                .fetch_optional(conn)
                .await
        })?;
        let Some(session_id) = seen else {
            return Ok(Rotation::Invalid);
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $2, revoked_reason = 'refresh_token_reuse' \
                 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(session_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        })?;
        tx.commit().await?;
        tracing::warn!(%session_id, "refresh token reuse detected; session revoked");
        return Ok(Rotation::Reused);
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.created_at > $3 \
         AND u.is_active",
        USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let user: Option<UserRow> = on_tx!(&mut tx, |conn| {
        sqlx::query_as::<_, UserRow>(sql)
            .bind(session_id)
            .bind(now)
            .bind(created_after)
            .fetch_optional(conn)
            .await
    })?;
    let Some(user) = user else {
        return Ok(Rotation::Invalid);
    };
    insert_refresh_token(&mut tx, session_id, new_hash, now).await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE sessions SET last_used_at = $2, expires_at = $3 WHERE id = $1")
            .bind(session_id)
            .bind(now)
            .bind(new_expires_at)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(Rotation::Rotated { user, session_id })
}

/// Revokes one session.
pub async fn revoke_session(db: &Db, session_id: Uuid, reason: &str) -> Result<()> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(session_id)
        .bind(now)
        .bind(reason)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Revokes every session of a user except `keep`.
pub async fn revoke_user_sessions(
    tx: &mut Tx,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
) -> Result<u64> {
    let now = crate::db::now();
    let done = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $3, revoked_reason = $4 \
             WHERE user_id = $1 AND revoked_at IS NULL AND ($2 IS NULL OR id <> $2)",
        )
        .bind(user_id)
        .bind(keep)
        .bind(now)
        .bind(reason)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(done)
}

/// Replaces a password and revokes every other session, atomically.
pub async fn change_password(db: &Db, user_id: Uuid, hash: &str, keep: Uuid) -> Result<()> {
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(hash)
            .bind(now)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    revoke_user_sessions(&mut tx, user_id, Some(keep), "password_changed").await?;
    tx.commit().await
}
