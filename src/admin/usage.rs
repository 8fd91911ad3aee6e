//! `/api/admin/usage`: calls per scope per quota day over a date range, totals, and the
//! users with the most calls. Counts only (from `quota_usage`), never content.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Admin;
use super::repo;
use crate::error::{ErrorBody, FieldErrors, Problem, Result};
use crate::extract::AppQuery;
use crate::quota::Scope;
use crate::state::AppState;

/// Longest range, in days (both ends included).
pub const MAX_DAYS: usize = 92;
/// Days shown when no range is given (ending today).
const DEFAULT_DAYS: i16 = 14;
/// Most users listed by count.
pub const TOP_MAX: i64 = 50;
const TOP_DEFAULT: i64 = 10;

/// The range and how many top users.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UsageQuery {
    /// First day, `YYYY-MM-DD` in the quota time zone; default: 13 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`; default: today in the quota time zone. At most 92 days
    /// after `from`.
    pub to: Option<String>,
    /// How many users to list by count, 1–50 (default 10).
    pub top: Option<String>,
}

/// One day's calls.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayUsage {
    /// `YYYY-MM-DD` in the quota time zone.
    pub day: String,
    /// Calls per scope (every scope present, 0 included).
    pub counts: BTreeMap<String, i64>,
    pub total: i64,
}

/// One user's calls over the range.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserUsage {
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub counts: BTreeMap<String, i64>,
    pub total: i64,
}

/// Calls per scope per day, totals and top users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageReport {
    pub from: String,
    pub to: String,
    /// The time zone whose days these are.
    pub timezone: String,
    /// The scopes, in display order.
    pub scopes: Vec<String>,
    /// Every day of the range, oldest first.
    pub days: Vec<DayUsage>,
    /// Calls per scope over the range.
    pub totals: BTreeMap<String, i64>,
    pub total: i64,
    /// The users with the most calls over the range, most first.
    pub top_users: Vec<UserUsage>,
}

/// Calls per scope per day over a date range (quota days), with totals and the users with
/// the most calls. Counts only: no message content.
#[utoipa::path(get, path = "/api/admin/usage", tag = "admin", security(("bearer" = [])),
    params(UsageQuery),
    responses((status = 200, body = UsageReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_usage(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    AppQuery(query): AppQuery<UsageQuery>,
) -> Result<Json<UsageReport>> {
    let (today, _) = crate::quota::current_day(&state);
    let (days, top) = check(&query, &today)?;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Err(crate::error::Error::internal("an empty usage range"));
    };
    let (from, to) = (first.clone(), last.clone());
    let scopes: Vec<String> = Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    let zero = || -> BTreeMap<String, i64> { scopes.iter().map(|s| (s.clone(), 0)).collect() };

    let mut by_day: BTreeMap<String, BTreeMap<String, i64>> =
        days.iter().map(|d| (d.clone(), zero())).collect();
    let mut totals = zero();
    for (day, scope, n) in repo::usage_by_day(&state.db, &from, &to).await? {
        // Scopes no longer offered are not shown.
        if let Some(count) = by_day.get_mut(&day).and_then(|c| c.get_mut(&scope)) {
            *count += n;
            if let Some(total) = totals.get_mut(&scope) {
                *total += n;
            }
        }
    }
    let days = by_day
        .into_iter()
        .map(|(day, counts)| DayUsage {
            total: counts.values().sum(),
            day,
            counts,
        })
        .collect();

    let ranked = repo::top_users(&state.db, &from, &to, top).await?;
    let ids: Vec<Uuid> = ranked.iter().map(|(id, _)| *id).collect();
    let per_scope = repo::usage_of_users(&state.db, &ids, &from, &to).await?;
    let names = repo::names_of(&state.db, &ids).await?;
    let top_users = ranked
        .into_iter()
        .filter_map(|(id, total)| {
            let (_, username, email) = names.iter().find(|(u, _, _)| *u == id)?.clone();
            let mut counts = zero();
            for (_, scope, n) in per_scope.iter().filter(|(u, _, _)| *u == id) {
                if let Some(count) = counts.get_mut(scope) {
                    *count += n;
                }
            }
            Some(UserUsage {
                id,
                username,
                email,
                counts,
                total,
            })
        })
        .collect();

    Ok(Json(UsageReport {
        from,
        to,
        timezone: state.config.quota_timezone.clone(),
        total: totals.values().sum(),
        scopes,
        days,
        totals,
        top_users,
    }))
}

/// A query value that was given and is not blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The days of the range (oldest first) and the top count, or 400 naming each bad field.
fn check(query: &UsageQuery, today: &str) -> Result<(Vec<String>, i64)> {
    let mut fields = FieldErrors::new();
    let to = match given(&query.to) {
        Some(raw) => fields.check("to", parse_day(raw)),
        None => parse_day(today).ok(),
    };
    let from = match given(&query.from) {
        Some(raw) => fields.check("from", parse_day(raw)),
        None => to.and_then(|to| {
            to.checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1))
                .ok()
        }),
    };
    let top = match given(&query.top) {
        Some(raw) => fields.check("top", parse_top(raw)),
        None => Some(TOP_DEFAULT),
    };
    let mut days = Vec::new();
    if let (Some(from), Some(to)) = (from, to) {
        match range(from, to) {
            Ok(list) => days = list,
            Err(problem) => fields.add("to", problem),
        }
    }
    fields.finish()?;
    Ok((days, top.unwrap_or(TOP_DEFAULT)))
}

