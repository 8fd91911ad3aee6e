//! Sign-up: a new account, every bad field reported at once.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{Email, Username};
use super::repo::{self, Role};
use crate::crypto::password;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppJson, ClientIp};
use crate::state::AppState;

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
    responses((status = 201, body = SignupResponse), (status = 400, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 503, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
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
    // Counted before the hash: a flood of sign-ups from one address stops here.
    super::throttle::admit_signup(&state, &ip.to_string()).await?;
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
    let user = crate::admin::promote_if_listed(&state, user).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            id: user.id,
            email: user.email.unwrap_or(email.display),
            username: user.username,
        }),
    ))
}
