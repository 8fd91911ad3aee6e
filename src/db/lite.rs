//! SQLite's fast path for the hot queries (auth check, room and message reads, message and
//! quota writes), on rusqlite beside sqlx's pool on the same file.
//!
//! sqlx-sqlite runs every connection on its own thread and hands each statement and each row
//! across a channel; on a 2-core machine those hand-offs cost far more than the indexed
//! lookups themselves. Here:
//!
//! - **Reads** run inline on the calling task, on a connection taken from a small idle pool.
//!   In WAL mode a reader never waits for a writer, and every read on this path is an indexed
//!   lookup or a bounded page (microseconds), so it is cheaper than any hand-off would be.
//! - **Writes** go to one writer thread that owns one connection and commits in groups: it
//!   takes every write that is queued, runs each inside its own savepoint (a failing write
//!   rolls back alone), commits once, then answers each caller. With `synchronous=full` one
//!   fsync covers the whole group, and writers queue in order instead of sleeping in
//!   SQLite's busy handler. A caller hears back only after the commit, so nothing is
//!   acknowledged before it is durable.
//!
//! Values use sqlx's SQLite encodings, so both paths read each other's rows: UUIDs are
//! 16-byte blobs, times RFC 3339 text in UTC, booleans integers.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// Most writes committed together.
const MAX_GROUP: usize = 512;
/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 8;
/// Prepared statements cached per connection.
const STATEMENT_CACHE: usize = 64;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What the writer tells a finished write: the group committed, or why it did not.
type Finish = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
/// A queued write: runs on the writer's connection (`None` when no transaction could be
/// opened) and returns how to report its outcome once the group is settled.
type Job = Box<dyn FnOnce(Option<&Connection>) -> Finish + Send>;

/// The fast path's handle. Cheap to clone.
#[derive(Clone)]
pub struct Lite {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    writer: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Lite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lite")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// Opens a connection; `synchronous` is `None` for a read-only one.
fn open(path: &Path, synchronous: Option<&str>) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Plans must not depend on bound values: otherwise SQLite marks a statement whose
    // LIMIT is a parameter as stale at every rebind and parses it again on each use.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    match synchronous {
        Some(level) => {
            conn.pragma_update(None, "synchronous", level)?;
            // Each write runs in a savepoint, whose statement journal SQLite keeps in memory
            // only up to 64 KiB and then spills to a temporary file: a send touching a dozen
            // pages opened, wrote, closed and unlinked one. In memory it stays.
            conn.pragma_update(None, "temp_store", "MEMORY")?;
        }
        None => conn.pragma_update(None, "query_only", "ON")?,
    }
    Ok(conn)
}

impl Lite {
    /// Opens the writer's connection and starts its thread. The file must exist and be in
    /// WAL mode already (sqlx's pool sets that up).
    pub fn open(path: &Path, synchronous: &str) -> Result<Lite> {
        let synchronous = match synchronous {
            "off" | "normal" | "extra" => synchronous,
            _ => "full",
        };
        let conn = open(path, Some(synchronous))
            .map_err(|e| Error::internal(format!("cannot open {}: {e}", path.display())))?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("confab-sqlite-writer".into())
            .spawn(move || run_writer(conn, rx))
            .map_err(|e| Error::internal(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Lite {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                readers: Mutex::new(Vec::new()),
                writer: tx,
            }),
        })
    }

    /// Runs a short read inline on an idle read-only connection.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let idle = self.inner.readers.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => open(&self.inner.path, None).map_err(database)?,
        };
        let result = f(&conn).map_err(database);
        if let Ok(mut idle) = self.inner.readers.lock()
            && idle.len() < MAX_IDLE_READERS
        {
            idle.push(conn);
        }
        result
    }

    /// Queues a write for the writer thread and waits until its group has committed.
    /// `f` runs inside its own savepoint: when it fails, only its changes are undone.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            let outcome = match conn {
                Some(conn) => in_savepoint(conn, f),
                None => Err(Error::Unavailable),
            };
            Box::new(move |committed| {
                let reply = match committed {
                    Ok(()) => outcome,
                    Err(cause) => {
                        tracing::error!(%cause, "SQLite group commit failed");
                        Err(Error::internal(format!("database: commit failed: {cause}")))
                    }
                };
                let _ = tx.send(reply);
            })
        });
        self.inner.writer.send(job).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn stopped() -> Error {
    Error::internal("the SQLite writer has stopped")
}

fn database(err: rusqlite::Error) -> Error {
    // SQLITE_CONSTRAINT_FOREIGNKEY: the parent row is gone (see `From<sqlx::Error>`).
    if let rusqlite::Error::SqliteFailure(e, _) = &err
        && e.extended_code == 787
    {
        return Error::NotFound;
    }
    if let rusqlite::Error::SqliteFailure(e, _) = &err
        && matches!(
            e.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        )
    {
        tracing::error!(error = %err, "database busy");
        return Error::Unavailable;
    }
    Error::Internal(format!("database: {err}"))
}