fn parse_day(raw: &str) -> std::result::Result<Date, Problem> {
    let well_formed = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    well_formed
        .then(|| raw.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| Problem::invalid_format("must be a date like 2026-01-31"))
}

fn parse_top(raw: &str) -> std::result::Result<i64, Problem> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| (1..=TOP_MAX).contains(n))
        .ok_or_else(|| Problem::out_of_range(1, TOP_MAX))
}

/// Every day from `from` to `to`, both included, as `YYYY-MM-DD`.
fn range(from: Date, to: Date) -> std::result::Result<Vec<String>, Problem> {
    if to < from {
        return Err(Problem::new(
            "before_from",
            "must be the same day as `from` or later",
        ));
    }
    let mut days = Vec::new();
    let mut day = from;
    loop {
        if days.len() == MAX_DAYS {
            return Err(Problem::new(
                "range_too_long",
                format!("the range may cover at most {MAX_DAYS} days"),
            ));
        }
        days.push(day.to_string());
        if day == to {
            return Ok(days);
        }
        day = day
            .tomorrow()
            .map_err(|_| Problem::invalid_format("must be a date like 2026-01-31"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: Option<&str>, to: Option<&str>, top: Option<&str>) -> UsageQuery {
        UsageQuery {
            from: from.map(Into::into),
            to: to.map(Into::into),
            top: top.map(Into::into),
        }
    }

    fn codes(result: Result<(Vec<String>, i64)>) -> Vec<(String, String)> {
        match result {
            Err(crate::error::Error::Validation { fields }) => fields
                .names()
                .map(|n| {
                    (
                        n.to_owned(),
                        fields.get(n).map(|p| p.code).unwrap_or("").to_owned(),
                    )
                })
                .collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn the_default_range_is_two_weeks_ending_today() {
        let (days, top) = check(&q(None, None, None), "2026-03-02").expect("valid");
        assert_eq!(days.len(), 14);
        assert_eq!(days.first().map(String::as_str), Some("2026-02-17"));
        assert_eq!(days.last().map(String::as_str), Some("2026-03-02"));
        assert_eq!(top, TOP_DEFAULT);
    }

    #[test]
    fn ranges_are_checked_and_bounded() {
        let (days, _) =
            check(&q(Some("2024-02-28"), Some("2024-03-01"), Some("3")), "x").expect("valid");
        assert_eq!(days, ["2024-02-28", "2024-02-29", "2024-03-01"]);
        assert_eq!(
            codes(check(
                &q(Some("2026-01-05"), Some("2026-01-04"), None),
                "2026-01-05"
            )),
            [("to".to_owned(), "before_from".to_owned())]
        );
        assert_eq!(
            codes(check(
                &q(Some("2025-01-01"), Some("2026-01-01"), None),
                "2026-01-01"
            )),
            [("to".to_owned(), "range_too_long".to_owned())]
        );
        assert_eq!(
            codes(check(
                &q(Some("2026-13-01"), Some("01/02/2026"), Some("0")),
                "2026-01-01"
            )),
            [
                ("from".to_owned(), "invalid_format".to_owned()),
                ("to".to_owned(), "invalid_format".to_owned()),
                ("top".to_owned(), "out_of_range".to_owned())
            ]
        );
        assert!(check(&q(Some("2026-01-01"), Some("2026-04-02"), None), "x").is_ok());
        assert!(check(&q(Some("2026-01-01"), Some("2026-04-03"), None), "x").is_err());
    }
}
