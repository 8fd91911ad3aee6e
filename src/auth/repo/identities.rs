//! SQL for social login: provider identities, flows in progress, and accounts made by a
//! provider sign-in (which may have no email and no password).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::{on_db, on_tx};

use super::{USER_COLUMNS, UserRow};

/// A provider identity linked to an account.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct IdentityRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub provider: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
}

const IDENTITY_COLUMNS: &str =
    "id, user_id, provider, subject, email, email_verified, created_at, last_login_at";

/// A flow in progress, as started.
#[derive(Clone, Debug)]
pub struct NewFlow<'a> {
    pub state_hash: &'a [u8],
    pub browser_hash: &'a [u8],
    pub provider: &'a str,
    pub pkce_verifier: &'a str,
    pub next_path: &'a str,
    pub link_user_id: Option<Uuid>,
    pub expires_at: OffsetDateTime,
}

/// A flow taken back at the callback.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FlowRow {
    pub provider: String,
    pub pkce_verifier: String,
    pub next_path: String,
    pub link_user_id: Option<Uuid>,
    pub expires_at: OffsetDateTime,
}

/// Stores a new flow, and forgets flows that expired (so the table stays small).
pub async fn insert_flow(db: &Db, flow: NewFlow<'_>) -> Result<()> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query("DELETE FROM oauth_flows WHERE expires_at < $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO oauth_flows (state_hash, browser_hash, provider, pkce_verifier, \
             next_path, link_user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(flow.state_hash)
        .bind(flow.browser_hash)
        .bind(flow.provider)
        .bind(flow.pkce_verifier)
        .bind(flow.next_path)
        .bind(flow.link_user_id)
        .bind(now)
        .bind(flow.expires_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Takes a flow once: the row is deleted as it is read, so a state works a single time,
/// and only for the browser that holds the cookie it was bound to. An expired flow is
/// returned too (and so spent), for the caller to tell "expired" from "unknown".
pub async fn take_flow(db: &Db, state_hash: &[u8], browser_hash: &[u8]) -> Result<Option<FlowRow>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, FlowRow>(
            "DELETE FROM oauth_flows WHERE state_hash = $1 AND browser_hash = $2 \
             RETURNING provider, pkce_verifier, next_path, link_user_id, expires_at",
        )
        .bind(state_hash)
        .bind(browser_hash)
        .fetch_optional(pool)
        .await
    })?)
}

/// The identity for (provider, subject), if linked.
pub async fn find_identity(db: &Db, provider: &str, subject: &str) -> Result<Option<IdentityRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {IDENTITY_COLUMNS} FROM user_identities WHERE provider = $1 AND subject = $2"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, IdentityRow>(sql)
            .bind(provider)
            .bind(subject)
            .fetch_optional(pool)
            .await
    })?)
}

/// A user's linked identities, oldest first.
pub async fn list_identities(db: &Db, user_id: Uuid) -> Result<Vec<IdentityRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {IDENTITY_COLUMNS} FROM user_identities WHERE user_id = $1 ORDER BY id"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, IdentityRow>(sql)
            .bind(user_id)
            .fetch_all(pool)
            .await
    })?)
}

/// Records a sign-in through an identity, with what the provider says now.
pub async fn touch_identity(
    db: &Db,
    id: Uuid,
    email: Option<&str>,
    email_verified: bool,
) -> Result<()> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE user_identities SET email = $2, email_verified = $3, last_login_at = $4 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(email)
        .bind(email_verified)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What a provider said about a person, to link.
#[derive(Clone, Copy, Debug)]
pub struct NewIdentity<'a> {
    pub provider: &'a str,
    pub subject: &'a str,
    pub email: Option<&'a str>,
    pub email_verified: bool,
}

/// Why an identity could not be linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRefused {
    /// This provider account already belongs to another account.
    InUse,
    /// The account already has an identity of this provider.
    ProviderTaken,
}

fn link_refusal(err: &sqlx::Error) -> Option<LinkRefused> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    if !db.is_unique_violation() {
        return None;
    }
    let text = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
    if text.contains("provider_subject") || text.contains("subject") {
        Some(LinkRefused::InUse)
    } else {
        Some(LinkRefused::ProviderTaken)
    }
}

