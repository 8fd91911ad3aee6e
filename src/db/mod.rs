//! The database handle: native SQLite or PostgreSQL pools behind one enum, chosen by URL.
//!
//! Features write one SQL text for both backends (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`, times bound from Rust) and run it through [`on_db!`] / [`on_tx!`], which
//! expand the same expression once per driver so each is type-checked natively.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

pub mod backup;
pub mod cache;
pub mod hot;
pub mod lite;
mod row;
pub use hot::{HotRow, Row, Stmt, Value};
pub use lite::Lite;

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => {
                let $pool = &sqlite.pool;
                $body
            }
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the open transaction's connection.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// A pool of either backend. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// SQLite: sqlx's pool for most queries, and the [`Lite`] fast path (inline reads, one
/// group-committing writer) for the hot ones. See `lite.rs`.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub pool: SqlitePool,
    pub lite: Lite,
    /// Whether hot queries take the fast path (off only in the storage parity tests).
    pub fast: bool,
    /// Cached JSON pages, validated by `user_versions` (`cache.rs`).
    pub pages: Arc<cache::PageStore>,
}

impl SqliteDb {
    /// A user's cache counters (`None` for a user that does not exist).
    fn versions(&self, user: uuid::Uuid) -> Result<Option<cache::Versions>> {
        use rusqlite::OptionalExtension as _;
        self.lite.read(|c| {
            c.prepare_cached(
                "SELECT auth_version, data_version FROM user_versions WHERE user_id = ?1",
            )?
            .query_row([user], |row| {
                Ok(cache::Versions {
                    auth: row.get(0)?,
                    data: row.get(1)?,
                })
            })
            .optional()
        })
    }
}

/// An open write transaction.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    /// SQLite `synchronous`: off, normal, full, extra.
    pub sqlite_synchronous: String,
}

