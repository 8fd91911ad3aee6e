//! Social login (Kakao, GitHub, Google) against a fake provider on 127.0.0.1:0: each
//! provider's happy path, the linking rules, every way a flow can go wrong, linking and
//! unlinking from the profile, two instances, and no secret in a response or a log.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use confab::config::{Config, Secret};
use confab::db::Db;
use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};

use crate::fake_oauth::{CLIENT_ID, CLIENT_SECRET, FakeOAuth, Identity};
use crate::helpers::{
    Backend, PASSWORD, TestApp, body_json, error_of, postgres_url, spawn_app_with, test_config,
};
use crate::on_both_backends;

// ---------------------------------------------------------------------------------------
// Log capture: every event the server logs in this test binary is kept, so a test can
// check that no secret was ever written.

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info,confab=trace"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        // Another test may have installed one first; then this test sees nothing new.
        let _ = tracing::subscriber::set_global_default(subscriber);
        captured
    })
}

fn captured_logs() -> String {
    String::from_utf8_lossy(&logs().0.lock().map(|v| v.clone()).unwrap_or_default()).into_owned()
}

// ---------------------------------------------------------------------------------------
// Helpers.

const PROVIDERS: [&str; 3] = ["kakao", "github", "google"];

fn configure(c: &mut Config, fake: &FakeOAuth, providers: &[&str]) {
    for p in providers {
        let (a, t, u) = fake.urls(p);
        let (id, secret, authorize, token, userinfo) = match *p {
            "kakao" => (
                &mut c.kakao_client_id,
                &mut c.kakao_client_secret,
                &mut c.kakao_authorize_url,
                &mut c.kakao_token_url,
                &mut c.kakao_userinfo_url,
            ),
            "github" => (
                &mut c.github_client_id,
                &mut c.github_client_secret,
                &mut c.github_authorize_url,
                &mut c.github_token_url,
                &mut c.github_userinfo_url,
            ),
            _ => (
                &mut c.google_client_id,
                &mut c.google_client_secret,
                &mut c.google_authorize_url,
                &mut c.google_token_url,
                &mut c.google_userinfo_url,
            ),
        };
        *id = Some(CLIENT_ID.into());
        *secret = Some(Secret::new(CLIENT_SECRET));
        *authorize = Some(a);
        *token = Some(t);
        *userinfo = Some(u);
    }
}

async fn spawn(backend: Backend, fake: &FakeOAuth) -> Option<TestApp> {
    logs();
    spawn_app_with(backend, |c| configure(c, fake, &PROVIDERS)).await
}

/// A browser's cookies, by name.
#[derive(Default, Clone)]
struct Browser {
    cookies: HashMap<String, String>,
}

impl Browser {
    fn absorb(&mut self, res: &Response) {
        for value in res.headers().get_all(header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let Some((name, rest)) = text.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("").to_owned();
            let gone = value.is_empty() || text.to_ascii_lowercase().contains("max-age=0");
            if gone {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value);
            }
        }
    }

    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn set_cookie_text(res: &Response) -> String {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("\n")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Opens the authorize route; returns the provider URL it redirects to.
async fn begin(app: &TestApp, browser: &mut Browser, provider: &str, next: Option<&str>) -> String {
    let mut path = format!("/api/auth/oauth/{provider}/authorize");
    if let Some(next) = next {
        path.push_str(&format!(
            "?{}",
            serde_urlencoded::to_string([("next", next)]).expect("query")
        ));
    }
    let res = client()
        .get(app.url(&path))
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), StatusCode::FOUND, "authorize redirects");
    let cookies = set_cookie_text(&res);
    assert!(cookies.contains("confab_oauth="), "{cookies}");
    assert!(
        cookies.contains("HttpOnly") && cookies.contains("SameSite=Lax"),
        "{cookies}"
    );
    browser.absorb(&res);
    location(&res)
}

