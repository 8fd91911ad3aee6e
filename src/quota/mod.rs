//! The daily per-user quota of LLM-backed requests, per scope.
//!
//! A slot is reserved atomically in SQL before the LLM call (one upsert that only
//! increments while `used < limit`), kept when the call produced output, and refunded when
//! it failed before any. The day is the calendar day in `CONFAB_QUOTA_TIMEZONE`.
//!
//! Every reservation writes a **hold** (`quota_holds`) in the same transaction, and every
//! settlement removes it in the same transaction as its outcome ([`keep`], [`refund`], or a
//! caller's own write with [`Reservation::claim`]). A hold that outlives its process — a
//! crash between reserve and settle — is settled by [`recover`]: refunded, since the work it
//! paid for never reached the user (chat answers settle their own holds first, see
//! `chat::answers`).

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
use crate::db::Stmt;
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

/// A reserved slot and its hold. Settle it exactly once: [`keep`] when the call produced
/// output, [`refund`] when it failed before any (or both at once inside a caller's write,
/// with [`Reservation::claim`] and [`Reservation::refund_stmt`]).
#[derive(Clone, Debug)]
pub struct Reservation {
    pub user_id: Uuid,
    pub scope: Scope,
    pub day: String,
    pub limit: Option<i64>,
    pub used: i64,
    pub resets_at: OffsetDateTime,
    /// The hold's id.
    pub hold: Uuid,
}

/// Reserves one slot, or fails with 429 `quota_exceeded`.
pub async fn reserve(state: &AppState, user_id: Uuid, scope: Scope) -> Result<Reservation> {
    reserve_with(state, user_id, scope, None, Vec::new()).await
}

/// Reserves one slot and, in the same transaction and only if the slot was granted, runs
/// `with` (the rows the slot pays for) and writes the hold, tied to `message` when the slot
/// pays for a chat answer (which must be among `with`). Fails with 429 `quota_exceeded`.
pub async fn reserve_with(
    state: &AppState,
    user_id: Uuid,
    scope: Scope,
    message: Option<Uuid>,
    mut with: Vec<Stmt>,
) -> Result<Reservation> {
    let limit = limit_for(state, user_id, scope).await?;
    let (day, resets_at) = current_day(state);
    let hold = Uuid::now_v7();
    with.push(repo::insert_hold(
        hold,
        user_id,
        scope.as_str(),
        &day,
        message,
    ));
    let used = repo::try_increment(
        &state.db,
        user_id,
        scope.as_str(),
        &day,
        limit.unwrap_or(i64::MAX),
        with,
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
            hold,
        }),
        None => Err(Error::QuotaExceeded {
            scope: scope.as_str(),
            limit: limit.unwrap_or(0),
            resets_at,
        }),
    }
}

/// Keeps a slot (the call produced output): its hold goes. The work is done and answered
/// either way, so a failure here is logged, not returned (the hold would then be refunded
/// by a later [`recover`]: the user's favour, never a double charge).
pub async fn keep(state: &AppState, reservation: &Reservation) {
    // The claim returns the hold's id (`RETURNING`), so it runs as a claimed write: a plain
    // execute of a statement that returns rows fails on SQLite's fast path.
    if let Err(err) = state
        .db
        .hot_write_claimed::<Uuid>(reservation.claim(), Vec::new())
        .await
    {
        tracing::error!(error = %err, "could not settle a quota hold");
    }
}

/// Gives a slot back (the call failed before producing output), once: a hold already
/// settled (by [`keep`], another refund or [`recover`]) is left alone.
pub async fn refund(state: &AppState, reservation: &Reservation) -> Result<()> {
    state
        .db
        .hot_write_claimed::<Uuid>(reservation.claim(), vec![reservation.refund_stmt()])
        .await?;
    Ok(())
}

/// Settles every hold not tied to a chat answer that was taken before `held_before_us`
/// (microseconds since the epoch; `None`: all of them, for a SQLite server at start-up,
/// the only process on its file): the work they paid for never reached anyone, so each
/// slot is refunded. Returns how many were.
pub async fn recover(state: &AppState, held_before_us: Option<i64>) -> Result<u64> {
    let mut refunded = 0;
    loop {
        let stale = repo::stale_holds(&state.db, held_before_us.unwrap_or(i64::MAX)).await?;
        let batch = stale.len();
        for hold in stale {
            let claim = repo::claim_hold(hold.id);
            let refund = repo::decrement_stmt(hold.user_id, &hold.scope, &hold.day);
            if state
                .db
                .hot_write_claimed::<Uuid>(claim, vec![refund])
                .await?
                .is_some()
            {
                refunded += 1;
            }
        }
        if batch < repo::SWEEP_BATCH as usize {
            break;
        }
    }
    if refunded > 0 {
        tracing::warn!(
            refunded,
            "refunded quota slots whose work was cut off by a stop or crash"
        );
    }
    Ok(refunded)
}

impl Reservation {
    /// Removes the hold, returning its id: the claim that settles this reservation (run it
    /// first, with [`crate::db::Db::hot_write_claimed`], so only one settlement counts).
    pub fn claim(&self) -> Stmt {
        repo::claim_hold(self.hold)
    }

    /// Gives the slot back (only after a successful [`Reservation::claim`]).
    pub fn refund_stmt(&self) -> Stmt {
        repo::decrement_stmt(self.user_id, self.scope.as_str(), &self.day)
    }

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
