//! Login with email and password, throttled per account and per IP, and the token
//! response (the refresh token as an HttpOnly cookie for the web UI).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::Email;
use super::repo::{self, UserRow};
use super::throttle::check_password;
use super::{COOKIE_PATH, REFRESH_COOKIE, UserView};
use crate::crypto::tokens;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppJson, ClientIp};
use crate::state::AppState;

/// Login form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Tokens for a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Absent for web clients, which get it only as an HttpOnly cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: UserView,
}

/// Token responses are never stored by a browser or a proxy.
pub const NO_STORE: [(header::HeaderName, &str); 2] = [
    (header::CACHE_CONTROL, "no-store"),
    (header::PRAGMA, "no-cache"),
];

/// A response carrying tokens: `Cache-Control: no-store`, the refresh cookie, the body.
pub type TokenReply = (
    [(header::HeaderName, &'static str); 2],
    CookieJar,
    Json<TokenResponse>,
);

/// Log in with email and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    params(("X-Confab-Client" = Option<String>, Header, description = "`web`: refresh token only as a cookie")),
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<TokenReply> {
    // An address that could never have signed up is bad input, not a failed login: it is
    // answered before any lookup and never reaches the throttling table.
    let mut fields = FieldErrors::new();
    let email = fields.check("email", Email::parse(&req.email));
    if req.password.is_empty() {
        fields.add("password", Problem::required());
    }
    let (Some(email), true) = (email, fields.is_empty()) else {
        return Err(Error::Validation { fields });
    };
    let account = email.normalized;
    let ip = ip.to_string();
    let user = repo::find_user_by_email(&state.db, &account).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = check_password(&state, &account, &ip, req.password, stored).await?;
    let Some(user) = user.filter(|_| password_ok) else {
        return Err(invalid_credentials());
    };
    if !user.is_active {
        return Err(Error::Forbidden {
            code: "account_disabled",
            message: "this account has been deactivated".into(),
        });
    }
    let (user, session_id, refresh) = start_session(&state, user, &headers, &ip).await?;
    tracing::info!(user_id = %user.id, %session_id, "logged in");
    token_response(&state, &headers, jar, &user, session_id, refresh)
}

/// A session for a user who has just shown who they are (password or provider): the user
/// is promoted first when `CONFAB_ADMIN_EMAILS` lists them. Returns the user as stored, the
/// session's id and its refresh token (the only time it exists in plain).
pub(super) async fn start_session(
    state: &AppState,
    user: UserRow,
    headers: &HeaderMap,
    ip: &str,
) -> Result<(UserRow, Uuid, String)> {
    let user = crate::admin::promote_if_listed(state, user).await?;
    let refresh = tokens::new_refresh_token();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(256).collect::<String>());
    let session_id = repo::create_session(
        &state.db,
        user.id,
        &refresh.hash,
        session_expiry(state),
        user_agent.as_deref(),
        Some(ip),
    )
    .await?;
    Ok((user, session_id, refresh.plain))
}

pub(super) fn invalid_credentials() -> Error {
    Error::Unauthorized {
        code: "invalid_credentials",
        message: "email or password is incorrect".into(),
    }
}

pub(super) fn session_expiry(state: &AppState) -> OffsetDateTime {
    crate::db::now() + time::Duration::days(state.config.refresh_token_ttl_days as i64)
}

pub(super) fn is_web_client(headers: &HeaderMap) -> bool {
    headers
        .get("x-confab-client")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("web"))
}

pub(super) fn refresh_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((REFRESH_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies())
        .path(COOKIE_PATH)
        .max_age(time::Duration::days(
            state.config.refresh_token_ttl_days as i64,
        ))
        .build()
}

pub(super) fn token_response(
    state: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    user: &UserRow,
    session_id: Uuid,
    refresh: String,
) -> Result<TokenReply> {
    let access_token = state.jwt.issue(user.id, session_id)?;
    let jar = jar.add(refresh_cookie(state, refresh.clone()));
    Ok((
        NO_STORE,
        jar,
        Json(TokenResponse {
            access_token,
            refresh_token: (!is_web_client(headers)).then_some(refresh),
            token_type: "Bearer",
            expires_in: state.jwt.ttl_secs,
            user: UserView::from(user),
        }),
    ))
}