/// The provider's consent page: returns the query it sends back to the callback.
async fn consent(provider_url: &str) -> String {
    let res = client().get(provider_url).send().await.expect("provider");
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "the fake provider redirects back"
    );
    let back = location(&res);
    let (target, query) = back.split_once('?').expect("query on the redirect");
    assert!(target.ends_with("/callback"), "{target}");
    query.to_owned()
}

/// The provider's redirect back, on `app`, from `browser`.
async fn callback(app: &TestApp, browser: &mut Browser, provider: &str, query: &str) -> Response {
    let res = client()
        .get(app.url(&format!("/api/auth/oauth/{provider}/callback?{query}")))
        .header(header::COOKIE, browser.header())
        .send()
        .await
        .expect("callback");
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "the callback redirects to the UI"
    );
    browser.absorb(&res);
    res
}

/// A whole sign-in; returns the callback's redirect target.
async fn sign_in(
    app: &TestApp,
    browser: &mut Browser,
    provider: &str,
    next: Option<&str>,
) -> String {
    let url = begin(app, browser, provider, next).await;
    let query = consent(&url).await;
    location(&callback(app, browser, provider, &query).await)
}

/// What the web UI does on landing: trades the refresh cookie for tokens and the user.
async fn web_refresh(app: &TestApp, browser: &mut Browser) -> Response {
    let res = client()
        .post(app.url("/api/auth/refresh"))
        .header("x-confab-client", "web")
        .header(header::COOKIE, browser.header())
        .send()
        .await
        .expect("refresh");
    browser.absorb(&res);
    res
}

/// Signs in and returns (access token, user).
async fn signed_in(app: &TestApp, provider: &str) -> (String, Value) {
    let mut browser = Browser::default();
    let landed = sign_in(app, &mut browser, provider, None).await;
    assert_eq!(landed, "/chat");
    let res = web_refresh(app, &mut browser).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    (
        body["access_token"].as_str().expect("access").to_owned(),
        body["user"].clone(),
    )
}

