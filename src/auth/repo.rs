//! SQL for accounts, sessions, refresh tokens, login throttling and server secrets.
//! One text per query for both backends; times are bound from Rust.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::{Db, HotRow, Stmt, Tx};
use crate::error::{Error, Result, ResultExt};
use crate::{on_db, on_tx};

/// What a user may do beyond a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Manager,
    Admin,
}

impl Role {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored text; unknown text is treated as the least privilege.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "member" => Some(Role::Member),
            "manager" => Some(Role::Manager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A user as stored. Never serialised: it carries the password hash.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub username: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub is_active: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl UserRow {
    /// The role, defaulting to member for anything unexpected.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }
}

const USER_COLUMNS: &str =
    "id, email, username, password_hash, role, is_active, created_at, updated_at";

/// A new account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub username: &'a str,
    pub username_normalized: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: Role,
}

const EMAIL_TAKEN: &str = "an account with this email already exists";
const USERNAME_TAKEN: &str = "this username is taken";
const UNIQUE_USER_COLUMNS: &[(&str, &str, &str)] = &[
    ("username_normalized", "username", USERNAME_TAKEN),
    ("email_normalized", "email", EMAIL_TAKEN),
];

/// Inserts a user; a taken email or username is a 400 on that field.
pub async fn insert_user(db: &Db, new: NewUser<'_>) -> Result<UserRow> {
    let now = crate::db::now();
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (id, email, email_normalized, username, username_normalized, \
         password_hash, role, is_active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8) RETURNING {USER_COLUMNS}"
    ));
    on_db!(db, |pool| {
        sqlx::query_as::<_, UserRow>(sql)
            .bind(Uuid::now_v7())
            .bind(new.email)
            .bind(new.email_normalized)
            .bind(new.username)
            .bind(new.username_normalized)
            .bind(new.password_hash)
            .bind(new.role.as_str())
            .bind(now)
            .fetch_one(pool)
            .await
    })
    .on_unique(UNIQUE_USER_COLUMNS)
}

/// Which of an email and a username are already taken.
pub async fn taken(
    db: &Db,
    email_normalized: &str,
    username_normalized: &str,
) -> Result<(bool, bool)> {
    let rows: Vec<(String, String)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT email_normalized, username_normalized FROM users \
             WHERE email_normalized = $1 OR username_normalized = $2",
        )
        .bind(email_normalized)
        .bind(username_normalized)
        .fetch_all(pool)
        .await
    })?;
    Ok((
        rows.iter().any(|(e, _)| e == email_normalized),
        rows.iter().any(|(_, u)| u == username_normalized),
    ))
}

/// Finds a user by normalised email.
pub async fn find_user_by_email(db: &Db, email_normalized: &str) -> Result<Option<UserRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email_normalized = $1"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, UserRow>(sql)
            .bind(email_normalized)
            .fetch_optional(pool)
            .await
    })?)
}

/// Finds a user by id.
pub async fn find_user(db: &Db, id: Uuid) -> Result<Option<UserRow>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, UserRow>(sql)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?)
}

/// Changes email and/or username; taken values are a 400 on their field.
pub async fn update_profile(
    db: &Db,
    id: Uuid,
    email: Option<(&str, &str)>,
    username: Option<(&str, &str)>,
) -> Result<UserRow> {
    let now = crate::db::now();
    let (email, email_n) = email.unzip();
    let (username, username_n) = username.unzip();
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE users SET \
           email = COALESCE($2, email), email_normalized = COALESCE($3, email_normalized), \
           username = COALESCE($4, username), username_normalized = COALESCE($5, username_normalized), \
           updated_at = $6 \
         WHERE id = $1 RETURNING {USER_COLUMNS}"
    ));
    let result = on_db!(db, |pool| {
        sqlx::query_as::<_, UserRow>(sql)
            .bind(id)
            .bind(email)
            .bind(email_n)
            .bind(username)
            .bind(username_n)
            .bind(now)
            .fetch_optional(pool)
            .await
    });
    result
        .on_unique(UNIQUE_USER_COLUMNS)?
        .ok_or(Error::NotFound)
}

