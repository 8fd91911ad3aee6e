#![allow(dead_code)]
//! A fake OAuth 2.0 provider speaking real HTTP on a local port, for integration tests and
//! the browser tests (`examples/fake_oauth.rs`). It plays Kakao, GitHub and Google at once,
//! each under its own prefix:
//!
//! - `GET /{p}/authorize`: checks the client id, the redirect URI and an S256 PKCE
//!   challenge, then redirects back at once with a single-use `code` and the `state` (or
//!   with `error=access_denied` when told to refuse);
//! - `POST /{p}/token`: checks the code, the client credentials (Kakao and GitHub in the
//!   body, Google by HTTP Basic), the redirect URI and the PKCE verifier; a bad request is
//!   400 `invalid_grant`, except on GitHub, which answers 200 with an error body as the
//!   real one does;
//! - `GET /{p}/userinfo` (and GitHub's `/github/userinfo/emails`): the identity set with
//!   [`FakeOAuth::set_identity`], in that provider's format.
//!
//! Self-contained: included with `#[path = ...] mod fake_oauth;`, so it only uses crates
//! from Cargo.toml.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The client id every fake provider expects.
pub const CLIENT_ID: &str = "fake-client-id";
/// The client secret every fake provider expects (tests check it never leaks).
pub const CLIENT_SECRET: &str = "fake-client-secret-5ec7e7";

/// The person who signs in at a fake provider.
#[derive(Clone, Debug)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: String,
}

impl Identity {
    pub fn new(subject: &str, email: Option<&str>, verified: bool, name: &str) -> Identity {
        Identity {
            subject: subject.to_owned(),
            email: email.map(str::to_owned),
            email_verified: verified,
            name: name.to_owned(),
        }
    }
}

struct Grant {
    provider: String,
    redirect_uri: String,
    challenge: String,
    identity: Identity,
}

#[derive(Default)]
struct Shared {
    identities: HashMap<String, Identity>,
    deny: bool,
    grants: HashMap<String, Grant>,
    tokens: HashMap<String, (String, Identity)>,
    /// Every code and access token handed out (tests check none leaks).
    issued: Vec<String>,
    token_calls: usize,
    next: u64,
}

/// A running fake provider.
pub struct FakeOAuth {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    server: JoinHandle<()>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FakeOAuth {
    /// Binds 127.0.0.1:0 and serves on the current tokio runtime.
    pub async fn start() -> FakeOAuth {
        match Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await {
            Ok(fake) => fake,
            Err(err) => panic!("fake oauth: cannot listen: {err}"),
        }
    }

