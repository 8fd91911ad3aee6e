//! The caller's own account: profile, email/username changes, password change and
//! account deletion.

pub mod erase;
mod identities;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extract::AuthUser;
use crate::auth::input::{Email, Username};
use crate::auth::repo;
use crate::auth::throttle::check_password;
use crate::auth::{UserView, check_new_password};
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppJson, ClientIp};
use crate::state::AppState;

/// Routes under `/api/me`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me, update_me, delete_me))
        .routes(routes!(change_password))
        .routes(routes!(identities::list_identities))
        .routes(routes!(
            identities::link_identity,
            identities::unlink_identity
        ))
}

async fn load(state: &AppState, user: &AuthUser) -> Result<repo::UserRow> {
    repo::find_user(&state.db, user.id)
        .await?
        .ok_or(Error::NotFound)
}

/// Your profile.
#[utoipa::path(get, path = "/api/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
async fn get_me(State(state): State<AppState>, user: AuthUser) -> Result<Json<UserView>> {
    Ok(Json(UserView::from(&load(&state, &user).await?)))
}

/// Profile changes; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    pub email: Option<String>,
    pub username: Option<String>,
}

/// Change your email and/or username.
#[utoipa::path(patch, path = "/api/me", tag = "me", security(("bearer" = [])), request_body = UpdateMe,
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn update_me(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(req): AppJson<UpdateMe>,
) -> Result<Json<UserView>> {
    let mut fields = FieldErrors::new();
    let email = fields
        .check("email", req.email.as_deref().map(Email::parse).transpose())
        .flatten();
    let username = fields
        .check(
            "username",
            req.username.as_deref().map(Username::parse).transpose(),
        )
        .flatten();
    fields.finish()?;
    let row = repo::update_profile(
        &state.db,
        user.id,
        email
            .as_ref()
            .map(|e| (e.display.as_str(), e.normalized.as_str())),
        username
            .as_ref()
            .map(|u| (u.display.as_str(), u.normalized.as_str())),
    )
    .await?;
    Ok(Json(UserView::from(&row)))
}

/// Account deletion needs proof: the password, or for an account without one, its
/// username typed as `confirm`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteMe {
    pub password: Option<String>,
    pub confirm: Option<String>,
}

/// Delete your account and everything you own.
#[utoipa::path(delete, path = "/api/me", tag = "me", security(("bearer" = [])), request_body = DeleteMe,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn delete_me(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    AppJson(req): AppJson<DeleteMe>,
) -> Result<StatusCode> {
    let row = load(&state, &user).await?;
    match &row.password_hash {
        Some(hash) => {
            let Some(password) = req.password.filter(|p| !p.is_empty()) else {
                return Err(Error::field(
                    "password",
                    Problem::new("required", "is required to delete the account"),
                ));
            };
            if !check_own_password(&state, &user, ip, password, hash).await? {
                return Err(Error::field("password", incorrect()));
            }
        }
        None => {
            if req.confirm.as_deref().map(str::trim) != Some(row.username.as_str()) {
                return Err(Error::field(
                    "confirm",
                    Problem::new("confirm_mismatch", "type your username to confirm"),
                ));
            }
        }
    }
    // Apps remove first what the cascade would leave behind (files, counts on others' rows).
    let erasers = state.parts.get::<erase::AccountErasers>();
    let (afters, erased) = match erasers {
        Some(erasers) => erasers.before(&state, user.id).await,
        None => (Vec::new(), Ok(())),
    };
    let deleted = match erased {
        Ok(()) => repo::delete_user(&state.db, user.id).await.map(drop),
        Err(err) => Err(err),
    };
    for after in afters {
        after.await;
    }
    deleted?;
    tracing::info!(user_id = %user.id, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Password change form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// Required when the account has a password; an account made by a provider sets its
    /// first password without one.
    #[serde(default)]
    pub current_password: Option<String>,
    pub new_password: String,
    pub new_password2: String,
}

/// Change your password; every other session is signed out.
#[utoipa::path(put, path = "/api/me/password", tag = "me", security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: AuthUser,
    AppJson(req): AppJson<ChangePassword>,
) -> Result<StatusCode> {
    let row = load(&state, &user).await?;
    let mut fields = FieldErrors::new();
    check_new_password(
        &mut fields,
        ("new_password", &req.new_password),
        ("new_password2", &req.new_password2),
        &attributes(&row),
    );
    // A new password that could never be accepted is bad input: answered before the
    // current one is checked, so it costs no guess.
    fields.finish()?;
    if let Some(hash) = &row.password_hash {
        let Some(current) = req.current_password.filter(|p| !p.is_empty()) else {
            return Err(Error::field("current_password", Problem::required()));
        };
        if !check_own_password(&state, &user, ip, current, hash).await? {
            return Err(Error::field("current_password", incorrect()));
        }
    }
    let hash = state.hasher.hash(req.new_password).await?;
    repo::change_password(&state.db, user.id, &hash, user.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a new password must not resemble: the account's email (if any) and username.
fn attributes(row: &repo::UserRow) -> Vec<&str> {
    row.email
        .as_deref()
        .into_iter()
        .chain([row.username.as_str()])
        .collect()
}

/// Checks the signed-in user's own password, throttled like a login (per user and per IP,
/// counted before the hash).
async fn check_own_password(
    state: &AppState,
    user: &AuthUser,
    ip: std::net::IpAddr,
    password: String,
    hash: &str,
) -> Result<bool> {
    let account = format!("user:{}", user.id);
    check_password(
        state,
        &account,
        &ip.to_string(),
        password,
        Some(hash.to_owned()),
    )
    .await
}

/// `incorrect`: a password that does not match the account's.
fn incorrect() -> Problem {
    Problem::new("incorrect", "is incorrect")
}