/// Replaces the password hash.
pub async fn set_password_hash(db: &Db, id: Uuid, hash: &str) -> Result<()> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Deletes a user and, by cascade, everything the user owns.
pub async fn delete_user(db: &Db, id: Uuid) -> Result<bool> {
    let done = on_db!(db, |pool| {
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// Sets a user's role by email. Returns false when no such user.
pub async fn set_role(db: &Db, email_normalized: &str, role: Role) -> Result<bool> {
    let now = crate::db::now();
    let done = on_db!(db, |pool| {
        sqlx::query("UPDATE users SET role = $2, updated_at = $3 WHERE email_normalized = $1")
            .bind(email_normalized)
            .bind(role.as_str())
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// Activates or deactivates a user by email, revoking every session on deactivation.
pub async fn set_active(db: &Db, email_normalized: &str, active: bool) -> Result<bool> {
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    let id: Option<Uuid> = on_tx!(&mut tx, |conn| {
        sqlx::query_scalar(
            "UPDATE users SET is_active = $2, updated_at = $3 WHERE email_normalized = $1 RETURNING id",
        )
        .bind(email_normalized)
        .bind(active)
        .bind(now)
        .fetch_optional(conn)
        .await
    })?;
    let Some(id) = id else { return Ok(false) };
    if !active {
        revoke_user_sessions(&mut tx, id, None, "deactivated").await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The user and session behind a valid access token.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthRow {
    pub id: Uuid,
    pub email: String,
    pub username: String,
    pub role: String,
    /// When the session expires (callers cached in memory stop there).
    pub session_expires_at: OffsetDateTime,
}

impl HotRow for AuthRow {
    fn from_row(row: &dyn crate::db::Row) -> Result<AuthRow> {
        Ok(AuthRow {
            id: row.uuid(0)?,
            email: row.text(1)?,
            username: row.text(2)?,
            role: row.text(3)?,
            session_expires_at: row.time(4)?,
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
    const SQL: &str = "SELECT u.id, u.email, u.username, u.role, s.expires_at \
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
pub async fn rotate_refresh_token(
    db: &Db,
    old_hash: &[u8],
    new_hash: &[u8],
    new_expires_at: OffsetDateTime,
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
         WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.is_active",
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

/// Login throttling scope.
#[derive(Clone, Copy, Debug)]
pub enum FailureScope {
    Account,
    Ip,
}

impl FailureScope {
    fn as_str(self) -> &'static str {
        match self {
            FailureScope::Account => "account",
            FailureScope::Ip => "ip",
        }
    }
}

/// Failed logins for a subject since `since`: how many, and the oldest of them.
pub async fn recent_failures(
    db: &Db,
    scope: FailureScope,
    subject: &str,
    since: OffsetDateTime,
) -> Result<(i64, Option<OffsetDateTime>)> {
    let row: (i64, Option<OffsetDateTime>) = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT COUNT(*), MIN(attempted_at) FROM login_failures \
             WHERE scope = $1 AND subject = $2 AND attempted_at > $3",
        )
        .bind(scope.as_str())
        .bind(subject)
        .bind(since)
        .fetch_one(pool)
        .await
    })?;
    Ok(row)
}

/// Records one failed login for the account and the IP, and forgets failures older
/// than the window.
pub async fn record_failure(
    db: &Db,
    account: &str,
    ip: &str,
    prune_before: OffsetDateTime,
) -> Result<()> {
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    for (scope, subject) in [(FailureScope::Account, account), (FailureScope::Ip, ip)] {
        on_tx!(&mut tx, |conn| {
            sqlx::query("INSERT INTO login_failures (id, scope, subject, attempted_at) VALUES ($1, $2, $3, $4)")
                .bind(Uuid::now_v7())
                .bind(scope.as_str())
                .bind(subject)
                .bind(now)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    on_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM login_failures WHERE attempted_at < $1")
            .bind(prune_before)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await
}

/// Clears an account's failures after a successful login.
pub async fn clear_account_failures(db: &Db, account: &str) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query("DELETE FROM login_failures WHERE scope = 'account' AND subject = $1")
            .bind(account)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Returns the stored secret `name`, storing `candidate` first if there is none. Safe
/// when several instances start at once: the first insert wins and all read it back.
pub async fn get_or_create_secret(db: &Db, name: &str, candidate: &str) -> Result<String> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await
    })?)
}
