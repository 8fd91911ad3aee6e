//! Accounts and sessions: sign-up, login, refresh-token rotation, logout and status.
//!
//! Access tokens are short-lived JWTs tied to a session row; refresh tokens are opaque,
//! stored hashed and rotated on every use, and presenting a used one revokes its session.
//! Web clients (`X-Confab-Client: web`) get the refresh token only as an HttpOnly,
//! SameSite=Strict cookie.

pub mod cache;
pub mod extract;
pub mod input;
pub mod repo;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::crypto::{password, tokens};
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppJson, ClientIp};
use crate::state::{AppState, Setup};
use extract::{AuthUser, MaybeAuthUser};
use input::{Email, Username};
use repo::{FailureScope, Role, Rotation, UserRow};

/// Name of the refresh-token cookie.
pub const REFRESH_COOKIE: &str = "confab_refresh";
/// The cookie is sent only to the auth routes.
const COOKIE_PATH: &str = "/api/auth";
/// Longest password checked at login; longer ones cannot match an accepted password.
const LOGIN_PASSWORD_CAP: usize = 4096;

/// Start-up: the in-memory caller cache.
pub fn init(setup: &mut Setup) -> Result<()> {
    setup.parts.insert(cache::Callers::default());
    Ok(())
}

/// Routes under `/api/auth`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(status))
}

/// A user as shown to its owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub username: String,
    pub role: Role,
    /// False for accounts that only sign in through a social provider.
    pub has_password: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            username: u.username.clone(),
            role: u.role(),
            has_password: u.password_hash.is_some(),
            created_at: u.created_at,
        }
    }
}

/// Sign-up form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub email: String,
    pub username: String,
    pub password: String,
    /// Must equal `password`.
    pub password2: String,
}

/// The new account.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub id: Uuid,
    pub email: String,
    pub username: String,
}

/// Checks a new password (policy + confirmation) into `fields` under the given names.
pub fn check_new_password(
    fields: &mut FieldErrors,
    (name, password): (&str, &str),
    (name2, password2): (&str, &str),
    attributes: &[&str],
) {
    for problem in password::check_policy(password, attributes) {
        fields.add(name, problem);
    }
    if password != password2 {
        fields.add(name2, Problem::new("mismatch", "passwords do not match"));
    }
}

/// Create an account.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse), (status = 400, body = ErrorBody)))]
async fn signup(
    State(state): State<AppState>,
    AppJson(req): AppJson<SignupRequest>,
) -> Result<(StatusCode, Json<SignupResponse>)> {
    let mut fields = FieldErrors::new();
    let email = fields.check("email", Email::parse(&req.email));
    let username = fields.check("username", Username::parse(&req.username));
    check_new_password(
        &mut fields,
        ("password", &req.password),
        ("password2", &req.password2),
        &[req.email.trim(), req.username.trim()],
    );
    if let (Some(email), Some(username)) = (&email, &username) {
        let (email_taken, username_taken) =
            repo::taken(&state.db, &email.normalized, &username.normalized).await?;
        if email_taken {
            fields.add(
                "email",
                Problem::new("taken", "an account with this email already exists"),
            );
        }
        if username_taken {
            fields.add("username", Problem::new("taken", "this username is taken"));
        }
    }
    let (Some(email), Some(username), true) = (email, username, fields.is_empty()) else {
        return Err(Error::Validation { fields });
    };
    let hash = state.hasher.hash(req.password).await?;
    let user = repo::insert_user(
        &state.db,
        repo::NewUser {
            email: &email.display,
            email_normalized: &email.normalized,
            username: &username.display,
            username_normalized: &username.normalized,
            password_hash: Some(&hash),
            role: Role::Member,
        },
    )
    .await?;
    tracing::info!(user_id = %user.id, "account created");
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            id: user.id,
            email: user.email,
            username: user.username,
        }),
    ))
}

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

/// Log in with email and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    params(("X-Confab-Client" = Option<String>, Header, description = "`web`: refresh token only as a cookie")),
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<(CookieJar, Json<TokenResponse>)> {
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
    check_throttle(&state, &account, &ip).await?;

    let user = repo::find_user_by_email(&state.db, &account).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = req.password.len() <= LOGIN_PASSWORD_CAP
        && state.hasher.verify(req.password, stored).await?;
    let user = match user {
        Some(user) if password_ok => user,
        _ => {
            let window = time::Duration::seconds(state.config.login_window_secs as i64);
            repo::record_failure(&state.db, &account, &ip, crate::db::now() - window).await?;
            return Err(invalid_credentials());
        }
    };
    if !user.is_active {
        return Err(Error::Forbidden {
            code: "account_disabled",
            message: "this account has been deactivated".into(),
        });
    }
    repo::clear_account_failures(&state.db, &account).await?;
    let refresh = tokens::new_refresh_token();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(256).collect::<String>());
    let session_id = repo::create_session(
        &state.db,
        user.id,
        &refresh.hash,
        session_expiry(&state),
        user_agent.as_deref(),
        Some(&ip),
    )
    .await?;
    tracing::info!(user_id = %user.id, %session_id, "logged in");
    token_response(&state, &headers, jar, &user, session_id, refresh.plain)
}

fn invalid_credentials() -> Error {
    Error::Unauthorized {
        code: "invalid_credentials",
        message: "email or password is incorrect".into(),
    }
}

/// 429 when the account or the IP has too many recent failures.
async fn check_throttle(state: &AppState, account: &str, ip: &str) -> Result<()> {
    let window = time::Duration::seconds(state.config.login_window_secs as i64);
    let now = crate::db::now();
    let since = now - window;
    for (scope, subject, limit) in [
        (
            FailureScope::Account,
            account,
            state.config.login_max_failures_per_account,
        ),
        (FailureScope::Ip, ip, state.config.login_max_failures_per_ip),
    ] {
        let (count, oldest) = repo::recent_failures(&state.db, scope, subject, since).await?;
        if count >= limit as i64 {
            let retry = oldest.map_or(window, |t| t + window - now);
            return Err(Error::TooManyRequests {
                code: "too_many_login_attempts",
                message: "too many failed logins; try again later".into(),
                retry_after: retry.whole_seconds().max(1) as u64,
            });
        }
    }
    Ok(())
}

fn session_expiry(state: &AppState) -> OffsetDateTime {
    crate::db::now() + time::Duration::days(state.config.refresh_token_ttl_days as i64)
}

fn is_web_client(headers: &HeaderMap) -> bool {
    headers
        .get("x-confab-client")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("web"))
}

fn refresh_cookie(state: &AppState, value: String) -> Cookie<'static> {
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

fn token_response(
    state: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    user: &UserRow,
    session_id: Uuid,
    refresh: String,
) -> Result<(CookieJar, Json<TokenResponse>)> {
    let access_token = state.jwt.issue(user.id, session_id)?;
    let jar = jar.add(refresh_cookie(state, refresh.clone()));
    Ok((
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
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody)))]
async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    body: Bytes,
) -> Result<(CookieJar, Json<TokenResponse>)> {
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
async fn logout(
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
    pub email: String,
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
async fn status(MaybeAuthUser(user): MaybeAuthUser) -> Json<AuthStatus> {
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
