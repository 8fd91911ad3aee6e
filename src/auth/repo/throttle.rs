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