/// Runs `f` between `SAVEPOINT` and `RELEASE`, rolling back to the savepoint when it fails
/// or panics.
fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> Result<T> {
    run(conn, "SAVEPOINT confab_write").map_err(database)?;
    let result = match catch_unwind(AssertUnwindSafe(|| f(conn))) {
        Ok(result) => result.map_err(database),
        Err(_) => Err(Error::internal("a database write panicked")),
    };
    if result.is_err() {
        run(conn, "ROLLBACK TO confab_write").map_err(database)?;
    }
    run(conn, "RELEASE confab_write").map_err(database)?;
    result
}

/// Runs a statement without parameters, prepared once per connection.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute(()).map(drop)
}

/// The writer thread: one group per turn, until every handle is gone.
fn run_writer(conn: Connection, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let began = run(&conn, "BEGIN IMMEDIATE");
        if let Err(err) = &began {
            tracing::error!(error = %err, "the SQLite writer could not begin a transaction");
        }
        let usable = began.is_ok().then_some(&conn);
        let finishers: Vec<Finish> = group.into_iter().map(|job| job(usable)).collect();
        let committed = match began {
            Ok(()) => run(&conn, "COMMIT").map_err(|e| {
                let _ = run(&conn, "ROLLBACK");
                e.to_string()
            }),
            // Every job already failed with `Unavailable`; there is nothing to commit.
            Err(_) => Ok(()),
        };
        for finish in finishers {
            finish(committed.clone());
        }
    }
}

/// Prepares (once per connection) a statement written for both backends. Its `$N`
/// placeholders become `?N`: to SQLite `$1` is a *named* parameter numbered by where it first
/// appears, so positional binding would go wrong as soon as `$3` came before `$1`.
pub fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
) -> rusqlite::Result<rusqlite::CachedStatement<'c>> {
    let mut numbered = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        numbered.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        numbered.push(if after.starts_with(|c: char| c.is_ascii_digit()) {
            '?'
        } else {
            '$'
        });
        rest = after;
    }
    numbered.push_str(rest);
    conn.prepare_cached(&numbered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> (tempfile::TempDir, Lite) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("lite.db");
        let setup = Connection::open(&path).expect("open");
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                 CREATE TABLE log (item TEXT NOT NULL);",
            )
            .expect("schema");
        drop(setup);
        let lite = Lite::open(&path, "full").expect("lite");
        (dir, lite)
    }

    fn names(lite: &Lite, table: &str) -> Vec<String> {
        let sql = match table {
            "items" => "SELECT name FROM items ORDER BY name",
            _ => "SELECT item FROM log ORDER BY item",
        };
        lite.read(|c| {
            c.prepare_cached(sql)?
                .query_map((), |row| row.get(0))?
                .collect()
        })
        .expect("read")
    }

    /// One write of a concurrent burst fails half-way; only its own changes are undone and
    /// every other write of the same group is committed and answered.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_rolls_back_alone_within_its_group() {
        let (_dir, lite) = fresh();
        lite.write(|c| c.execute("INSERT INTO items (name) VALUES ('taken')", ()))
            .await
            .expect("seed");
        let writes = (0..100).map(|i| {
            let lite = lite.clone();
            async move {
                lite.write(move |c| {
                    let name = if i == 37 {
                        "taken".to_owned()
                    } else {
                        format!("n{i:03}")
                    };
                    c.execute("INSERT INTO log (item) VALUES (?1)", [&name])?;
                    c.execute("INSERT INTO items (name) VALUES (?1)", [&name])
                })
                .await
            }
        });
        let results = futures::future::join_all(writes).await;
        let failed: Vec<usize> = (0..100).filter(|&i| results[i].is_err()).collect();
        assert_eq!(failed, vec![37]);
        let items = names(&lite, "items");
        assert_eq!(items.len(), 100, "99 new names plus the seed");
        let log = names(&lite, "log");
        assert_eq!(
            log.len(),
            99,
            "the failed write's first insert was rolled back"
        );
        assert!(!log.contains(&"taken".to_owned()));
    }

    /// A write that panics fails alone; the writer thread keeps serving.
    #[tokio::test]
    async fn a_panicking_write_fails_and_the_writer_survives() {
        let (_dir, lite) = fresh();
        let panicked = lite
            .write(|c| {
                c.execute("INSERT INTO items (name) VALUES ('before panic')", ())?;
                if c.is_autocommit() {
                    return Ok(0);
                }
                panic!("deliberate");
            })
            .await;
        assert!(panicked.is_err());
        lite.write(|c| c.execute("INSERT INTO items (name) VALUES ('after')", ()))
            .await
            .expect("the writer still works");
        assert_eq!(names(&lite, "items"), vec!["after".to_owned()]);
    }

    /// `$3` before `$1` in the text still binds the third value to `$3`.
    #[test]
    fn dollar_placeholders_bind_by_number_not_by_position() {
        let (_dir, lite) = fresh();
        let got: (i64, String) = lite
            .read(|c| {
                prepare(c, "SELECT $3 - $1, $2 || '$x'")?
                    .query_row((1, "b", 10), |row| Ok((row.get(0)?, row.get(1)?)))
            })
            .expect("read");
        assert_eq!(got, (9, "b$x".to_owned()));
    }
}
