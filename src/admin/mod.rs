//! Administration (PRODUCT.md §2.6): users (list, search, role, deactivation, per-user
//! daily limits), usage counts per scope and day, and the audit log of every admin action.
//!
//! Every route needs an admin ([`Admin`]): anonymous callers get 401, members and
//! managers 403. An admin reads no content: usage comes from the quota counters only, and
//! other people's rooms stay 404 for an admin as for anyone else (their routes check the
//! owner in SQL). Changes commit together with their audit entry, serialised with every
//! other admin change, so the last active admin can never be demoted or deactivated.
//!
//! `CONFAB_ADMIN_EMAILS` promotes listed accounts at sign-up and log-in
//! ([`promote_if_listed`], called by `auth`).

mod audit;
mod promote;
pub mod repo;
mod usage;
mod users;

pub use promote::promote_if_listed;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extract::AuthUser;
use crate::auth::repo::Role;
use crate::error::Error;
use crate::state::AppState;

/// Routes under `/api/admin`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::list_users))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(usage::get_usage))
        .routes(routes!(audit::list_audit))
}

/// The caller, who must be an admin: 401 without a valid token, 403 for anyone else.
#[derive(Clone, Debug)]
pub struct Admin(pub AuthUser);

impl<S> FromRequestParts<S> for Admin
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = <AuthUser as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        user.require(Role::Admin)?;
        Ok(Admin(user))
    }
}
