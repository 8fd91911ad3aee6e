//! Reading a hot query's row by position, the same way on rusqlite and on sqlx's SQLite
//! and PostgreSQL rows ([`Row`]), and the types built from one ([`HotRow`]).

use sqlx::Row as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::error::{Error, Result};

/// One row of a result, read by column position on either driver.
pub trait Row {
    fn uuid(&self, i: usize) -> Result<Uuid>;
    fn time(&self, i: usize) -> Result<OffsetDateTime>;
    fn int(&self, i: usize) -> Result<i64>;
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    fn opt_time(&self, i: usize) -> Result<Option<OffsetDateTime>>;
    fn bool(&self, i: usize) -> Result<bool>;
}

/// A type built from a hot query's row. Each row type keeps one column list next to this
/// mapping, and every query of it selects exactly that list.
pub trait HotRow: Sized + Send + 'static {
    fn from_row(row: &dyn Row) -> Result<Self>;
}

impl HotRow for i64 {
    fn from_row(row: &dyn Row) -> Result<Self> {
        row.int(0)
    }
}

impl HotRow for Uuid {
    fn from_row(row: &dyn Row) -> Result<Self> {
        row.uuid(0)
    }
}

impl HotRow for bool {
    fn from_row(row: &dyn Row) -> Result<Self> {
        row.bool(0)
    }
}

impl HotRow for (String, i64) {
    fn from_row(row: &dyn Row) -> Result<Self> {
        Ok((row.text(0)?, row.int(1)?))
    }
}

fn decode(i: usize, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("database: column {i}: {e}"))
}

fn parse_time(i: usize, text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| decode(i, e))
}

pub(super) struct LiteRow<'a, 'b>(pub(super) &'a rusqlite::Row<'b>);

impl Row for LiteRow<'_, '_> {
    fn uuid(&self, i: usize) -> Result<Uuid> {
        self.0.get(i).map_err(|e| decode(i, e))
    }
    fn time(&self, i: usize) -> Result<OffsetDateTime> {
        let text: String = self.0.get(i).map_err(|e| decode(i, e))?;
        parse_time(i, &text)
    }
    fn int(&self, i: usize) -> Result<i64> {
        self.0.get(i).map_err(|e| decode(i, e))
    }
    fn text(&self, i: usize) -> Result<String> {
        self.0.get(i).map_err(|e| decode(i, e))
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        self.0.get(i).map_err(|e| decode(i, e))
    }
    fn opt_time(&self, i: usize) -> Result<Option<OffsetDateTime>> {
        let text: Option<String> = self.0.get(i).map_err(|e| decode(i, e))?;
        text.map(|t| parse_time(i, &t)).transpose()
    }
    fn bool(&self, i: usize) -> Result<bool> {
        self.0.get(i).map_err(|e| decode(i, e))
    }
}

macro_rules! sqlx_row {
    ($row:ty) => {
        impl Row for $row {
            fn uuid(&self, i: usize) -> Result<Uuid> {
                self.try_get(i).map_err(|e| decode(i, e))
            }
            fn time(&self, i: usize) -> Result<OffsetDateTime> {
                self.try_get(i).map_err(|e| decode(i, e))
            }
            fn int(&self, i: usize) -> Result<i64> {
                self.try_get(i).map_err(|e| decode(i, e))
            }
            fn text(&self, i: usize) -> Result<String> {
                self.try_get(i).map_err(|e| decode(i, e))
            }
            fn opt_text(&self, i: usize) -> Result<Option<String>> {
                self.try_get(i).map_err(|e| decode(i, e))
            }
            fn opt_time(&self, i: usize) -> Result<Option<OffsetDateTime>> {
                self.try_get(i).map_err(|e| decode(i, e))
            }
            fn bool(&self, i: usize) -> Result<bool> {
                self.try_get(i).map_err(|e| decode(i, e))
            }
        }
    };
}

sqlx_row!(sqlx::sqlite::SqliteRow);
sqlx_row!(sqlx::postgres::PgRow);
