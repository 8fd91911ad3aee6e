//! Social login with Kakao, GitHub and Google: OAuth 2.0 authorization code + PKCE (S256)
//! + state.
//!
//! The flow record (state hash, PKCE verifier, `next`, 10 minutes, single use) is kept in
//! the database, so any instance can finish a flow another began, and it is bound to the
//! browser by an HttpOnly `SameSite=Lax` cookie (a Strict one is not sent when the provider
//! redirects back). The callback opens the session, sets the refresh cookie and redirects
//! to the UI, which gets its access token from `/api/auth/refresh`: no token ever appears
//! in a URL. Which account a provider identity signs in to is decided in `accounts.rs`.

mod accounts;
pub mod http;
pub mod provider;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use self::http::OAuthHttp;
pub use self::provider::{Provider, ProviderConfig};
use super::repo::identities::{self as repo, NewFlow};
use crate::crypto::tokens;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::ClientIp;
use crate::state::{AppState, Setup};

/// The cookie that binds a flow to the browser that began it.
pub const FLOW_COOKIE: &str = "confab_oauth";
/// The flow cookie is sent only to the OAuth routes.
const FLOW_COOKIE_PATH: &str = "/api/auth/oauth";
/// How long a flow may take.
const FLOW_TTL_MINUTES: i64 = 10;
/// Where a sign-in goes when it names no page.
const DEFAULT_NEXT: &str = "/chat";

/// Social login's runtime state: the configured providers and the HTTP client.
pub struct OAuth {
    pub http: OAuthHttp,
    pub providers: Vec<ProviderConfig>,
}

impl OAuth {
    /// A configured provider by its path name; 404 for unknown or unconfigured ones.
    pub fn provider(&self, name: &str) -> Result<&ProviderConfig> {
        let provider = Provider::parse(name).ok_or(Error::NotFound)?;
        self.providers
            .iter()
            .find(|p| p.provider == provider)
            .ok_or(Error::NotFound)
    }
}

/// Start-up: the configured providers and a client that never follows redirects.
pub fn init(setup: &mut Setup) -> Result<()> {
    let http = OAuthHttp::new().map_err(|e| Error::internal(format!("oauth client: {e}")))?;
    let providers = provider::configured(setup.config);
    for p in &providers {
        for url in [&p.authorize_url, &p.token_url, &p.userinfo_url] {
            oauth2::url::Url::parse(url).map_err(|e| {
                Error::internal(format!("{} endpoint {url:?}: {e}", p.provider.as_str()))
            })?;
        }
    }
    setup.parts.insert(OAuth { http, providers });
    Ok(())
}

/// One enabled provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    /// `kakao`, `github` or `google`.
    pub id: Provider,
    /// Display name.
    pub name: &'static str,
    /// Where a plain link starts the sign-in.
    pub authorize_url: String,
}

/// The enabled providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvidersView {
    pub providers: Vec<ProviderView>,
}

/// The social providers this server is configured for (only those are listed).
#[utoipa::path(get, path = "/api/auth/providers", tag = "auth",
    responses((status = 200, body = ProvidersView)))]
pub async fn providers(State(state): State<AppState>) -> Result<axum::Json<ProvidersView>> {
    let oauth = state.part::<OAuth>()?;
    Ok(axum::Json(ProvidersView {
        providers: oauth
            .providers
            .iter()
            .map(|p| ProviderView {
                id: p.provider,
                name: p.provider.name(),
                authorize_url: format!("/api/auth/oauth/{}/authorize", p.provider.as_str()),
            })
            .collect(),
    }))
}

/// `next` as given to the authorize route.
#[derive(Debug, Deserialize)]
struct AuthorizeQuery {
    next: Option<String>,
}

/// A page of this site to land on: a path starting with one `/`, visible ASCII only, not
/// the API. Anything else (another site, `//host`, `/\host`, a scheme) becomes the default.
pub fn safe_next(raw: Option<&str>) -> String {
    match raw {
        Some(s)
            if s.starts_with('/')
                && !s.starts_with("//")
                && !s.contains('\\')
                && !s.starts_with("/api/")
                && s.len() <= 512
                && s.bytes().all(|b| (0x21..0x7f).contains(&b)) =>
        {
            s.to_owned()
        }
        _ => DEFAULT_NEXT.to_owned(),
    }
}

