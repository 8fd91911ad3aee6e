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
//!   takes every write that is queued, runs them in one transaction, commits once, then
//!   answers each caller. With `synchronous=full` one fsync covers the whole group, and
//!   writers queue in order instead of sleeping in SQLite's busy handler. A caller hears
//!   back only after the commit, so nothing is acknowledged before it is durable.
//! - **A failing write fails alone.** The group runs first without savepoints (a savepoint
//!   copies every page it changes into a statement journal: in S3, statement journals took
//!   9 % of the writer's time with a savepoint per write, 6–7 % without). Writes almost
//!   never fail; when one does, the group is rolled back and run again with each write
//!   inside its own savepoint, so only the failing write's changes are undone. A write may
//!   therefore run twice: it is a function of the database alone (statements with their
//!   bound values), and only its last run's result is reported.
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

/// A queued write, as the writer thread sees it.
trait Job: Send {
    /// Runs the write on the writer's connection, inside a transaction; `guarded` puts it in
    /// its own savepoint. Keeps the outcome (a later run replaces it) and says whether it
    /// succeeded.
    fn run(&mut self, conn: &Connection, guarded: bool) -> bool;
    /// No transaction could be opened: the write did not run.
    fn unavailable(&mut self);
    /// Reports the kept outcome once the group is settled: committed, or why not.
    fn finish(self: Box<Self>, committed: std::result::Result<(), String>);
}

/// A write and where its caller waits.
struct Queued<T, F> {
    f: F,
    outcome: Result<T>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for Queued<T, F>
where
    T: Send,
    F: FnMut(&Connection) -> rusqlite::Result<T> + Send,
{
    fn run(&mut self, conn: &Connection, guarded: bool) -> bool {
        self.outcome = if guarded {
            in_savepoint(conn, &mut self.f)
        } else {
            unguarded(conn, &mut self.f)
        };
        self.outcome.is_ok()
    }

    fn unavailable(&mut self) {
        self.outcome = Err(Error::Unavailable);
    }

    fn finish(self: Box<Self>, committed: std::result::Result<(), String>) {
        let reply = match committed {
            Ok(()) => self.outcome,
            Err(cause) => {
                tracing::error!(%cause, "SQLite group commit failed");
                Err(Error::internal(format!("database: commit failed: {cause}")))
            }
        };
        let _ = self.reply.send(reply);
    }
}

/// The fast path's handle. Cheap to clone.
#[derive(Clone)]
pub struct Lite {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    writer: mpsc::Sender<Box<dyn Job>>,
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
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
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

    /// Queues a write for the writer thread and waits until its group has committed. When
    /// `f` fails, only its changes are undone. `f` may run twice (see the module's doc): it
    /// must depend on nothing but the database.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T>>();
        let job = Box::new(Queued {
            f,
            outcome: Err(Error::Unavailable),
            reply: tx,
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
    let result = unguarded(conn, f);
    if result.is_err() {
        run(conn, "ROLLBACK TO confab_write").map_err(database)?;
    }
    run(conn, "RELEASE confab_write").map_err(database)?;
    result
}

/// Runs `f`, turning a panic into an error. What it changed before failing stays until the
/// caller rolls back.
fn unguarded<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(|| f(conn))) {
        Ok(result) => result.map_err(database),
        Err(_) => Err(Error::internal("a database write panicked")),
    }
}

/// Runs a statement without parameters, prepared once per connection.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute(()).map(drop)
}

/// The writer thread: one group per turn, until every handle is gone.
fn run_writer(conn: Connection, rx: mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let committed = write_group(&conn, &mut group);
        for job in group {
            job.finish(committed.clone());
        }
    }
}

/// Runs a group of writes in one transaction and commits it: first without savepoints;
/// when a write fails, the transaction is rolled back and (unless that write was alone) the
/// group runs again with each write in its own savepoint. Each write keeps the outcome of
/// its last run; the result is the commit's.
fn write_group(conn: &Connection, group: &mut [Box<dyn Job>]) -> std::result::Result<(), String> {
    if !begin(conn, group) {
        return Ok(());
    }
    if !group.iter_mut().all(|job| job.run(conn, false)) {
        let _ = run(conn, "ROLLBACK");
        // Alone, the failed write's outcome is final and nothing of it is left.
        if group.len() == 1 || !begin(conn, group) {
            return Ok(());
        }
        for job in group.iter_mut() {
            job.run(conn, true);
        }
    }
    run(conn, "COMMIT").map_err(|e| {
        let _ = run(conn, "ROLLBACK");
        e.to_string()
    })
}

