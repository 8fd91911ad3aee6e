//! `AuthUser`: the caller behind a valid access token on a live session.
//!
//! The JWT is verified first (signature, pinned algorithm, expiry); then the session and
//! user are loaded in one indexed query, so logout, password change and deactivation
//! take effect on the next request, on every instance.

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::repo::{self, Role};
use crate::error::{Error, Result};

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: Uuid,
    pub session_id: Uuid,
    pub email: String,
    pub username: String,
    pub role: Role,
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
    let claims = state.jwt.verify(token)?;
    let row = repo::live_session_user(&state.db, claims.sid, claims.sub)
        .await?
        .ok_or_else(|| Error::Unauthorized {
            code: "session_ended",
            message: "this session has ended; log in again".into(),
        })?;
    Ok(AuthUser {
        id: row.id,
        session_id: claims.sid,
        email: row.email,
        role: Role::parse(&row.role).unwrap_or(Role::Member),
        username: row.username,
    })
}

impl<S> FromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?.ok_or_else(|| Error::unauthorized("log in to do this"))?;
        authenticate(&AppState::from_ref(state), token).await
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
        match bearer(parts)? {
            None => Ok(None),
            Some(token) => authenticate(&AppState::from_ref(state), token)
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
