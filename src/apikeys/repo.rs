//! SQL for personal API keys. One text per query for both backends (hot queries).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{Db, HotRow, Row, Stmt};
use crate::error::Result;

/// At most this many keys per user.
pub const MAX_KEYS: i64 = 20;

/// A key as its owner sees it (never the secret, never the hash).
#[derive(Clone, Debug)]
pub struct KeyRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

const KEY_COLUMNS: &str = "id, name, prefix, created_at, last_used_at";

impl HotRow for KeyRow {
    fn from_row(row: &dyn Row) -> Result<KeyRow> {
        Ok(KeyRow {
            id: row.uuid(0)?,
            name: row.text(1)?,
            prefix: row.text(2)?,
            created_at: row.time(3)?,
            last_used_at: row.opt_time(4)?,
        })
    }
}

/// The active user behind a key (the hot query of every `/v1` request where nothing is
/// cached).
#[derive(Clone, Debug)]
pub struct KeyOwner {
    pub key_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub role: String,
}

impl HotRow for KeyOwner {
    fn from_row(row: &dyn Row) -> Result<KeyOwner> {
        Ok(KeyOwner {
            key_id: row.uuid(0)?,
            user_id: row.uuid(1)?,
            username: row.text(2)?,
            role: row.text(3)?,
        })
    }
}

/// The key with this hash and its owner, if the owner is active.
pub async fn owner_of(db: &Db, key_hash: &str) -> Result<Option<KeyOwner>> {
    const SQL: &str = "SELECT k.id, u.id, u.username, u.role FROM api_keys k \
         JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1 AND u.is_active";
    db.hot_one(Stmt::new(SQL).bind(key_hash)).await
}

/// A user's keys, newest first (at most [`MAX_KEYS`], so no paging).
pub async fn list(db: &Db, user_id: Uuid) -> Result<Vec<KeyRow>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id DESC LIMIT {}",
        MAX_KEYS + 1
    );
    db.hot_all(Stmt::new(sql).bind(user_id)).await
}

/// Stores a new key unless the user already has [`MAX_KEYS`]; `None` when at the limit.
/// The user's row is locked first on PostgreSQL (SQLite's writer is already alone), so
/// concurrent creations cannot pass the limit together.
pub async fn insert(
    db: &Db,
    user_id: Uuid,
    name: &str,
    prefix: &str,
    key_hash: &str,
) -> Result<Option<KeyRow>> {
    let lock = if db.backend() == "postgres" {
        "SELECT id FROM users WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT id FROM users WHERE id = $1"
    };
    let id = Uuid::now_v7();
    let now = crate::db::now();
    let insert = Stmt::new(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at) \
         SELECT $1, $2, $3, $4, $5, $6 \
         WHERE (SELECT COUNT(*) FROM api_keys WHERE user_id = $2) < $7",
    )
    .bind(id)
    .bind(user_id)
    .bind(name)
    .bind(prefix)
    .bind(key_hash)
    .bind(now)
    .bind(MAX_KEYS);
    db.hot_write_claimed::<Uuid>(Stmt::new(lock).bind(user_id), vec![insert])
        .await?;
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1 AND user_id = $2");
    db.hot_one(Stmt::new(sql).bind(id).bind(user_id)).await
}

/// Deletes one of the user's keys; false when there is no such key of theirs.
pub async fn delete(db: &Db, user_id: Uuid, id: Uuid) -> Result<bool> {
    let done = db
        .hot_execute(
            Stmt::new("DELETE FROM api_keys WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id),
        )
        .await?;
    Ok(done > 0)
}

/// Records that a key was used (at most about once a minute per key, see `auth.rs`).
pub async fn touch(db: &Db, id: Uuid, at: OffsetDateTime) -> Result<()> {
    db.hot_execute(
        Stmt::new("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at),
    )
    .await?;
    Ok(())
}
