//! Hot queries, written once and run on whichever driver fits.
//!
//! A hot query is one SQL text ([`Stmt`], `$N` placeholders) and one mapping from its
//! columns by position ([`HotRow`]). [`Db::hot_one`], [`Db::hot_all`] and [`Db::hot_write`]
//! run it on SQLite's fast path (`lite.rs`: inline reads, group-committed writes) or, on
//! PostgreSQL, on sqlx; [`Db::query_all`] runs it on sqlx's pool on both backends (for
//! reads too heavy to run inline). Binding and decoding live here alone, so the two drivers
//! always see the same values: UUIDs as 16-byte blobs on SQLite, times as RFC 3339 text on
//! SQLite, native types on PostgreSQL. Features never match on the driver.
//!
//! [`Db::without_fast_path`] gives a handle whose hot queries go through sqlx on SQLite
//! too; the storage tests run every hot query both ways on one file and compare the rows.

use std::borrow::Cow;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::row::LiteRow;
pub use super::row::{HotRow, Row};
use super::{Db, SqliteDb, lite};
use crate::error::Result;

/// A bound value. `None`s keep their type, which PostgreSQL needs to plan `$2 IS NULL`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Uuid(Option<Uuid>),
    Time(Option<OffsetDateTime>),
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

macro_rules! value_from {
    ($variant:ident, $ty:ty, $conv:expr) => {
        impl From<$ty> for Value {
            fn from(v: $ty) -> Value {
                Value::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$ty>> for Value {
            fn from(v: Option<$ty>) -> Value {
                Value::$variant(v.map($conv))
            }
        }
    };
}

value_from!(Uuid, Uuid, |v| v);
value_from!(Time, OffsetDateTime, |v| v);
value_from!(Int, i64, |v| v);
value_from!(Bool, bool, |v| v);
value_from!(Text, String, |v| v);
value_from!(Text, &str, str::to_owned);
value_from!(Text, &String, String::clone);

/// One SQL text for both backends and its parameters, in `$N` order.
#[derive(Clone, Debug)]
pub struct Stmt {
    sql: Cow<'static, str>,
    params: Vec<Value>,
}

impl Stmt {
    pub fn new(sql: impl Into<Cow<'static, str>>) -> Stmt {
        Stmt {
            sql: sql.into(),
            params: Vec::new(),
        }
    }

    /// Appends the next parameter.
    pub fn bind(mut self, value: impl Into<Value>) -> Stmt {
        self.params.push(value.into());
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }
}

fn format_time(t: &OffsetDateTime) -> rusqlite::Result<String> {
    t.format(&Rfc3339)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Binds the parameters on rusqlite, with the encodings sqlx uses on SQLite.
fn bind_lite(
    statement: &mut rusqlite::CachedStatement<'_>,
    params: &[Value],
) -> rusqlite::Result<()> {
    for (at, value) in params.iter().enumerate() {
        let i = at + 1;
        match value {
            Value::Uuid(v) => statement.raw_bind_parameter(i, v)?,
            Value::Time(v) => {
                let text = v.as_ref().map(format_time).transpose()?;
                statement.raw_bind_parameter(i, text)?;
            }
            Value::Int(v) => statement.raw_bind_parameter(i, v)?,
            Value::Text(v) => statement.raw_bind_parameter(i, v)?,
            Value::Bool(v) => statement.raw_bind_parameter(i, v)?,
        }
    }
    Ok(())
}

macro_rules! bind_sqlx {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for value in $params {
            query = match value {
                Value::Uuid(v) => query.bind(*v),
                Value::Time(v) => query.bind(*v),
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
                Value::Bool(v) => query.bind(*v),
            };
        }
        query
    }};
}

/// A hot write's statements in an open sqlx transaction (either driver), then the commit.
/// With `$claimed`, the statements after the first run only when the first returned a row.
macro_rules! write_in_sqlx_tx {
    ($tx:expr, $first:expr, $then:expr, $claimed:expr) => {{
        let mut tx = $tx;
        let sql = sqlx::AssertSqlSafe($first.sql.to_string());
        let row = bind_sqlx!(sqlx::query(sql), &$first.params)
            .fetch_optional(&mut *tx)
            .await?;
        let row = row.map(|r| T::from_row(&r)).transpose()?;
        let then = if $claimed && row.is_none() {
            &[][..]
        } else {
            &$then[..]
        };
        for stmt in then {
            let sql = sqlx::AssertSqlSafe(stmt.sql.to_string());
            bind_sqlx!(sqlx::query(sql), &stmt.params)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(row)
    }};
}

/// Reads rows on rusqlite until `more` says stop (the row that says so is kept).
/// A row that does not decode fails the whole statement (and rolls back a write).
fn lite_rows<T: HotRow>(
    conn: &rusqlite::Connection,
    stmt: &Stmt,
    mut more: impl FnMut(&T) -> bool,
) -> rusqlite::Result<Vec<T>> {
    let mut statement = lite::prepare(conn, &stmt.sql)?;
    bind_lite(&mut statement, &stmt.params)?;
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let item = T::from_row(&LiteRow(row)).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Null, Box::new(e))
        })?;
        let go_on = more(&item);
        out.push(item);
        if !go_on {
            break;
        }
    }
    Ok(out)
}

