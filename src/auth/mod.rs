//! Accounts and sessions: sign-up, login, refresh-token rotation, logout and status.
//!
//! Access tokens are short-lived JWTs tied to a session row; refresh tokens are opaque,
//! stored hashed and rotated on every use, and presenting a used one revokes its session.
//! Web clients (`X-Confab-Client: web`) get the refresh token only as an HttpOnly,
//! SameSite=Strict cookie.

pub mod cache;
pub mod extract;
pub mod input;
mod login;
pub mod oauth;
pub mod repo;
mod session;
mod signup;
pub mod throttle;

pub use login::{NO_STORE, TokenResponse};
pub use signup::check_new_password;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::Result;
use crate::state::{AppState, Setup};
use repo::{Role, UserRow};

/// Name of the refresh-token cookie.
pub const REFRESH_COOKIE: &str = "confab_refresh";
/// The cookie is sent only to the auth routes.
const COOKIE_PATH: &str = "/api/auth";

/// Start-up: the in-memory caller cache and the per-account verification locks.
pub fn init(setup: &mut Setup) -> Result<()> {
    setup.parts.insert(cache::Callers::default());
    setup.parts.insert(throttle::AccountLocks::default());
    oauth::init(setup)
}

/// Routes under `/api/auth`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup::signup))
        .routes(routes!(login::login))
        .routes(routes!(session::refresh))
        .routes(routes!(session::logout))
        .routes(routes!(session::status))
        .routes(routes!(oauth::providers))
        .routes(routes!(oauth::authorize))
        .routes(routes!(oauth::callback))
}

/// A user as shown to its owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    /// Absent (null) for an account made by a provider that gave no verified email.
    pub email: Option<String>,
    /// Whether the email was verified by a provider.
    pub email_verified: bool,
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
            email_verified: u.email_verified,
            username: u.username.clone(),
            role: u.role(),
            has_password: u.password_hash.is_some(),
            created_at: u.created_at,
        }
    }
}