/// Begin signing in with a provider: 302 to its consent page. A plain link starts it (the
/// CSP's `form-action 'self'` would stop a form's redirect to another site).
#[utoipa::path(get, path = "/api/auth/oauth/{provider}/authorize", tag = "auth",
    params(("provider" = String, Path, description = "`kakao`, `github` or `google`"),
        ("next" = Option<String>, Query, description = "a page of this site to land on")),
    responses((status = 302, description = "to the provider"), (status = 404, body = ErrorBody)))]
pub async fn authorize(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    jar: CookieJar,
) -> Result<Response> {
    let cfg = state.part::<OAuth>()?.provider(&provider)?.clone();
    let next = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str::<AuthorizeQuery>(q).ok())
        .and_then(|q| q.next);
    let (url, cookie) = start_flow(&state, &cfg, &safe_next(next.as_deref()), None).await?;
    Ok(redirect(jar.add(cookie), &url))
}

/// Starts a flow: stores it and returns the provider's URL and the browser-binding cookie.
/// `link_user` is set when a signed-in user links another provider from the profile.
pub async fn start_flow(
    state: &AppState,
    cfg: &ProviderConfig,
    next: &str,
    link_user: Option<Uuid>,
) -> Result<(String, Cookie<'static>)> {
    let state_token = tokens::random_secret(32);
    let browser = tokens::random_secret(32);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = client(state, cfg)?;
    let token_for_url = state_token.clone();
    let (url, _) = client
        .authorize_url(move || CsrfToken::new(token_for_url))
        .add_scopes(
            cfg.provider
                .scopes()
                .iter()
                .map(|s| Scope::new((*s).to_owned())),
        )
        .set_pkce_challenge(challenge)
        .url();
    repo::insert_flow(
        &state.db,
        NewFlow {
            state_hash: &tokens::hash_refresh_token(&state_token),
            browser_hash: &tokens::hash_refresh_token(&browser),
            provider: cfg.provider.as_str(),
            pkce_verifier: verifier.secret(),
            next_path: next,
            link_user_id: link_user,
            expires_at: crate::db::now() + time::Duration::minutes(FLOW_TTL_MINUTES),
        },
    )
    .await?;
    let cookie = Cookie::build((FLOW_COOKIE, browser))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .path(FLOW_COOKIE_PATH)
        .max_age(time::Duration::minutes(FLOW_TTL_MINUTES))
        .build();
    Ok((url.to_string(), cookie))
}

type Client = oauth2::basic::BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn client(state: &AppState, cfg: &ProviderConfig) -> Result<Client> {
    let bad = |e: oauth2::url::ParseError| Error::internal(format!("oauth endpoint: {e}"));
    let redirect = format!(
        "{}/api/auth/oauth/{}/callback",
        state.config.public_url.trim_end_matches('/'),
        cfg.provider.as_str()
    );
    let mut client = BasicClient::new(ClientId::new(cfg.client_id.clone()))
        .set_auth_uri(AuthUrl::new(cfg.authorize_url.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(cfg.token_url.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect).map_err(bad)?)
        .set_auth_type(if cfg.provider.secret_in_body() {
            AuthType::RequestBody
        } else {
            AuthType::BasicAuth
        });
    if let Some(secret) = &cfg.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
    }
    Ok(client)
}

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
    let user = crate::admin::promote_if_listed(&state, user).await?;
    let refresh = tokens::new_refresh_token();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(256).collect::<String>());
    let session_id = super::repo::create_session(
        &state.db,
        user.id,
        &refresh.hash,
        super::login::session_expiry(&state),
        user_agent.as_deref(),
        Some(&ip.to_string()),
    )
    .await?;
    tracing::info!(user_id = %user.id, %session_id, provider = p, "logged in with a provider");
    let jar = jar.add(super::login::refresh_cookie(&state, refresh.plain));
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

/// A 302 that no cache keeps, with the cookies of `jar`.
fn redirect(jar: CookieJar, location: &str) -> Response {
    let mut response = (jar, StatusCode::FOUND).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    } else {
        headers.insert(header::LOCATION, HeaderValue::from_static(DEFAULT_NEXT));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_path_of_this_site_or_the_default() {
        for ok in ["/chat", "/profile?x=1", "/interview/cheatsheet#top", "/"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "chat",
            "/api/me",
            "/a b",
            "/\u{d55c}",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), DEFAULT_NEXT, "{bad:?}");
        }
        assert_eq!(safe_next(None), DEFAULT_NEXT);
    }
}
