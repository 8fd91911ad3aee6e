//! `confab backup` and `confab restore` for the embedded SQLite database.
//!
//! A backup is SQLite's online backup API copying the whole database in one step: the copy is
//! a snapshot of one moment (a read transaction), taken while the server keeps serving (in WAL
//! mode a reader never blocks the writer). It is written next to its destination, checked,
//! synced and then renamed into place, so a crash never leaves half a backup under the name.
//! A restore checks the backup (SQLite's integrity check, a confab schema no newer than this
//! binary's), refuses while a server holds the database and refuses a database that already
//! has accounts unless forced, then copies the backup in through the same API and lets the
//! migrations bring an older backup up to date.
//!
//! PostgreSQL has its own tools (`pg_dump`, `pg_restore`): [`postgres_advice`] says how.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};

/// What a backup or restore copied.
#[derive(Debug, Clone)]
pub struct Summary {
    pub bytes: u64,
    /// The newest migration the copy has applied.
    pub schema_version: i64,
    pub users: i64,
    pub rooms: i64,
    pub messages: i64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes, schema version {}, {} accounts, {} rooms, {} messages",
            self.bytes, self.schema_version, self.users, self.rooms, self.messages
        )
    }
}

/// How long a backup step waits for a lock before trying again, and how many times.
const RETRY_PAUSE: Duration = Duration::from_millis(100);
const RETRIES: u32 = 100;

/// What to say instead of backing up or restoring a PostgreSQL database.
pub fn postgres_advice(restore: bool) -> String {
    if restore {
        "confab restore works on the embedded SQLite database only. On PostgreSQL, restore a \
         pg_dump archive with its own tool while no confab instance is running, then start \
         confab (it applies any newer migrations):\n  \
         pg_restore --clean --if-exists --no-owner -d \"$CONFAB_DATABASE_URL\" confab.dump"
            .to_owned()
    } else {
        "confab backup works on the embedded SQLite database only. On PostgreSQL, take a \
         consistent backup while confab keeps serving with PostgreSQL's own tool:\n  \
         pg_dump --format=custom --file=confab.dump \"$CONFAB_DATABASE_URL\"\n\
         and restore it with pg_restore (see docs/operations.md)."
            .to_owned()
    }
}

/// Copies the live database at `source` to `dest` (which must not exist yet).
pub fn backup(source: &Path, dest: &Path) -> anyhow::Result<Summary> {
    if !source.exists() {
        anyhow::bail!("there is no database at {}", source.display());
    }
    if dest.exists() {
        anyhow::bail!(
            "{} already exists: give a new file name (a backup never overwrites a file)",
            dest.display()
        );
    }
    let partial = partial_name(dest);
    let _ = std::fs::remove_file(&partial);
    let result = copy_into_new_file(source, &partial).and_then(|()| {
        let summary = check(&partial)?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, dest)?;
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename is durable once the folder is.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(summary)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Replaces the database at `target` with the backup at `source`. The caller holds the
/// server lock. Refuses a target that has accounts unless `force`.
pub fn restore(source: &Path, target: &Path, force: bool) -> anyhow::Result<Summary> {
    if !source.is_file() {
        anyhow::bail!("there is no backup at {}", source.display());
    }
    let summary = check(source)?;
    let newest = crate::db::newest_migration();
    if summary.schema_version > newest {
        anyhow::bail!(
            "{} was made by a newer confab (schema version {}; this one knows up to {newest}): \
             restore it with that version",
            source.display(),
            summary.schema_version
        );
    }
    if target.exists() && !force {
        let conn = Connection::open_with_flags(target, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let has_users: bool = conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'",
                [],
                |_| Ok(true),
            )
            .optional()?
            .unwrap_or(false);
        let users: i64 = if has_users {
            conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?
        } else {
            0
        };
        if users > 0 {
            anyhow::bail!(
                "{} is not empty ({users} accounts): restoring would replace everything in it; \
                 add --force to do that",
                target.display()
            );
        }
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let src = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut dst = Connection::open(target)?;
    dst.busy_timeout(Duration::from_secs(5))?;
    run(&src, &mut dst)?;
    // The server runs in WAL mode; a backup file is a plain rollback-journal database.
    dst.pragma_update(None, "journal_mode", "WAL")?;
    drop(dst);
    check(target)
}

/// The name a backup is written under until it is complete.
fn partial_name(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn copy_into_new_file(source: &Path, dest: &Path) -> anyhow::Result<()> {
    let src = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(Duration::from_secs(5))?;
    let mut dst = Connection::open(dest)?;
    run(&src, &mut dst)?;
    // One self-contained file: no -wal beside it.
    dst.pragma_update(None, "journal_mode", "DELETE")?;
    Ok(())
}

/// Copies every page in one step (one read transaction: a consistent snapshot even while
/// the source is written), retrying while a lock is held for a moment.
fn run(src: &Connection, dst: &mut Connection) -> anyhow::Result<()> {
    let backup = Backup::new(src, dst)?;
    for _ in 0..RETRIES {
        // More (only with a partial step), Busy and Locked all mean: try again shortly.
        if backup.step(-1)? == StepResult::Done {
            return Ok(());
        }
        std::thread::sleep(RETRY_PAUSE);
    }
    anyhow::bail!("the database stayed locked; try again")
}

/// Checks a database file: SQLite's integrity check, and that it is confab's.
fn check(path: &Path) -> anyhow::Result<Summary> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| anyhow::anyhow!("{} is not a SQLite database: {e}", path.display()))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| anyhow::anyhow!("{} is not a SQLite database: {e}", path.display()))?;
    if integrity != "ok" {
        anyhow::bail!(
            "{} failed SQLite's integrity check: {integrity}",
            path.display()
        );
    }
    let schema_version: Option<i64> = conn
        .query_row(
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success",
            [],
            |r| r.get(0),
        )
        .map_err(|_| anyhow::anyhow!("{} is not a confab database", path.display()))?;
    let Some(schema_version) = schema_version else {
        anyhow::bail!("{} is not a confab database", path.display());
    };
    let count = |table: &str| -> anyhow::Result<i64> {
        Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    };
    Ok(Summary {
        bytes: std::fs::metadata(path)?.len(),
        schema_version,
        users: count("users")?,
        rooms: count("rooms")?,
        messages: count("messages")?,
    })
}
