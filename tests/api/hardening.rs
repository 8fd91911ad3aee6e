//! Bounded resources and safe defaults: connection and read limits, token responses that
//! are never cached, the metrics token, HSTS, and the absolute session age.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::{Backend, PASSWORD, spawn_app, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    a_half_sent_request_is_disconnected_after_the_header_timeout,
    a_stalled_request_body_is_cut_off_after_the_body_timeout,
    connections_past_the_cap_wait_until_one_closes,
    token_responses_are_never_stored,
    metrics_need_the_metrics_token_when_one_is_set,
    https_deployments_send_hsts,
    a_session_ends_at_its_absolute_maximum_age_however_it_is_refreshed,
);

fn address(app: &crate::helpers::TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let _ = stream.read_to_end(&mut got).await;
    got
}

async fn a_half_sent_request_is_disconnected_after_the_header_timeout(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.header_read_timeout_secs = 1).await else {
        return;
    };
    let mut slow = TcpStream::connect(address(&app)).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: confab\r\n")
        .await
        .expect("half a request");
    let closed = tokio::time::timeout(Duration::from_secs(10), read_until_closed(&mut slow)).await;
    let sent = closed.expect("the server closes a connection whose request head never ends");
    assert!(!String::from_utf8_lossy(&sent).contains("200 OK"));
    // Others are served meanwhile and after.
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}

async fn a_stalled_request_body_is_cut_off_after_the_body_timeout(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.body_read_timeout_secs = 1).await else {
        return;
    };
    let mut slow = TcpStream::connect(address(&app)).await.expect("connect");
    slow.write_all(
        b"POST /api/auth/login HTTP/1.1\r\nHost: confab\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
    )
    .await
    .expect("a head and a tenth of the body");
    let answer = tokio::time::timeout(Duration::from_secs(10), read_until_closed(&mut slow))
        .await
        .expect("the server gives up on a body that stops coming");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 4"),
        "a stalled body ends the request with a 4xx or a closed connection: {text}"
    );
}

async fn connections_past_the_cap_wait_until_one_closes(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.max_connections = 2).await else {
        return;
    };
    let first = TcpStream::connect(address(&app)).await.expect("connect");
    let second = TcpStream::connect(address(&app)).await.expect("connect");
    // Both idle connections hold the two places: a third request is not served...
    let third = tokio::spawn({
        let url = app.url("/healthz");
        let client = reqwest::Client::new();
        async move { client.get(url).send().await.map(|r| r.status()) }
    });
    let waiting = tokio::time::timeout(Duration::from_millis(700), async {
        while !third.is_finished() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(
        waiting.is_err(),
        "a third connection was served past the cap of two"
    );
    // ...until one of them closes.
    drop(first);
    let status = tokio::time::timeout(Duration::from_secs(10), third)
        .await
        .expect("served once a place is free")
        .expect("join")
        .expect("request");
    assert_eq!(status, StatusCode::OK);
    drop(second);
}

async fn token_responses_are_never_stored(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("nostore@example.com", "nostore", PASSWORD).await;
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "nostore@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: serde_json::Value = res.json().await.expect("json");
    let res = app
        .post_json(
            "/api/auth/refresh",
            json!({"refresh_token": body["refresh_token"]}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
}

async fn metrics_need_the_metrics_token_when_one_is_set(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.metrics_token = Some(confab::config::Secret::new("metrics-token-for-tests"));
    })
    .await
    else {
        return;
    };
    assert_eq!(
        app.get("/metrics", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/metrics", Some("wrong-token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.get("/metrics", Some("metrics-token-for-tests")).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn https_deployments_send_hsts(backend: Backend) {
    let Some(plain) = spawn_app(backend).await else {
        return;
    };
    let res = plain.get("/healthz", None).await;
    assert!(res.headers().get("strict-transport-security").is_none());
    let Some(secure) =
        spawn_app_with(backend, |c| c.public_url = "https://confab.example".into()).await
    else {
        return;
    };
    let res = secure.get("/healthz", None).await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .expect("ascii")
            .starts_with("max-age=")
    );
}

async fn a_session_ends_at_its_absolute_maximum_age_however_it_is_refreshed(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.session_max_age_days = 30).await else {
        return;
    };
    let me = app.member("ageing").await;
    assert_eq!(
        app.get("/api/me", Some(&me.access)).await.status(),
        StatusCode::OK
    );
    // The session began long ago (its sliding expiry is still ahead).
    app.execute_elsewhere("UPDATE sessions SET created_at = '2000-01-01T00:00:00.000001Z'")
        .await;
    assert_eq!(
        app.get("/api/me", Some(&me.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app
        .post_json(
            "/api/auth/refresh",
            json!({"refresh_token": me.refresh}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
