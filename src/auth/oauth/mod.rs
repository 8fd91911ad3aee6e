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
mod callback;
pub mod http;
pub mod provider;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use self::callback::*;
use self::http::OAuthHttp;
pub use self::provider::{Provider, ProviderConfig};
use super::repo::identities::{self as repo, NewFlow};
use crate::crypto::tokens;
use crate::error::{Error, ErrorBody, Result};
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
