//! The daily per-user quota of LLM-backed requests, per scope.
//!
//! A slot is reserved atomically in SQL before the LLM call (one upsert that only
//! increments while `used < limit`), kept when the call produced output, and refunded when
//! it failed before any. The day is the calendar day in `CONFAB_QUOTA_TIMEZONE`.

pub mod repo;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result, rate_limit_headers};
use crate::state::AppState;

/// What a request is counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Chat,
    Interview,
    Tarot,
    Travel,
}

impl Scope {
    /// Every scope, in display order.
    pub const ALL: [Scope; 4] = [Scope::Chat, Scope::Interview, Scope::Tarot, Scope::Travel];

    /// The API and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Chat => "chat",
            Scope::Interview => "interview",
            Scope::Tarot => "tarot",
            Scope::Travel => "travel",
        }
    }

    /// Parses an API name.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    fn configured_limit(self, state: &AppState) -> u64 {
        state.config.quota_limit(self.as_str())
    }
}

/// The quota day now: its key (`YYYY-MM-DD` in the quota time zone) and when it ends.
pub fn current_day(state: &AppState) -> (String, OffsetDateTime) {
    let now = jiff::Timestamp::now().to_zoned(state.quota_tz.clone());
    let today = now.date();
    let resets_at = today
        .tomorrow()
        .and_then(|d| d.to_zoned(state.quota_tz.clone()))
        .map(|z| z.timestamp().as_second())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(|| OffsetDateTime::now_utc() + time::Duration::days(1));
    (today.to_string(), resets_at)
}

/// The limit for a user and scope: the user's override, else the configuration.
/// `None` means unlimited (a limit of 0).
pub async fn limit_for(state: &AppState, user_id: Uuid, scope: Scope) -> Result<Option<i64>> {
    let limit = match repo::override_for(&state.db, user_id, scope.as_str()).await? {
        Some(limit) => limit,
        None => i64::try_from(scope.configured_limit(state)).unwrap_or(i64::MAX),
    };
    Ok((limit > 0).then_some(limit))
}

/// A reserved slot. Keep it when the call produced output; hand it to [`refund`] when the
/// call failed before any.
#[derive(Clone, Debug)]
pub struct Reservation {
    pub user_id: Uuid,
    pub scope: Scope,
    pub day: String,
    pub limit: Option<i64>,
    pub used: i64,
    pub resets_at: OffsetDateTime,
}

/// Reserves one slot, or fails with 429 `quota_exceeded`.
pub async fn reserve(state: &AppState, user_id: Uuid, scope: Scope) -> Result<Reservation> {
    let limit = limit_for(state, user_id, scope).await?;
    let (day, resets_at) = current_day(state);
    let used = repo::try_increment(
        &state.db,
        user_id,
        scope.as_str(),
        &day,
        limit.unwrap_or(i64::MAX),
    )
    .await?;
    match used {
        Some(used) => Ok(Reservation {
            user_id,
            scope,
            day,
            limit,
            used,
            resets_at,
        }),
        None => Err(Error::QuotaExceeded {
            scope: scope.as_str(),
            limit: limit.unwrap_or(0),
            resets_at,
        }),
    }
}

/// Gives a slot back (the call failed before producing output).
pub async fn refund(state: &AppState, reservation: &Reservation) -> Result<()> {
    repo::decrement(
        &state.db,
        reservation.user_id,
        reservation.scope.as_str(),
        &reservation.day,
    )
    .await
}

impl Reservation {
    /// The rate-limit headers after this reservation (none for an unlimited scope).
    pub fn headers(&self) -> HeaderMap {
        match self.limit {
            Some(limit) => rate_limit_headers(limit, self.used, self.resets_at),
            None => HeaderMap::new(),
        }
    }
}

/// Routes: `/api/me/quota`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_quota))
}

/// One scope's state today.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScopeQuota {
    pub scope: String,
    /// `null` when unlimited.
    pub limit: Option<i64>,
    pub used: i64,
    /// `null` when unlimited.
    pub remaining: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub resets_at: OffsetDateTime,
}

/// Today's quota.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaView {
    pub scopes: Vec<ScopeQuota>,
    /// The time zone whose midnight resets the quota.
    pub timezone: String,
}

/// Your quota today, per scope.
#[utoipa::path(get, path = "/api/me/quota", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = QuotaView), (status = 401, body = ErrorBody)))]
async fn get_quota(State(state): State<AppState>, user: AuthUser) -> Result<Json<QuotaView>> {
    let (day, resets_at) = current_day(&state);
    let used = repo::used_on(&state.db, user.id, &day).await?;
    let mut scopes = Vec::new();
    for scope in Scope::ALL {
        let limit = limit_for(&state, user.id, scope).await?;
        let used = used
            .iter()
            .find(|(s, _)| s == scope.as_str())
            .map_or(0, |(_, n)| *n);
        scopes.push(ScopeQuota {
            scope: scope.as_str().to_owned(),
            limit,
            used,
            remaining: limit.map(|l| (l - used).max(0)),
            resets_at,
        });
    }
    Ok(Json(QuotaView {
        scopes,
        timezone: state.config.quota_timezone.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_is_in_the_configuration_table_in_order() {
        let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        let table: Vec<&str> = crate::config::QUOTA_SCOPES.iter().map(|s| s.name).collect();
        assert_eq!(names, table);
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
    }
}