/// Links an identity to an existing account.
pub async fn link_identity(
    db: &Db,
    user_id: Uuid,
    new: NewIdentity<'_>,
) -> Result<std::result::Result<(), LinkRefused>> {
    let now = crate::db::now();
    let done = on_db!(db, |pool| {
        sqlx::query(
            "INSERT INTO user_identities (id, user_id, provider, subject, email, email_verified, \
             created_at, last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(user_id)
        .bind(new.provider)
        .bind(new.subject)
        .bind(new.email)
        .bind(new.email_verified)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    });
    match done {
        Ok(_) => Ok(Ok(())),
        Err(err) => match link_refusal(&err) {
            Some(refused) => Ok(Err(refused)),
            None => Err(Error::from(err)),
        },
    }
}

/// Why a new social account could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateRefused {
    /// The username was taken in the meantime: try another.
    Username,
    /// The email was taken in the meantime.
    Email,
    /// The identity was linked in the meantime (a parallel first sign-in).
    Identity,
}

/// Creates an account with its first identity, in one transaction. `email` is
/// `(display, normalized)` and is given only when the provider verified it.
pub async fn create_social_user(
    db: &Db,
    email: Option<(&str, &str)>,
    username: (&str, &str),
    identity: NewIdentity<'_>,
) -> Result<std::result::Result<UserRow, CreateRefused>> {
    let now = crate::db::now();
    let id = Uuid::now_v7();
    let (email, email_normalized) = email.unzip();
    let mut tx = db.begin().await?;
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (id, email, email_normalized, username, username_normalized, \
         password_hash, role, is_active, created_at, updated_at, email_verified) \
         VALUES ($1, $2, $3, $4, $5, NULL, 'member', TRUE, $6, $6, $7) RETURNING {USER_COLUMNS}"
    ));
    let user = on_tx!(&mut tx, |conn| {
        sqlx::query_as::<_, UserRow>(sql)
            .bind(id)
            .bind(email)
            .bind(email_normalized)
            .bind(username.0)
            .bind(username.1)
            .bind(now)
            .bind(email.is_some())
            .fetch_one(conn)
            .await
    });
    let user = match user {
        Ok(user) => user,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let text = format!("{} {}", e.constraint().unwrap_or_default(), e.message());
            return Ok(Err(if text.contains("email") {
                CreateRefused::Email
            } else {
                CreateRefused::Username
            }));
        }
        Err(e) => return Err(e.into()),
    };
    let linked = on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO user_identities (id, user_id, provider, subject, email, email_verified, \
             created_at, last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(identity.provider)
        .bind(identity.subject)
        .bind(identity.email)
        .bind(identity.email_verified)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    });
    match linked {
        Ok(_) => {}
        Err(err) if link_refusal(&err).is_some() => return Ok(Err(CreateRefused::Identity)),
        Err(err) => return Err(err.into()),
    }
    tx.commit().await?;
    Ok(Ok(user))
}

/// What an unlink did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unlink {
    Done,
    NotLinked,
    /// It is the account's last way to log in (no other identity, and no password with an
    /// email to log in with).
    LastMethod,
}

/// Unlinks a provider from an account unless it is the last way to log in. Two unlinks
/// at once cannot both pass the check: SQLite's write transaction and PostgreSQL's
/// advisory lock on the user serialise them.
pub async fn unlink_identity(db: &Db, user_id: Uuid, provider: &str) -> Result<Unlink> {
    let mut tx = db.begin().await?;
    tx.lock_keys(&[&format!("user-methods:{user_id}")]).await?;
    let (linked, others, has_password_login): (i64, i64, bool) = on_tx!(&mut tx, |conn| {
        sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM user_identities WHERE user_id = $1 AND provider = $2), \
               (SELECT COUNT(*) FROM user_identities WHERE user_id = $1 AND provider <> $2), \
               EXISTS (SELECT 1 FROM users WHERE id = $1 \
                       AND password_hash IS NOT NULL AND email_normalized IS NOT NULL)",
        )
        .bind(user_id)
        .bind(provider)
        .fetch_one(conn)
        .await
    })?;
    if linked == 0 {
        return Ok(Unlink::NotLinked);
    }
    if others == 0 && !has_password_login {
        return Ok(Unlink::LastMethod);
    }
    on_tx!(&mut tx, |conn| {
        sqlx::query("DELETE FROM user_identities WHERE user_id = $1 AND provider = $2")
            .bind(user_id)
            .bind(provider)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(Unlink::Done)
}

/// Marks an account's email verified (a verifying provider vouched for that exact address).
pub async fn set_email_verified(db: &Db, user_id: Uuid, email_normalized: &str) -> Result<()> {
    let now = crate::db::now();
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE users SET email_verified = TRUE, updated_at = $3 \
             WHERE id = $1 AND email_normalized = $2 AND NOT email_verified",
        )
        .bind(user_id)
        .bind(email_normalized)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
