//! A session's life after login: refresh (rotation with reuse detection), logout, status.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{AuthUser, MaybeAuthUser};
use super::repo::{self, Role, Rotation};
use super::{COOKIE_PATH, REFRESH_COOKIE};
use crate::crypto::tokens;
use crate::error::{Error, ErrorBody, Problem, Result};
use crate::state::AppState;

use super::login::{TokenReply, TokenResponse, session_expiry, token_response};

/// Refresh form: the token in the body, or nothing when it comes as the cookie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

/// Trade a refresh token for new tokens (the old one stops working).
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body(content = Option<RefreshRequest>,
        description = "optional when the refresh cookie is sent"),
    params(("X-Confab-Client" = Option<String>, Header, description = "`web`: refresh token only as a cookie")),
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    body: Bytes,
) -> Result<TokenReply> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(Error::UnsupportedMediaType(
                "expected a body with Content-Type: application/json".into(),
            ));
        }
        let req: RefreshRequest = serde_json::from_slice(&body).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                Error::BadRequest {
                    code: "invalid_json",
                    message: "the request body is not valid JSON".into(),
                }
            } else {
                Error::field(
                    "refresh_token",
                    Problem::new("invalid_type", "must be a string"),
                )
            }
        })?;
        req.refresh_token
    };
    let presented = from_body
        .or_else(|| jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()))
        .ok_or_else(|| Error::Unauthorized {
            code: "missing_refresh_token",
            message: "no refresh token was sent".into(),
        })?;
    let invalid = || Error::Unauthorized {
        code: "invalid_refresh_token",
        message: "this refresh token is not valid; log in again".into(),
    };
    if !tokens::looks_like_refresh_token(&presented) {
        return Err(invalid());
    }
    let next = tokens::new_refresh_token();
    let rotation = repo::rotate_refresh_token(
        &state.db,
        &tokens::hash_refresh_token(&presented),
        &next.hash,
        session_expiry(&state),
        state.config.sessions_created_after(),
    )
    .await?;
    match rotation {
        Rotation::Rotated { user, session_id } => {
            token_response(&state, &headers, jar, &user, session_id, next.plain)
        }
        Rotation::Reused => Err(Error::Unauthorized {
            code: "refresh_token_reused",
            message: "this refresh token was already used; the session has been ended for safety"
                .into(),
        }),
        Rotation::Invalid => Err(invalid()),
    }
}

/// End this session: its tokens stop working at once.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    user: AuthUser,
    jar: CookieJar,
) -> Result<impl IntoResponse> {
    repo::revoke_session(&state.db, user.session_id, "logout").await?;
    let jar = jar.remove(Cookie::build(REFRESH_COOKIE).path(COOKIE_PATH));
    Ok((jar, StatusCode::NO_CONTENT))
}

/// The signed-in user, as the access token shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionUser {
    pub id: Uuid,
    pub email: Option<String>,
    pub username: String,
    pub role: Role,
}

/// Whether the request carries a valid access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthStatus {
    pub authenticated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<SessionUser>,
}

/// Is this request signed in? A bad or expired token answers `false`, never 401.
#[utoipa::path(get, path = "/api/auth/status", tag = "auth", responses((status = 200, body = AuthStatus)))]
pub async fn status(MaybeAuthUser(user): MaybeAuthUser) -> Json<AuthStatus> {
    Json(AuthStatus {
        authenticated: user.is_some(),
        user: user.map(|u| SessionUser {
            id: u.id,
            email: u.email,
            username: u.username,
            role: u.role,
        }),
    })
}
