//! The end of a flow: the provider sends the browser back with a code (or an error), the
//! flow record is claimed, the code is exchanged for the provider's profile, and the
//! identity signs in to (or is linked to) an account; a failure goes to the UI as
//! `?oauth_error=`.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use oauth2::{AuthorizationCode, PkceCodeVerifier, RequestTokenError, TokenResponse as _};
use serde::Deserialize;

use super::provider::{self, ProviderConfig};
use super::{FLOW_COOKIE, FLOW_COOKIE_PATH, OAuth, accounts, client, redirect};
use crate::auth::repo::identities::{self as repo};
use crate::crypto::tokens;
use crate::error::{ErrorBody, Result};
use crate::extract::ClientIp;
use crate::state::AppState;

/// What the provider sends back.
#[derive(Debug, Default, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a flow ended without signing in; the code goes to the UI as `?oauth_error=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The person declined at the provider.
    AccessDenied,
    /// A verified email matches an account that must link the provider itself.
    AccountExists,
    /// Unknown, spent, or another browser's state.
    InvalidState,
    /// The flow took longer than 10 minutes.
    Expired,
    /// The provider refused the code or could not be reached.
    Provider,
    /// The account is deactivated.
    Disabled,
    /// This provider account is linked to another account.
    IdentityInUse,
    /// The account already has another account of this provider linked.
    ProviderTaken,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Failure::AccessDenied => "access_denied",
            Failure::AccountExists => "account_exists_login_to_link",
            Failure::InvalidState => "invalid_state",
            Failure::Expired => "flow_expired",
            Failure::Provider => "provider_error",
            Failure::Disabled => "account_disabled",
            Failure::IdentityInUse => "identity_in_use",
            Failure::ProviderTaken => "provider_already_linked",
        }
    }
}

/// The provider's redirect back: finish signing in (or linking) and 302 to the UI.
#[utoipa::path(get, path = "/api/auth/oauth/{provider}/callback", tag = "auth",
    params(("provider" = String, Path, description = "`kakao`, `github` or `google`"),
        ("code" = Option<String>, Query, description = "authorization code"),
        ("state" = Option<String>, Query, description = "the flow's state"),
        ("error" = Option<String>, Query, description = "the provider's refusal, e.g. `access_denied`")),
    responses((status = 302, description = "to the UI: the page asked for, or `/login?oauth_error=…`"),
        (status = 404, body = ErrorBody)))]
pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response> {
    let cfg = state.part::<OAuth>()?.provider(&provider)?.clone();
    let query: CallbackQuery = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let browser = jar.get(FLOW_COOKIE).map(|c| c.value().to_owned());
    let jar = jar.remove(Cookie::build(FLOW_COOKIE).path(FLOW_COOKIE_PATH));
    let p = cfg.provider.as_str();
    let fail_login = |jar: CookieJar, failure: Failure| {
        tracing::info!(
            provider = p,
            reason = failure.code(),
            "social sign-in refused"
        );
        redirect(
            jar,
            &format!("/login?oauth_error={}&provider={p}", failure.code()),
        )
    };
    let flow = match (&query.state, &browser) {
        (Some(s), Some(b)) if s.len() <= 256 && b.len() <= 256 => {
            repo::take_flow(
                &state.db,
                &tokens::hash_refresh_token(s),
                &tokens::hash_refresh_token(b),
            )
            .await?
        }
        _ => None,
    };
    let Some(flow) = flow.filter(|f| f.provider == p) else {
        return Ok(fail_login(jar, Failure::InvalidState));
    };
    let fail = |jar: CookieJar, failure: Failure| match flow.link_user_id {
        Some(_) => {
            tracing::info!(
                provider = p,
                reason = failure.code(),
                "provider link refused"
            );
            redirect(
                jar,
                &format!("/profile?oauth_error={}&provider={p}", failure.code()),
            )
        }
        None => fail_login(jar, failure),
    };
    if flow.expires_at < crate::db::now() {
        return Ok(fail(jar, Failure::Expired));
    }
    if let Some(error) = &query.error {
        return Ok(fail(
            jar,
            if error == "access_denied" {
                Failure::AccessDenied
            } else {
                Failure::Provider
            },
        ));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 2048) else {
        return Ok(fail(jar, Failure::Provider));
    };
    let profile = match exchange(&state, &cfg, code, flow.pkce_verifier).await {
        Ok(profile) => profile,
        Err(failure) => return Ok(fail(jar, failure)),
    };
    if let Some(user_id) = flow.link_user_id {
        return Ok(
            match accounts::link(&state, user_id, cfg.provider, &profile).await? {
                Ok(()) => redirect(jar, &format!("/profile?linked={p}")),
                Err(failure) => fail(jar, failure),
            },
        );
    }
    let user = match accounts::sign_in(&state, cfg.provider, &profile).await? {
        Ok(user) => user,
        Err(failure) => return Ok(fail(jar, failure)),
    };
    let (user, session_id, refresh) =
        crate::auth::login::start_session(&state, user, &headers, &ip.to_string()).await?;
    tracing::info!(user_id = %user.id, %session_id, provider = p, "logged in with a provider");
    let jar = jar.add(crate::auth::login::refresh_cookie(&state, refresh));
    Ok(redirect(jar, &flow.next_path))
}

/// Trades the code for a token (with the PKCE verifier) and asks who it belongs to. Only
/// kinds of failure are logged: never the code, the token or the provider's body.
async fn exchange(
    state: &AppState,
    cfg: &ProviderConfig,
    code: String,
    verifier: String,
) -> std::result::Result<provider::Profile, Failure> {
    let oauth = state.part::<OAuth>().map_err(|_| Failure::Provider)?;
    let client = client(state, cfg).map_err(|_| Failure::Provider)?;
    let p = cfg.provider.as_str();
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&oauth.http)
        .await
        .map_err(|err| {
            match &err {
                RequestTokenError::ServerResponse(e) => {
                    tracing::warn!(
                        provider = p,
                        error = e.error().as_ref(),
                        "token exchange refused"
                    )
                }
                RequestTokenError::Request(kind) => {
                    tracing::warn!(provider = p, error = %kind, "token exchange failed")
                }
                RequestTokenError::Parse(..) => {
                    tracing::warn!(provider = p, "token answer could not be read")
                }
                RequestTokenError::Other(_) => {
                    tracing::warn!(provider = p, "token exchange failed")
                }
            }
            Failure::Provider
        })?;
    provider::fetch_profile(&oauth.http, cfg, token.access_token().secret())
        .await
        .map_err(|err| {
            tracing::warn!(provider = p, error = ?err, "user info could not be had");
            Failure::Provider
        })
}
