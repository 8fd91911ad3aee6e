//! Server secrets kept in the database (the generated JWT key), shared by every instance.

use crate::db::Db;
use crate::error::Result;
use crate::on_db;

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
