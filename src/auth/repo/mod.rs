//! SQL for accounts, sessions, refresh tokens, login throttling and server secrets.
//! One text per query for both backends; times are bound from Rust.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::Db;
use crate::error::{Error, Result, ResultExt};
use crate::{on_db, on_tx};

pub mod identities;
mod secrets;
mod sessions;
mod throttle;
pub use secrets::*;
pub use sessions::*;
pub use throttle::*;

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
    /// None for an account made by a provider that gave no (verified) email.
    pub email: Option<String>,
    pub username: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub is_active: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Whether the account's own email was verified (it came from a verifying provider).
    pub email_verified: bool,
}

impl UserRow {
    /// The role, defaulting to member for anything unexpected.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }
}

const USER_COLUMNS: &str =
    "id, email, username, password_hash, role, is_active, created_at, updated_at, email_verified";

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
           email_verified = CASE WHEN $3 IS NULL OR $3 = email_normalized THEN email_verified ELSE FALSE END, \
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

/// Activates or deactivates a user by email, revoking every session and deleting every API
/// key on deactivation.
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
        // As an admin's deactivation does: API keys end too (deleting them bumps the
        // caller counter, so no cache answers with them).
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM api_keys WHERE user_id = $1")
                .bind(id)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(true)
}