fn error_code_of(location: &str) -> String {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let map: HashMap<String, String> = serde_urlencoded::from_str(query).unwrap_or_default();
    map.get("oauth_error").cloned().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Happy paths.

async fn github_signs_in_a_new_account_with_its_verified_primary_email(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity(
        "github",
        Identity::new("583231", Some("Octo@Example.com"), true, "octocat"),
    );

    let mut browser = Browser::default();
    let landed = sign_in(&app, &mut browser, "github", None).await;
    assert_eq!(landed, "/chat");
    assert!(
        browser.cookies.contains_key("confab_refresh"),
        "the session cookie is set"
    );
    assert!(
        !browser.cookies.contains_key("confab_oauth"),
        "the flow cookie is spent"
    );

    let res = web_refresh(&app, &mut browser).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert!(
        body.get("refresh_token").is_none(),
        "web clients never see it"
    );
    assert_eq!(body["user"]["email"], "Octo@example.com");
    assert_eq!(body["user"]["email_verified"], true);
    assert_eq!(body["user"]["username"], "octocat");
    assert_eq!(body["user"]["has_password"], false);
    let token = body["access_token"].as_str().unwrap();
    let me = app.get_json("/api/me/identities", token).await;
    assert_eq!(me["items"][0]["provider"], "github");
    assert_eq!(me["items"][0]["email_verified"], true);
}
on_both_backends!(github_signs_in_a_new_account_with_its_verified_primary_email);

async fn google_signs_in_with_email_verified_given_as_a_string(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity(
        "google",
        Identity::new("10938", Some("g@example.com"), true, "Gil Dong"),
    );
    let (_, user) = signed_in(&app, "google").await;
    assert_eq!(user["email"], "g@example.com");
    assert_eq!(user["email_verified"], true);
    assert_eq!(user["username"], "Gil_Dong");
}
on_both_backends!(google_signs_in_with_email_verified_given_as_a_string);

async fn a_kakao_user_without_email_gets_an_account_without_one(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity("kakao", Identity::new("3141592653", None, false, "라이언"));
    let (token, user) = signed_in(&app, "kakao").await;
    assert_eq!(user["email"], Value::Null);
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["username"], "라이언");

    let me = app.get_json("/api/me", &token).await;
    assert_eq!(me["email"], Value::Null);
    let status = body_json(app.get("/api/auth/status", Some(&token)).await).await;
    assert_eq!(status["authenticated"], true);
    assert_eq!(status["user"]["email"], Value::Null);
    let rooms = app.get("/api/rooms", Some(&token)).await;
    assert_eq!(rooms.status(), StatusCode::OK);

    // It may set a password (no current one to give) and delete itself with a typed
    // confirmation instead of a password.
    let res = app
        .put_json(
            "/api/me/password",
            json!({"new_password": PASSWORD, "new_password2": PASSWORD}),
            &token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me = app.get_json("/api/me", &token).await;
    assert_eq!(me["has_password"], true);
}

async fn a_social_only_account_deletes_itself_by_typing_its_username(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity("kakao", Identity::new("2718", None, false, "muzi"));
    let (token, user) = signed_in(&app, "kakao").await;
    let wrong = app
        .request(
            reqwest::Method::DELETE,
            "/api/me",
            Some(&token),
            Some(json!({"confirm": "nope"})),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let res = app
        .request(
            reqwest::Method::DELETE,
            "/api/me",
            Some(&token),
            Some(json!({"confirm": user["username"]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // The identity went with the account: the next sign-in makes a new one.
    let (_, again) = signed_in(&app, "kakao").await;
    assert_ne!(again["id"], user["id"]);
}
on_both_backends!(a_social_only_account_deletes_itself_by_typing_its_username);
on_both_backends!(a_kakao_user_without_email_gets_an_account_without_one);

async fn the_same_subject_signs_in_to_the_same_account_every_time(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    for provider in PROVIDERS {
        fake.set_identity(
            provider,
            Identity::new(
                "777",
                Some(&format!("{provider}@example.com")),
                true,
                provider,
            ),
        );
        let (_, first) = signed_in(&app, provider).await;
        // The provider changed the person's email since: the subject still decides.
        fake.set_identity(
            provider,
            Identity::new("777", Some("changed@example.net"), true, "renamed"),
        );
        let (_, second) = signed_in(&app, provider).await;
        assert_eq!(first["id"], second["id"], "{provider}");
    }
}
on_both_backends!(the_same_subject_signs_in_to_the_same_account_every_time);

// ---------------------------------------------------------------------------------------
// Linking rules.

async fn a_verified_email_of_a_password_account_is_refused_with_account_exists_login_to_link(
    backend: Backend,
) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    app.signup("minji@example.com", "minji", PASSWORD).await;
    fake.set_identity(
        "github",
        Identity::new("1", Some("MINJI@example.com"), true, "minji-gh"),
    );
    let mut browser = Browser::default();
    let landed = sign_in(&app, &mut browser, "github", None).await;
    assert_eq!(
        landed,
        "/login?oauth_error=account_exists_login_to_link&provider=github"
    );
    assert!(
        !browser.cookies.contains_key("confab_refresh"),
        "no session"
    );
    assert_eq!(
        web_refresh(&app, &mut browser).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
on_both_backends!(
    a_verified_email_of_a_password_account_is_refused_with_account_exists_login_to_link
);

async fn an_unverified_email_is_never_linked_to_an_account(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    let owner = app.member("jisoo").await;
    // First a provider that verified the address made an account (so a verified email
    // could join it), yet an unverified claim of the same address joins nothing.
    fake.set_identity(
        "google",
        Identity::new("g-2", Some("jisoo@example.com"), false, "jisoo"),
    );
    let (_, user) = signed_in(&app, "google").await;
    assert_ne!(user["id"].as_str(), Some(owner.user_id.as_str()));
    assert_eq!(
        user["email"],
        Value::Null,
        "an unverified email never becomes the account's"
    );

    fake.set_identity(
        "kakao",
        Identity::new("55", Some("jisoo@example.com"), false, "jisoo"),
    );
    let (_, kakao_user) = signed_in(&app, "kakao").await;
    assert_ne!(kakao_user["id"], user["id"]);
    assert_ne!(kakao_user["id"].as_str(), Some(owner.user_id.as_str()));
}
on_both_backends!(an_unverified_email_is_never_linked_to_an_account);

async fn a_verified_email_joins_an_account_whose_own_email_a_provider_verified(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity(
        "github",
        Identity::new("9", Some("dev@example.com"), true, "dev"),
    );
    let (token, first) = signed_in(&app, "github").await;
    fake.set_identity(
        "google",
        Identity::new("g-9", Some("Dev@Example.com"), true, "dev"),
    );
    let (_, second) = signed_in(&app, "google").await;
    assert_eq!(first["id"], second["id"]);
    let items = app.get_json("/api/me/identities", &token).await;
    let providers: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["provider"].as_str())
        .collect();
    assert_eq!(providers, ["github", "google"]);

    // Changing the email makes it unverified again: it no longer joins anything.
    let res = app
        .patch_json("/api/me", json!({"email": "new@example.com"}), &token)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["email_verified"], false);
    fake.set_identity(
        "kakao",
        Identity::new("99", Some("new@example.com"), true, "dev"),
    );
    let mut browser = Browser::default();
    let landed = sign_in(&app, &mut browser, "kakao", None).await;
    assert_eq!(error_code_of(&landed), "account_exists_login_to_link");
}
on_both_backends!(a_verified_email_joins_an_account_whose_own_email_a_provider_verified);

// ---------------------------------------------------------------------------------------
// Flows that go wrong.

async fn a_replayed_state_is_refused(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity(
        "github",
        Identity::new("3", Some("r@example.com"), true, "replay"),
    );
    let mut browser = Browser::default();
    let url = begin(&app, &mut browser, "github", None).await;
    let query = consent(&url).await;
    let saved = browser.clone();
    assert_eq!(
        location(&callback(&app, &mut browser, "github", &query).await),
        "/chat"
    );
    let mut again = saved;
    let res = callback(&app, &mut again, "github", &query).await;
    assert_eq!(
        location(&res),
        "/login?oauth_error=invalid_state&provider=github"
    );
    assert!(!set_cookie_text(&res).contains("confab_refresh="));
}
on_both_backends!(a_replayed_state_is_refused);

async fn a_state_from_another_browser_is_refused_and_the_owner_can_still_finish(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity(
        "google",
        Identity::new("4", Some("f@example.com"), true, "foreign"),
    );
    let mut victim = Browser::default();
    let url = begin(&app, &mut victim, "google", None).await;
    let query = consent(&url).await;

    let mut attacker = Browser::default();
    let res = callback(&app, &mut attacker, "google", &query).await;
    assert_eq!(error_code_of(&location(&res)), "invalid_state");
    let mut other = Browser::default();
    begin(&app, &mut other, "google", None).await; // a flow cookie of its own
    let res = callback(&app, &mut other, "google", &query).await;
    assert_eq!(error_code_of(&location(&res)), "invalid_state");
    // A state made up from nothing.
    let res = callback(&app, &mut victim.clone(), "google", "code=x&state=made-up").await;
    assert_eq!(error_code_of(&location(&res)), "invalid_state");

    assert_eq!(
        location(&callback(&app, &mut victim, "google", &query).await),
        "/chat"
    );
}
on_both_backends!(a_state_from_another_browser_is_refused_and_the_owner_can_still_finish);

async fn an_expired_flow_is_refused(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity("kakao", Identity::new("5", None, false, "late"));
    let mut browser = Browser::default();
    let url = begin(&app, &mut browser, "kakao", None).await;
    let query = consent(&url).await;
    let moved = app
        .execute_elsewhere("UPDATE oauth_flows SET expires_at = '2001-01-01T00:00:00.000001Z'")
        .await;
    assert_eq!(moved, 1);
    let res = callback(&app, &mut browser, "kakao", &query).await;
    assert_eq!(error_code_of(&location(&res)), "flow_expired");
    assert_eq!(
        fake.token_calls(),
        0,
        "an expired flow never reaches the provider"
    );
}
on_both_backends!(an_expired_flow_is_refused);

async fn a_pkce_verifier_that_does_not_match_fails_the_exchange(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity(
        "google",
        Identity::new("6", Some("p@example.com"), true, "pkce"),
    );
    let mut browser = Browser::default();
    let url = begin(&app, &mut browser, "google", None).await;
    let query = consent(&url).await;
    app.execute_elsewhere(
        "UPDATE oauth_flows SET pkce_verifier = 'not-the-verifier-that-made-the-challenge-000000'",
    )
    .await;
    let res = callback(&app, &mut browser, "google", &query).await;
    assert_eq!(error_code_of(&location(&res)), "provider_error");
    assert_eq!(fake.token_calls(), 1, "the provider refused the exchange");
    assert!(!browser.cookies.contains_key("confab_refresh"));
}
on_both_backends!(a_pkce_verifier_that_does_not_match_fails_the_exchange);

async fn access_denied_at_the_provider_is_reported_as_access_denied(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_deny(true);
    let mut browser = Browser::default();
    let landed = sign_in(&app, &mut browser, "kakao", None).await;
    assert_eq!(landed, "/login?oauth_error=access_denied&provider=kakao");
    assert_eq!(fake.token_calls(), 0);
}
on_both_backends!(access_denied_at_the_provider_is_reported_as_access_denied);

async fn github_answering_a_bad_code_with_200_and_an_error_fails_the_sign_in(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity(
        "github",
        Identity::new("7", Some("c@example.com"), true, "badcode"),
    );
    let mut browser = Browser::default();
    let url = begin(&app, &mut browser, "github", None).await;
    let query = consent(&url).await;
    let map: HashMap<String, String> = serde_urlencoded::from_str(&query).unwrap();
    let forged =
        serde_urlencoded::to_string([("code", "not-a-code"), ("state", map["state"].as_str())])
            .unwrap();
    let res = callback(&app, &mut browser, "github", &forged).await;
    assert_eq!(error_code_of(&location(&res)), "provider_error");
    assert_eq!(fake.token_calls(), 1);
    assert!(!browser.cookies.contains_key("confab_refresh"));
}
on_both_backends!(github_answering_a_bad_code_with_200_and_an_error_fails_the_sign_in);

async fn next_is_kept_when_it_is_a_page_of_this_site_and_dropped_otherwise(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity("github", Identity::new("8", None, false, "nexter"));
    for (next, expected) in [
        (
            "/interview/cheatsheet?field=backend",
            "/interview/cheatsheet?field=backend",
        ),
        ("https://evil.example/steal", "/chat"),
        ("//evil.example/steal", "/chat"),
        ("/\\evil.example", "/chat"),
        ("/api/me", "/chat"),
    ] {
        let mut browser = Browser::default();
        assert_eq!(
            sign_in(&app, &mut browser, "github", Some(next)).await,
            expected,
            "{next}"
        );
    }
}
on_both_backends!(next_is_kept_when_it_is_a_page_of_this_site_and_dropped_otherwise);

// ---------------------------------------------------------------------------------------
// The profile: link, unlink, the last login method.

/// Starts linking from the profile; returns the provider URL.
async fn start_link(app: &TestApp, browser: &mut Browser, token: &str, provider: &str) -> String {
    let res = app
        .request(
            reqwest::Method::POST,
            &format!("/api/me/identities/{provider}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(set_cookie_text(&res).contains("SameSite=Lax"));
    browser.absorb(&res);
    body_json(res).await["authorize_url"]
        .as_str()
        .expect("authorize_url")
        .to_owned()
}

async fn a_member_links_and_unlinks_a_provider_from_the_profile(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    let member = app.member("haneul").await;
    fake.set_identity(
        "github",
        Identity::new("10", Some("someone-else@example.com"), true, "haneul-gh"),
    );
    let mut browser = Browser::default();
    let url = start_link(&app, &mut browser, &member.access, "github").await;
    let query = consent(&url).await;
    let res = callback(&app, &mut browser, "github", &query).await;
    assert_eq!(location(&res), "/profile?linked=github");
    assert!(
        !set_cookie_text(&res).contains("confab_refresh="),
        "linking opens no session"
    );

    let list = app.get_json("/api/me/identities", &member.access).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["provider"], "github");
    // Signing in with GitHub now opens the member's own account.
    let (_, user) = signed_in(&app, "github").await;
    assert_eq!(user["id"].as_str(), Some(member.user_id.as_str()));

    // The same GitHub account cannot be linked to somebody else.
    let other = app.member("byeol").await;
    let mut other_browser = Browser::default();
    let url = start_link(&app, &mut other_browser, &other.access, "github").await;
    let query = consent(&url).await;
    let res = callback(&app, &mut other_browser, "github", &query).await;
    assert_eq!(
        location(&res),
        "/profile?oauth_error=identity_in_use&provider=github"
    );

    let res = app
        .delete("/api/me/identities/github", &member.access)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let list = app.get_json("/api/me/identities", &member.access).await;
    assert_eq!(list["items"], json!([]));
    let res = app
        .delete("/api/me/identities/github", &member.access)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .delete("/api/me/identities/myspace", &member.access)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .request(
            reqwest::Method::POST,
            "/api/me/identities/github",
            None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
on_both_backends!(a_member_links_and_unlinks_a_provider_from_the_profile);

async fn the_last_way_to_log_in_cannot_be_unlinked(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    fake.set_identity("kakao", Identity::new("11", None, false, "onlykakao"));
    let (token, _) = signed_in(&app, "kakao").await;
    let res = app.delete("/api/me/identities/kakao", &token).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "last_login_method");

    // A password without an email to log in with is no way to log in either.
    let res = app
        .put_json(
            "/api/me/password",
            json!({"new_password": PASSWORD, "new_password2": PASSWORD}),
            &token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.delete("/api/me/identities/kakao", &token).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // With a second provider linked, either one may go, but not both.
    fake.set_identity("google", Identity::new("g-11", None, false, "onlykakao"));
    let mut browser = Browser::default();
    let url = start_link(&app, &mut browser, &token, "google").await;
    let query = consent(&url).await;
    assert_eq!(
        location(&callback(&app, &mut browser, "google", &query).await),
        "/profile?linked=google"
    );
    let res = app.delete("/api/me/identities/kakao", &token).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.delete("/api/me/identities/google", &token).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // With a password (and no email) the account deletes itself with that password.
    let res = app
        .request(
            reqwest::Method::DELETE,
            "/api/me",
            Some(&token),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}
on_both_backends!(the_last_way_to_log_in_cannot_be_unlinked);

// ---------------------------------------------------------------------------------------
// Configuration, instances, secrets.

async fn only_configured_providers_are_listed(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn_app_with(backend, |c| configure(c, &fake, &["github"])).await else {
        return;
    };
    let body = body_json(app.get("/api/auth/providers", None).await).await;
    assert_eq!(
        body,
        json!({"providers": [{"id": "github", "name": "GitHub",
            "authorize_url": "/api/auth/oauth/github/authorize"}]})
    );
    for path in [
        "/api/auth/oauth/kakao/authorize",
        "/api/auth/oauth/google/callback?code=x&state=y",
        "/api/auth/oauth/myspace/authorize",
    ] {
        assert_eq!(
            app.get(path, None).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let Some(plain) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    let body = body_json(plain.get("/api/auth/providers", None).await).await;
    assert_eq!(body, json!({"providers": []}));
}
on_both_backends!(only_configured_providers_are_listed);

/// Another instance on the same database (its own state, caches and HTTP server).
async fn second_instance(app: &TestApp, fake: &FakeOAuth) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = match app.backend {
        Backend::Sqlite => Db::connect(&confab::db::DbOptions {
            url: format!("sqlite://{}", app.dir.path().join("confab.db").display()),
            max_connections: 4,
            sqlite_synchronous: "full".into(),
        })
        .await
        .expect("sqlite connects"),
        Backend::Postgres => Db::connect_postgres_schema(
            &postgres_url().expect("postgres url"),
            app.pg_schema.as_deref().expect("schema"),
            4,
        )
        .await
        .expect("postgres connects"),
    };
    let mut config = test_config(dir.path());
    configure(&mut config, fake, &PROVIDERS);
    let state = confab::app::build_state(config, db).await.expect("state");
    let router = confab::app::build_router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    (address, dir)
}

async fn a_flow_started_on_one_instance_finishes_on_another(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    let (other, _dir) = second_instance(&app, &fake).await;
    fake.set_identity(
        "github",
        Identity::new("12", Some("two@example.com"), true, "twoinst"),
    );
    let mut browser = Browser::default();
    let url = begin(&app, &mut browser, "github", Some("/board")).await;
    let query = consent(&url).await;
    let res = client()
        .get(format!("{other}/api/auth/oauth/github/callback?{query}"))
        .header(header::COOKIE, browser.header())
        .send()
        .await
        .expect("callback on the other instance");
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/board");
    browser.absorb(&res);
    // And the session it opened works on the first instance.
    let res = web_refresh(&app, &mut browser).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["user"]["email"], "two@example.com");
}
on_both_backends!(a_flow_started_on_one_instance_finishes_on_another);

async fn no_secret_appears_in_a_response_or_a_log(backend: Backend) {
    let fake = FakeOAuth::start().await;
    let Some(app) = spawn(backend, &fake).await else {
        return;
    };
    let mut seen = String::new();
    for provider in PROVIDERS {
        fake.set_identity(
            provider,
            Identity::new(
                "13",
                Some(&format!("s-{provider}@example.com")),
                true,
                "secretive",
            ),
        );
        let mut browser = Browser::default();
        let url = begin(&app, &mut browser, provider, None).await;
        let query = consent(&url).await;
        let res = callback(&app, &mut browser, provider, &query).await;
        seen.push_str(&format!("{:?}\n", res.headers()));
        seen.push_str(&res.text().await.unwrap_or_default());
        let res = web_refresh(&app, &mut browser).await;
        seen.push_str(&format!("{:?}\n", res.headers()));
        let body = res.text().await.unwrap_or_default();
        let token = serde_json::from_str::<Value>(&body).unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        seen.push_str(&body);
        for path in ["/api/me", "/api/me/identities", "/api/auth/providers"] {
            seen.push_str(
                &app.get(path, Some(&token))
                    .await
                    .text()
                    .await
                    .unwrap_or_default(),
            );
        }
        // A failed exchange too: a forged code, and the provider's own error text.
        let url = begin(&app, &mut browser, provider, None).await;
        let query = consent(&url).await;
        let state: HashMap<String, String> = serde_urlencoded::from_str(&query).unwrap();
        let forged =
            serde_urlencoded::to_string([("code", "forged"), ("state", state["state"].as_str())])
                .unwrap();
        let res = callback(&app, &mut browser, provider, &forged).await;
        seen.push_str(&format!("{:?}\n", res.headers()));
    }
    let issued = fake.issued();
    assert!(
        issued.len() >= 6,
        "codes and tokens were issued: {issued:?}"
    );
    let logs = captured_logs();
    assert!(
        logs.contains("logged in with a provider"),
        "the log capture works"
    );
    for secret in issued.iter().map(String::as_str).chain([CLIENT_SECRET]) {
        assert!(!seen.contains(secret), "{secret} leaked in a response");
        assert!(!logs.contains(secret), "{secret} leaked in the logs");
    }
    let spec = body_json(app.get("/api/openapi.json", None).await)
        .await
        .to_string();
    assert!(spec.contains("/api/auth/oauth/{provider}/callback"));
}
on_both_backends!(no_secret_appears_in_a_response_or_a_log);
