//! `AuthUser`: the caller behind a valid access token on a live session.
//!
//! The JWT is verified first (signature, pinned algorithm, expiry); then the session and
//! user are loaded in one indexed query, so logout, password change and deactivation
//! take effect on the next request, on every instance.
//!
//! On SQLite the verified caller is also kept in memory (`cache.rs`). The user's
//! `data_version`, read here before anything the handler reads, goes into the request's
//! extensions for the page cache (`pages.rs`).

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use time::OffsetDateTime;
use uuid::Uuid;

use super::cache::{CachedCaller, Callers};
use super::repo::{self, Role};
use crate::crypto::jwt::LEEWAY_SECS;
use crate::error::{Error, Result};
use crate::state::AppState;

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: Uuid,
    pub session_id: Uuid,
    pub email: Option<String>,
    pub username: String,
    pub role: Role,
}

/// The caller's `data_version`, read at authentication before anything the handler reads
/// (SQLite only): pages cached at this version are current. Kept in the request's
/// extensions for the page cache.
#[derive(Clone, Copy, Debug)]
pub struct DataVersion {
    pub user: Uuid,
    pub version: i64,
}

impl AuthUser {
    /// 403 unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(Error::Forbidden {
                code: "forbidden",
                message: format!("this needs the {} role", role.as_str()),
            })
        }
    }
}

/// The bearer token of a request: `None` when there is no Authorization header,
/// an error when there is one that is not `Bearer <token>`.
fn bearer(parts: &Parts) -> Result<Option<&str>> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(malformed());
    }
    Ok(Some(token.trim()))
}

fn malformed() -> Error {
    Error::Unauthorized {
        code: "invalid_token",
        message: "the Authorization header must be `Bearer <access token>`".into(),
    }
}

/// Verifies a bearer token and loads its live session.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser> {
    authenticate_with_version(state, token)
        .await
        .map(|(user, _)| user)
}

/// [`authenticate`], with the user's `data_version` where pages may be cached.
async fn authenticate_with_version(
    state: &AppState,
    token: &str,
) -> Result<(AuthUser, Option<i64>)> {
    let callers = state.part::<Callers>()?;
    if let Some(found) = cached_caller(state, callers, token)? {
        return Ok(found);
    }
    let claims = state.jwt.verify(token)?;
    // Read before the session, so a cached caller is never tagged newer than its check.
    let versions = state.db.versions(claims.sub)?;
    let row = repo::live_session_user(&state.db, claims.sid, claims.sub)
        .await?
        .filter(|row| row.session_created_at > state.config.sessions_created_after())
        .ok_or_else(|| Error::Unauthorized {
            code: "session_ended",
            message: "this session has ended; log in again".into(),
        })?;
    // The session ends at the sooner of its sliding expiry and its absolute maximum age.
    let max_age = time::Duration::days(state.config.session_max_age_days as i64);
    let session_end = row.session_expires_at.min(row.session_created_at + max_age);
    let user = AuthUser {
        id: row.id,
        session_id: claims.sid,
        email: row.email,
        role: Role::parse(&row.role).unwrap_or(Role::Member),
        username: row.username,
    };
    if let Some(versions) = versions {
        callers.put(
            token,
            CachedCaller {
                user: user.clone(),
                auth_version: versions.auth,
                token_exp: claims.exp,
                session_exp: session_end.unix_timestamp(),
            },
        );
    }
    Ok((user, versions.map(|v| v.data)))
}

/// The caller of a token verified before, if nothing about it can have changed since:
/// same `auth_version`, token and session unexpired. `None` sends the caller down the
/// full check, which also gives the precise error.
fn cached_caller(
    state: &AppState,
    callers: &Callers,
    token: &str,
) -> Result<Option<(AuthUser, Option<i64>)>> {
    let Some(cached) = callers.get(token) else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
    if cached.token_exp < now - leeway || cached.session_exp <= now {
        callers.forget(token);
        return Ok(None);
    }
    match state.db.versions(cached.user.id)? {
        Some(versions) if versions.auth == cached.auth_version => {
            Ok(Some((cached.user, Some(versions.data))))
        }
        _ => {
            callers.forget(token);
            Ok(None)
        }
    }
}

/// Authenticates and records the caller's `data_version` in the request's extensions.
async fn from_parts(parts: &mut Parts, state: &AppState, token: &str) -> Result<AuthUser> {
    let (user, version) = authenticate_with_version(state, token).await?;
    if let Some(version) = version {
        parts.extensions.insert(DataVersion {
            user: user.id,
            version,
        });
    }
    Ok(user)
}

impl<S> FromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?
            .ok_or_else(|| Error::unauthorized("log in to do this"))?
            .to_owned();
        from_parts(parts, &AppState::from_ref(state), &token).await
    }
}

/// `Option<AuthUser>`: no header is `None`; a header with a bad token is still a 401.
impl<S> OptionalFromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match bearer(parts)?.map(str::to_owned) {
            None => Ok(None),
            Some(token) => from_parts(parts, &AppState::from_ref(state), &token)
                .await
                .map(Some),
        }
    }
}

/// For `/api/auth/status`: never fails; any bad token is simply "not signed in".
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl<S> FromRequestParts<S> for MaybeAuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(Some(token)) = bearer(parts) else {
            return Ok(MaybeAuthUser(None));
        };
        match authenticate(&AppState::from_ref(state), token).await {
            Ok(user) => Ok(MaybeAuthUser(Some(user))),
            Err(Error::Unauthorized { .. }) => Ok(MaybeAuthUser(None)),
            Err(other) => Err(other),
        }
    }
}