impl Db {
    /// The same database with SQLite's fast path turned off: hot queries go through sqlx's
    /// pool. For the storage tests, which compare both paths on one file.
    pub fn without_fast_path(&self) -> Db {
        match self {
            Db::Sqlite(sqlite) => Db::Sqlite(SqliteDb {
                fast: false,
                ..sqlite.clone()
            }),
            other => other.clone(),
        }
    }

    /// A hot read of at most one row.
    pub async fn hot_one<T: HotRow>(&self, stmt: Stmt) -> Result<Option<T>> {
        let mut rows = self.hot_all_while::<T>(stmt, |_| false).await?;
        Ok(rows.pop())
    }

    /// A hot read of a bounded page of rows.
    pub async fn hot_all<T: HotRow>(&self, stmt: Stmt) -> Result<Vec<T>> {
        self.hot_all_while(stmt, |_| true).await
    }

    /// A hot read that stops once `more` returns false (that row is kept). On SQLite's fast
    /// path the remaining rows are never read.
    pub async fn hot_all_while<T: HotRow>(
        &self,
        stmt: Stmt,
        mut more: impl FnMut(&T) -> bool,
    ) -> Result<Vec<T>> {
        match self {
            Db::Sqlite(sqlite) if sqlite.fast => {
                sqlite.lite.read(|c| lite_rows(c, &stmt, &mut more))
            }
            _ => {
                let mut rows = self.query_all::<T>(stmt).await?;
                if let Some(stop) = rows.iter_mut().position(|r| !more(r)) {
                    rows.truncate(stop + 1);
                }
                Ok(rows)
            }
        }
    }

    /// Runs a query on sqlx's pool (both backends) and maps every row.
    pub async fn query_all<T: HotRow>(&self, stmt: Stmt) -> Result<Vec<T>> {
        let sql = sqlx::AssertSqlSafe(stmt.sql.to_string());
        match self {
            Db::Sqlite(sqlite) => {
                let rows = bind_sqlx!(sqlx::query(sql), &stmt.params)
                    .fetch_all(&sqlite.pool)
                    .await?;
                rows.iter().map(|r| T::from_row(r)).collect()
            }
            Db::Postgres(pool) => {
                let rows = bind_sqlx!(sqlx::query(sql), &stmt.params)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(|r| T::from_row(r)).collect()
            }
        }
    }

    /// A hot write: `first` (whose `RETURNING` row, if any, is the result), then `then`, in
    /// one transaction. On SQLite it joins the writer's next group commit.
    pub async fn hot_write<T: HotRow>(&self, first: Stmt, then: Vec<Stmt>) -> Result<Option<T>> {
        self.write_group(first, then, false).await
    }

