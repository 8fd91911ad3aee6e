//! Linked social providers: list them, link another (the flow starts here, signed in, and
//! finishes at the provider's callback), unlink one while another way to log in remains.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::NO_STORE;
use crate::auth::extract::AuthUser;
use crate::auth::oauth::{self, OAuth, Provider};
use crate::auth::repo::identities::{self as repo, Unlink};
use crate::error::{Error, ErrorBody, Result};
use crate::state::AppState;

/// A provider linked to your account.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityView {
    pub provider: Provider,
    /// The email the provider gave, if any.
    pub email: Option<String>,
    /// Whether the provider vouched for that email.
    pub email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub linked_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

/// Your linked providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityList {
    pub items: Vec<IdentityView>,
}

/// The providers linked to your account.
#[utoipa::path(get, path = "/api/me/identities", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = IdentityList), (status = 401, body = ErrorBody)))]
pub async fn list_identities(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<IdentityList>> {
    let rows = repo::list_identities(&state.db, user.id).await?;
    Ok(Json(IdentityList {
        items: rows
            .into_iter()
            .filter_map(|r| {
                Some(IdentityView {
                    provider: Provider::parse(&r.provider)?,
                    email: r.email,
                    email_verified: r.email_verified,
                    linked_at: r.created_at,
                    last_login_at: r.last_login_at,
                })
            })
            .collect(),
    }))
}

/// Where to send the browser to link a provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkStart {
    /// The provider's consent page; the flow's cookie comes with this response.
    pub authorize_url: String,
}

/// Start linking a provider to your account: go to `authorize_url`; the provider's
/// callback links it and returns to `/profile?linked={provider}`.
#[utoipa::path(post, path = "/api/me/identities/{provider}", tag = "me", security(("bearer" = [])),
    params(("provider" = String, Path, description = "`kakao`, `github` or `google`")),
    responses((status = 200, body = LinkStart), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn link_identity(
    State(state): State<AppState>,
    user: AuthUser,
    Path(provider): Path<String>,
    jar: CookieJar,
) -> Result<(
    [(axum::http::HeaderName, &'static str); 2],
    CookieJar,
    Json<LinkStart>,
)> {
    let cfg = state.part::<OAuth>()?.provider(&provider)?.clone();
    let (url, cookie) = oauth::start_flow(&state, &cfg, "/profile", Some(user.id)).await?;
    Ok((
        NO_STORE,
        jar.add(cookie),
        Json(LinkStart { authorize_url: url }),
    ))
}

/// Unlink a provider; refused (409 `last_login_method`) when it is your only way to log
/// in (no other provider, and no password with an email).
#[utoipa::path(delete, path = "/api/me/identities/{provider}", tag = "me", security(("bearer" = [])),
    params(("provider" = String, Path, description = "`kakao`, `github` or `google`")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn unlink_identity(
    State(state): State<AppState>,
    user: AuthUser,
    Path(provider): Path<String>,
) -> Result<StatusCode> {
    let provider = Provider::parse(&provider).ok_or(Error::NotFound)?;
    match repo::unlink_identity(&state.db, user.id, provider.as_str()).await? {
        Unlink::Done => {
            tracing::info!(user_id = %user.id, provider = provider.as_str(), "provider unlinked");
            Ok(StatusCode::NO_CONTENT)
        }
        Unlink::NotLinked => Err(Error::NotFound),
        Unlink::LastMethod => Err(Error::Conflict {
            code: "last_login_method",
            message:
                "this is your only way to log in; set a password or link another provider first"
                    .into(),
        }),
    }
}