/// Opens the group's transaction; when it cannot, every write of the group is unavailable.
fn begin(conn: &Connection, group: &mut [Box<dyn Job>]) -> bool {
    match run(conn, "BEGIN IMMEDIATE") {
        Ok(()) => true,
        Err(err) => {
            tracing::error!(error = %err, "the SQLite writer could not begin a transaction");
            for job in group.iter_mut() {
                job.unavailable();
            }
            false
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

    /// A write for [`write_group`] that counts its runs, and where its outcome arrives.
    #[allow(clippy::type_complexity)]
    fn counted(
        f: impl Fn(&Connection) -> rusqlite::Result<usize> + Send + 'static,
    ) -> (
        Box<dyn Job>,
        Arc<std::sync::atomic::AtomicUsize>,
        oneshot::Receiver<Result<usize>>,
    ) {
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (reply, rx) = oneshot::channel();
        let seen = runs.clone();
        let job = Box::new(Queued {
            f: move |c: &Connection| {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                f(c)
            },
            outcome: Err(Error::Unavailable),
            reply,
        });
        (job, runs, rx)
    }

    fn settle(conn: &Connection, mut group: Vec<Box<dyn Job>>) {
        let committed = write_group(conn, &mut group);
        for job in group {
            job.finish(committed.clone());
        }
    }

    /// A fresh database, a writer connection of the test's own and the name `taken` taken.
    fn fresh_with_taken() -> (tempfile::TempDir, Lite, Connection) {
        let (dir, lite) = fresh();
        let conn = open(&dir.path().join("lite.db"), Some("full")).expect("writer");
        conn.execute("INSERT INTO items (name) VALUES ('taken')", ())
            .expect("seed");
        (dir, lite, conn)
    }

    fn runs(counter: &Arc<std::sync::atomic::AtomicUsize>) -> usize {
        counter.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn insert_both(name: &'static str) -> impl Fn(&Connection) -> rusqlite::Result<usize> {
        move |c| {
            c.execute("INSERT INTO log (item) VALUES (?1)", [name])?;
            c.execute("INSERT INTO items (name) VALUES (?1)", [name])
        }
    }

    /// A group that succeeds runs each write once, without savepoints, and commits it all.
    #[test]
    fn a_group_that_succeeds_runs_each_write_once() {
        let (dir, lite) = fresh();
        let conn = open(&dir.path().join("lite.db"), Some("full")).expect("writer");
        let (a, a_runs, a_rx) = counted(insert_both("a"));
        let (b, b_runs, b_rx) = counted(insert_both("b"));
        settle(&conn, vec![a, b]);
        assert_eq!(a_rx.blocking_recv().expect("reply").expect("a"), 1);
        assert_eq!(b_rx.blocking_recv().expect("reply").expect("b"), 1);
        assert_eq!(runs(&a_runs), 1);
        assert_eq!(runs(&b_runs), 1);
        assert_eq!(names(&lite, "items"), vec!["a", "b"]);
        assert_eq!(names(&lite, "log"), vec!["a", "b"]);
    }

    /// When the middle write of a group fails half-way, the group is rolled back and run
    /// again with savepoints: the writes before and after it are committed once, and
    /// nothing of the failed write is left.
    #[test]
    fn a_failing_write_makes_its_group_run_again_in_savepoints() {
        let (_dir, lite, conn) = fresh_with_taken();
        let (a, a_runs, a_rx) = counted(insert_both("a"));
        let (bad, bad_runs, bad_rx) = counted(insert_both("taken"));
        let (c, c_runs, c_rx) = counted(insert_both("c"));
        settle(&conn, vec![a, bad, c]);
        assert!(a_rx.blocking_recv().expect("reply").is_ok());
        assert!(bad_rx.blocking_recv().expect("reply").is_err());
        assert!(c_rx.blocking_recv().expect("reply").is_ok());
        // a and the failing write ran in the first pass and again; c only in the second.
        assert_eq!((runs(&a_runs), runs(&bad_runs), runs(&c_runs)), (2, 2, 1));
        assert_eq!(names(&lite, "items"), vec!["a", "c", "taken"]);
        assert_eq!(
            names(&lite, "log"),
            vec!["a", "c"],
            "each committed once, the failed write's first insert undone"
        );
    }

    /// A write that fails alone runs once; its transaction is rolled back and the writer
    /// goes on.
    #[test]
    fn a_write_failing_alone_runs_once_and_leaves_nothing() {
        let (_dir, lite, conn) = fresh_with_taken();
        let (bad, bad_runs, bad_rx) = counted(insert_both("taken"));
        settle(&conn, vec![bad]);
        assert!(bad_rx.blocking_recv().expect("reply").is_err());
        assert_eq!(runs(&bad_runs), 1);
        assert!(conn.is_autocommit(), "the transaction was rolled back");
        let (ok, _, ok_rx) = counted(insert_both("after"));
        settle(&conn, vec![ok]);
        assert!(ok_rx.blocking_recv().expect("reply").is_ok());
        assert_eq!(names(&lite, "log"), vec!["after"]);
        assert_eq!(names(&lite, "items"), vec!["after", "taken"]);
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
