//! Login throttling: failed attempts per account and per IP within a window.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::{on_db, on_tx};

/// Login throttling scope.
#[derive(Clone, Copy, Debug)]
pub enum FailureScope {
    Account,
    Ip,
    /// Sign-ups per IP.
    Signup,
}

impl FailureScope {
    fn as_str(self) -> &'static str {
        match self {
            FailureScope::Account => "account",
            FailureScope::Ip => "ip",
            FailureScope::Signup => "signup",
        }
    }
}

/// One subject's limit within the window: `(scope, subject, limit)`.
pub type Limit<'a> = (FailureScope, &'a str, u64);

/// Records an attempt against every subject in `limits`, unless one of them already has
/// its limit of attempts since `since`: atomically, before any work is done, so N parallel
/// attempts pass at most the limit. Returns the recorded rows' ids, or how long until the
/// oldest attempt that blocks leaves the window.
pub async fn try_record_attempt(
    db: &Db,
    limits: &[Limit<'_>],
    since: OffsetDateTime,
    window: time::Duration,
) -> Result<std::result::Result<Vec<Uuid>, time::Duration>> {
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    let keys: Vec<String> = limits
        .iter()
        .map(|(scope, subject, _)| format!("login:{}:{subject}", scope.as_str()))
        .collect();
    tx.lock_keys(&keys.iter().map(String::as_str).collect::<Vec<_>>())
        .await?;
    for (scope, subject, limit) in limits {
        let (count, oldest): (i64, Option<OffsetDateTime>) = on_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "SELECT COUNT(*), MIN(attempted_at) FROM login_failures \
                 WHERE scope = $1 AND subject = $2 AND attempted_at > $3",
            )
            .bind(scope.as_str())
            .bind(*subject)
            .bind(since)
            .fetch_one(conn)
            .await
        })?;
        if count >= i64::try_from(*limit).unwrap_or(i64::MAX) {
            // Dropping the transaction rolls it back: nothing was recorded.
            return Ok(Err(oldest.map_or(window, |t| t + window - now)));
        }
    }
    let mut ids = Vec::with_capacity(limits.len());
    for (scope, subject, _) in limits {
        let id = Uuid::now_v7();
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO login_failures (id, scope, subject, attempted_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(scope.as_str())
            .bind(*subject)
            .bind(now)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        })?;
        ids.push(id);
    }
    for (scope, _, _) in limits {
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM login_failures WHERE scope = $1 AND attempted_at < $2")
                .bind(scope.as_str())
                .bind(since)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(Ok(ids))
}

/// After a successful password check: forgets the account's failures and this attempt's
/// own rows (its IP row included), in one statement.
pub async fn forget_after_success(db: &Db, account: &str, attempt: &[Uuid]) -> Result<()> {
    let ids: Vec<Uuid> = attempt
        .iter()
        .copied()
        .chain(std::iter::repeat(Uuid::nil()))
        .take(2)
        .collect();
    on_db!(db, |pool| {
        sqlx::query(
            "DELETE FROM login_failures \
             WHERE (scope = 'account' AND subject = $1) OR id = $2 OR id = $3",
        )
        .bind(account)
        .bind(ids[0])
        .bind(ids[1])
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}