    /// A claim and what follows from it, in one transaction: `then` runs only when `first`
    /// returned a row (a conditional increment, a `DELETE … RETURNING` of a record that
    /// only one caller may settle). Returns `first`'s row, `None` when the claim failed.
    pub async fn hot_write_claimed<T: HotRow>(
        &self,
        first: Stmt,
        then: Vec<Stmt>,
    ) -> Result<Option<T>> {
        self.write_group(first, then, true).await
    }

    async fn write_group<T: HotRow>(
        &self,
        first: Stmt,
        then: Vec<Stmt>,
        claimed: bool,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(sqlite) if sqlite.fast => {
                sqlite
                    .lite
                    .write(move |c| {
                        let row = lite_rows::<T>(c, &first, |_| false)?.pop();
                        let then = if claimed && row.is_none() {
                            &[][..]
                        } else {
                            &then[..]
                        };
                        for stmt in then {
                            let mut statement = lite::prepare(c, &stmt.sql)?;
                            bind_lite(&mut statement, &stmt.params)?;
                            statement.raw_execute()?;
                        }
                        Ok(row)
                    })
                    .await
            }
            // sqlx's futures are several kilobytes: boxed, so that a caller waiting on the
            // SQLite writer (thousands of answers settling at once) does not carry them.
            Db::Sqlite(sqlite) => {
                Box::pin(async move {
                    let tx = sqlite.pool.begin_with("BEGIN IMMEDIATE").await?;
                    write_in_sqlx_tx!(tx, first, then, claimed)
                })
                .await
            }
            Db::Postgres(pool) => {
                Box::pin(async move {
                    let tx = pool.begin().await?;
                    write_in_sqlx_tx!(tx, first, then, claimed)
                })
                .await
            }
        }
    }

    /// A hot write without a result row; returns the rows `stmt` changed.
    pub async fn hot_execute(&self, stmt: Stmt) -> Result<u64> {
        match self {
            Db::Sqlite(sqlite) if sqlite.fast => {
                sqlite
                    .lite
                    .write(move |c| {
                        let mut statement = lite::prepare(c, &stmt.sql)?;
                        bind_lite(&mut statement, &stmt.params)?;
                        statement.raw_execute().map(|n| n as u64)
                    })
                    .await
            }
            _ => self.execute(stmt).await,
        }
    }

    /// Runs a statement on sqlx's pool (both backends); returns the rows it changed.
    pub async fn execute(&self, stmt: Stmt) -> Result<u64> {
        let sql = sqlx::AssertSqlSafe(stmt.sql.to_string());
        Ok(match self {
            Db::Sqlite(sqlite) => bind_sqlx!(sqlx::query(sql), &stmt.params)
                .execute(&sqlite.pool)
                .await?
                .rows_affected(),
            Db::Postgres(pool) => bind_sqlx!(sqlx::query(sql), &stmt.params)
                .execute(pool)
                .await?
                .rows_affected(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_on_rusqlite_in_sqlx_encoding() {
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        let id = Uuid::now_v7();
        let t = crate::db::now();
        let stmt = Stmt::new("SELECT $1, $2, $2, $3, $4")
            .bind(id)
            .bind(t)
            .bind(None::<i64>)
            .bind(true);
        struct Back(Uuid, OffsetDateTime, String, Option<String>, bool);
        impl HotRow for Back {
            fn from_row(row: &dyn Row) -> Result<Back> {
                Ok(Back(
                    row.uuid(0)?,
                    row.time(1)?,
                    row.text(2)?,
                    row.opt_text(3)?,
                    row.bool(4)?,
                ))
            }
        }
        let rows = lite_rows::<Back>(&conn, &stmt, |_| true).expect("query");
        let Back(back_id, back_t, text, none, yes) = rows.into_iter().next().expect("a row");
        assert_eq!((back_id, back_t, none, yes), (id, t, None, true));
        assert!(
            text.ends_with('Z') && text.contains('T'),
            "RFC 3339 in UTC: {text}"
        );
    }
}