/// Holds the SQLite lock file for as long as the server runs.
#[derive(Debug, Clone)]
pub struct ServerLock {
    _file: Arc<File>,
    pub path: PathBuf,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects by URL scheme. For SQLite, creates the file and its folder when missing.
    pub async fn connect(opts: &DbOptions) -> Result<Db> {
        if opts.url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(&opts.url)
                .map_err(|e| Error::internal(format!("bad CONFAB_DATABASE_URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(match opts.sqlite_synchronous.as_str() {
                    "off" => SqliteSynchronous::Off,
                    "normal" => SqliteSynchronous::Normal,
                    "extra" => SqliteSynchronous::Extra,
                    _ => SqliteSynchronous::Full,
                })
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if opts.url.contains(":memory:") || opts.url.contains("mode=memory") {
                return Err(Error::internal(
                    "CONFAB_DATABASE_URL: in-memory SQLite is not supported; give a file path",
                ));
            }
            if let Some(parent) = connect.get_filename().parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    Error::internal(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .test_before_acquire(false)
                .connect_with(connect.clone())
                .await?;
            let lite = Lite::open(connect.get_filename(), &opts.sqlite_synchronous)?;
            Ok(Db::Sqlite(SqliteDb {
                pool,
                lite,
                fast: true,
                pages: Arc::default(),
            }))
        } else {
            let connect = PgConnectOptions::from_str(&opts.url)
                .map_err(|e| Error::internal(format!("bad CONFAB_DATABASE_URL: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(connect)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    /// Connects to PostgreSQL with a `search_path`, so tests can share one database.
    pub async fn connect_postgres_schema(url: &str, schema: &str, max: u32) -> Result<Db> {
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| Error::internal(format!("bad database URL: {e}")))?
            .options([("search_path", schema)]);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .connect_with(connect)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// Takes the exclusive lock that keeps a second server off the same SQLite file.
    /// PostgreSQL needs none: several instances share it by design.
    pub fn lock_for_server(&self) -> Result<Option<ServerLock>> {
        let Db::Sqlite(SqliteDb { pool, .. }) = self else {
            return Ok(None);
        };
        let db_path = pool.connect_options().get_filename().to_path_buf();
        if db_path.as_os_str() == ":memory:" {
            return Ok(None);
        }
        lock_sqlite_file(&db_path).map(Some)
    }
    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(sqlite) => SQLITE_MIGRATOR.run(&sqlite.pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. SQLite takes the write lock up front (`BEGIN IMMEDIATE`)
    /// so two writers never deadlock on a lock upgrade; the busy timeout makes them queue.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(sqlite) => Tx::Sqlite(sqlite.pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Deletes row `id` of `table` if its `owner_column` is `owner`; `false` when there was
    /// no such row, so another user's resource is simply not found. Both names are
    /// constants of the calling repo, never input.
    pub async fn delete_owned(
        &self,
        table: &'static str,
        owner_column: &'static str,
        id: uuid::Uuid,
        owner: uuid::Uuid,
    ) -> Result<bool> {
        let sql = format!("DELETE FROM {table} WHERE id = $1 AND {owner_column} = $2");
        let n = on_db!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(owner)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(n > 0)
    }

    /// A user's cache counters, read with one indexed lookup; `None` where nothing may be
    /// cached (PostgreSQL, shared by several instances, or a user that does not exist).
    pub fn versions(&self, user: uuid::Uuid) -> Result<Option<cache::Versions>> {
        match self {
            Db::Sqlite(sqlite) if sqlite.fast => sqlite.versions(user),
            _ => Ok(None),
        }
    }

    /// The page cache, where pages may be cached (a SQLite server).
    pub fn page_store(&self) -> Option<&cache::PageStore> {
        match self {
            Db::Sqlite(sqlite) if sqlite.fast => Some(&sqlite.pages),
            _ => None,
        }
    }

    /// A trivial query, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

impl Tx {
    /// Serialises this transaction with every other one that locks one of `keys`, until it
    /// ends: on PostgreSQL transaction-scoped advisory locks (taken in sorted order, so two
    /// transactions never deadlock); on SQLite nothing more is needed, since a write
    /// transaction (`BEGIN IMMEDIATE`) already excludes every other writer.
    pub async fn lock_keys(&mut self, keys: &[&str]) -> Result<()> {
        if let Tx::Postgres(tx) = self {
            let mut keys = keys.to_vec();
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(key)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The current time, UTC, at the microsecond precision both backends keep.
pub fn now() -> time::OffsetDateTime {
    storable(time::OffsetDateTime::now_utc())
}

/// Microseconds since the epoch (activity ordering, hold ages).
pub fn micros(t: time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// `t` at microsecond precision with an odd last digit. SQLite keeps times as RFC 3339
/// text, which drops trailing zeros of the fraction (`…:20.1Z`, `…:20Z`), so text order
/// would not be time order within a second (`Z` sorts after digits and `.`). An odd
/// microsecond always writes all six digits: every stored time has the same width, and
/// text comparisons in SQL are exact. (It costs at most one microsecond, and never
/// reverses two times.)
pub fn storable(t: time::OffsetDateTime) -> time::OffsetDateTime {
    let micros = (t.nanosecond() / 1000) | 1;
    t.replace_nanosecond(micros * 1000).unwrap_or(t)
}

/// Takes the lock file beside a SQLite database (`<file>.lock`): held by a running server
/// for its lifetime, and by `confab restore` while it replaces the file.
pub fn lock_sqlite_file(db_path: &Path) -> Result<ServerLock> {
    let mut lock_path = db_path.to_path_buf().into_os_string();
    lock_path.push(".lock");
    let path = PathBuf::from(lock_path);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::internal(format!("cannot open lock file {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(ServerLock {
            _file: Arc::new(file),
            path,
        }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Conflict {
            code: "database_locked",
            message: format!(
                "another confab server is already using {} (lock {} is held)",
                db_path.display(),
                path.display()
            ),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::internal(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// The newest migration this binary carries (the same number on both backends).
pub fn newest_migration() -> i64 {
    SQLITE_MIGRATOR
        .migrations
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// The file of a `sqlite:` database URL; `None` for any other URL.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    SqliteConnectOptions::from_str(url)
        .ok()
        .map(|o| o.get_filename().to_path_buf())
}

#[cfg(test)]
mod tests {
    use time::format_description::well_known::Rfc3339;

    use super::*;

    #[test]
    fn stored_times_sort_as_text_in_time_order_within_one_second() {
        let second = time::macros::datetime!(2026-12-04 16:50:20 UTC);
        let times: Vec<time::OffsetDateTime> = [0, 2, 5, 10, 100_000, 120_000, 500_000, 999_999]
            .into_iter()
            .map(|us| storable(second + time::Duration::microseconds(us)))
            .collect();
        let texts: Vec<String> = times
            .iter()
            .map(|t| t.format(&Rfc3339).expect("format"))
            .collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(sorted, texts, "text order must be time order");
        assert!(
            texts
                .iter()
                .all(|t| t.len() == "2026-12-04T16:50:20.000001Z".len()),
            "one width: {texts:?}"
        );
        assert!(now().nanosecond() >= 1000);
    }
}