    /// Binds `addr` (port 0 picks one).
    pub async fn start_on(addr: SocketAddr) -> io::Result<FakeOAuth> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let router = Router::new()
            .route("/{provider}/authorize", get(authorize))
            .route("/{provider}/token", post(token))
            .route("/{provider}/userinfo", get(userinfo))
            .route("/{provider}/userinfo/emails", get(emails))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, router).await {
                eprintln!("fake oauth: server stopped: {err}");
            }
        });
        Ok(FakeOAuth {
            addr,
            shared,
            server,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `(authorize, token, userinfo)` URLs of one provider.
    pub fn urls(&self, provider: &str) -> (String, String, String) {
        let base = self.base_url();
        (
            format!("{base}/{provider}/authorize"),
            format!("{base}/{provider}/token"),
            format!("{base}/{provider}/userinfo"),
        )
    }

    /// Who signs in at `provider` from now on.
    pub fn set_identity(&self, provider: &str, identity: Identity) {
        lock(&self.shared)
            .identities
            .insert(provider.to_owned(), identity);
    }

    /// Makes the consent page refuse (`error=access_denied`) or accept.
    pub fn set_deny(&self, deny: bool) {
        lock(&self.shared).deny = deny;
    }

    /// Token requests received.
    pub fn token_calls(&self) -> usize {
        lock(&self.shared).token_calls
    }

    /// Every code and token issued so far.
    pub fn issued(&self) -> Vec<String> {
        lock(&self.shared).issued.clone()
    }
}

impl Drop for FakeOAuth {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn query_map(query: Option<String>) -> HashMap<String, String> {
    serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default()
}

fn bad(status: StatusCode, text: &str) -> Response {
    (status, text.to_owned()).into_response()
}

async fn authorize(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = query_map(query);
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != CLIENT_ID || get("response_type") != "code" {
        return bad(StatusCode::BAD_REQUEST, "bad client_id or response_type");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").len() < 43 {
        return bad(StatusCode::BAD_REQUEST, "PKCE S256 required");
    }
    let redirect_uri = get("redirect_uri");
    if !redirect_uri.starts_with("http") || get("state").is_empty() {
        return bad(StatusCode::BAD_REQUEST, "bad redirect_uri or state");
    }
    let mut shared = lock(&shared);
    let state = get("state");
    let target = if shared.deny {
        format!(
            "{redirect_uri}?error=access_denied&error_description=The+user+denied&state={}",
            urlencode(&state)
        )
    } else {
        let Some(identity) = shared.identities.get(&provider).cloned() else {
            return bad(StatusCode::BAD_REQUEST, "no identity set for this provider");
        };
        shared.next += 1;
        let code = format!("code-{provider}-{}-{}", shared.next, random_hex());
        shared.issued.push(code.clone());
        shared.grants.insert(
            code.clone(),
            Grant {
                provider: provider.clone(),
                redirect_uri: redirect_uri.clone(),
                challenge: get("code_challenge"),
                identity,
            },
        );
        format!(
            "{redirect_uri}?code={}&state={}",
            urlencode(&code),
            urlencode(&state)
        )
    };
    (StatusCode::FOUND, [(header::LOCATION, target)]).into_response()
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_owned()
}

fn random_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn token_error(provider: &str, code: &str) -> Response {
    let body = json!({"error": code, "error_description": "the code or verifier is wrong"});
    // GitHub answers a failed exchange with 200 and an error body.
    let status = if provider == "github" {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, axum::Json(body)).into_response()
}

async fn token(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut shared = lock(&shared);
    shared.token_calls += 1;
    // Kakao and GitHub take the secret in the body; Google by HTTP Basic.
    let (id, secret) = if provider == "google" {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|v| STANDARD.decode(v).ok())
            .and_then(|v| String::from_utf8(v).ok())
            .unwrap_or_default();
        let (id, secret) = basic.split_once(':').unwrap_or(("", ""));
        (id.to_owned(), secret.to_owned())
    } else {
        (get("client_id"), get("client_secret"))
    };
    if id != CLIENT_ID || secret != CLIENT_SECRET {
        return token_error(&provider, "invalid_client");
    }
    if get("grant_type") != "authorization_code" {
        return token_error(&provider, "unsupported_grant_type");
    }
    let Some(grant) = shared.grants.remove(&get("code")) else {
        return token_error(
            &provider,
            if provider == "github" {
                "bad_verification_code"
            } else {
                "invalid_grant"
            },
        );
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
    if grant.provider != provider
        || grant.redirect_uri != get("redirect_uri")
        || grant.challenge != challenge
    {
        return token_error(&provider, "invalid_grant");
    }
    let access = format!("tok-{provider}-{}", random_hex());
    shared.issued.push(access.clone());
    shared
        .tokens
        .insert(access.clone(), (provider.clone(), grant.identity));
    axum::Json(json!({"access_token": access, "token_type": "bearer", "expires_in": 3600}))
        .into_response()
}

fn bearer_identity(
    shared: &Mutex<Shared>,
    provider: &str,
    headers: &HeaderMap,
) -> Option<Identity> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    let shared = lock(shared);
    let (p, identity) = shared.tokens.get(token)?;
    (p == provider).then(|| identity.clone())
}

async fn userinfo(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(who) = bearer_identity(&shared, &provider, &headers) else {
        return bad(StatusCode::UNAUTHORIZED, "bad token");
    };
    if provider == "github" && headers.get(header::USER_AGENT).is_none() {
        // GitHub's API refuses requests without a User-Agent.
        return bad(StatusCode::FORBIDDEN, "User-Agent required");
    }
    let body: Value = match provider.as_str() {
        "kakao" => {
            let subject: Value = who
                .subject
                .parse::<u64>()
                .map_or_else(|_| json!(who.subject), |n| json!(n));
            let mut account = json!({"profile": {"nickname": who.name}});
            if let Some(email) = &who.email {
                account["email"] = json!(email);
                account["is_email_valid"] = json!(true);
                account["is_email_verified"] = json!(who.email_verified);
            }
            json!({"id": subject, "kakao_account": account})
        }
        "github" => {
            let id: Value = who
                .subject
                .parse::<u64>()
                .map_or_else(|_| json!(who.subject), |n| json!(n));
            json!({"id": id, "login": who.name, "email": null})
        }
        // Google has sent `email_verified` as the string "true": so does this fake.
        _ => json!({
            "sub": who.subject,
            "email": who.email,
            "email_verified": if who.email_verified { json!("true") } else { json!(false) },
            "name": who.name,
        }),
    };
    axum::Json(body).into_response()
}

async fn emails(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(who) = bearer_identity(&shared, &provider, &headers) else {
        return bad(StatusCode::UNAUTHORIZED, "bad token");
    };
    let mut list =
        vec![json!({"email": "noreply@users.example", "primary": false, "verified": true})];
    if let Some(email) = &who.email {
        list.push(json!({"email": email, "primary": true, "verified": who.email_verified}));
    }
    axum::Json(Value::Array(list)).into_response()
}
