//! HTTP basics: health, errors for unknown routes, headers, OpenAPI, the SQLite lock
//! and the generated JWT secret.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, PASSWORD, error_of, fresh_db, spawn_app, start, test_config};
use crate::on_both_backends;

on_both_backends!(
    health_and_readiness_answer,
    unknown_routes_and_methods_answer_in_the_error_envelope,
    every_response_carries_security_headers_and_a_request_id,
    the_openapi_document_lists_every_route_and_the_docs_page_is_served,
    the_generated_jwt_secret_survives_a_restart,
    hostile_bodies_on_every_json_route_get_4xx_and_never_a_hash,
);

async fn hostile_bodies_on_every_json_route_get_4xx_and_never_a_hash(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tokens = app.member("target").await;
    let routes = [
        (reqwest::Method::POST, "/api/auth/signup"),
        (reqwest::Method::POST, "/api/auth/login"),
        (reqwest::Method::POST, "/api/auth/refresh"),
        (reqwest::Method::PATCH, "/api/me"),
        (reqwest::Method::PUT, "/api/me/password"),
        (reqwest::Method::DELETE, "/api/me"),
    ];
    let long = "가".repeat(100_000);
    let bodies: Vec<String> = vec![
        "null".into(),
        "[]".into(),
        "42".into(),
        "\"text\"".into(),
        "{\"email\": null, \"password\": null}".into(),
        "{\"email\": {\"$ne\": 1}, \"password\": [1]}".into(),
        "{\"email\": \"a\\u0000@example.com\", \"username\": \"\\u0000\", \"password\": \"\\u0000\", \"password2\": \"x\"}".into(),
        format!("{{\"email\": \"{long}@example.com\", \"password\": \"{long}\"}}"),
        "{\"refresh_token\": 123456789012345678901234567890}".into(),
        "{\"email\": \"nul\\u0000@example.com\", \"password\": \"x\\u0000y\"}".into(),
        "{\"email\": \"a@example.com\\u0000\"}".into(),
        "{\"username\": \"nul\\u0000name\"}".into(),
        "{\"current_password\": \"\\u0000\", \"new_password\": \"\\u0000\", \"new_password2\": \"\\u0000\"}".into(),
        "{\"username\": 1e999}".into(),
        "\u{feff}{}".into(),
        "{\"a\":".repeat(200),
    ];
    for (method, path) in &routes {
        for body in &bodies {
            let res = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(&tokens.access)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("sent");
            let status = res.status();
            let text = res.text().await.expect("body");
            assert!(
                status.is_client_error(),
                "{method} {path} with {:.80} → {status}: {text:.200}",
                body
            );
            assert!(!text.contains("$argon2"), "{method} {path} leaked a hash");
            let parsed: Value = serde_json::from_str(&text).expect("error envelope is JSON");
            assert!(parsed["error"]["code"].is_string(), "{text:.200}");
        }
    }
    assert_eq!(
        app.get("/api/me", Some(&tokens.access)).await.status(),
        StatusCode::OK
    );
}

async fn health_and_readiness_answer(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    let metrics = app.get("/metrics", None).await.text().await.expect("text");
    assert!(metrics.contains("http_requests_total"), "{metrics}");
}

async fn unknown_routes_and_methods_answer_in_the_error_envelope(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/api/nothing-here", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(res).await.0, "not_found");
    let res = app
        .client
        .delete(app.url("/api/auth/login"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_of(res).await.0, "method_not_allowed");
}

async fn every_response_carries_security_headers_and_a_request_id(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for path in ["/healthz", "/api/me", "/api/none"] {
        let res = app.get(path, None).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().expect("ascii");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy"));
        assert!(h["x-request-id"].to_str().is_ok_and(|v| v.len() >= 32));
    }
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()["x-request-id"], "trace-me-123");
}

async fn the_openapi_document_lists_every_route_and_the_docs_page_is_served(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let doc: Value = app
        .get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    let expected = [
        ("/api/auth/signup", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/refresh", "post"),
        ("/api/auth/logout", "post"),
        ("/api/auth/status", "get"),
        ("/api/me", "get"),
        ("/api/me", "patch"),
        ("/api/me", "delete"),
        ("/api/me/password", "put"),
        ("/api/me/quota", "get"),
        ("/api/assistants", "get"),
        ("/api/rooms", "get"),
        ("/api/rooms", "post"),
        ("/api/rooms/{id}", "get"),
        ("/api/rooms/{id}", "patch"),
        ("/api/rooms/{id}", "delete"),
        ("/api/rooms/{id}/messages", "get"),
        ("/api/rooms/{id}/messages", "post"),
        ("/api/rooms/{id}/export", "get"),
        ("/api/search", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} undocumented"
        );
    }
    let res = app.get("/api/docs/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("swagger-ui"), "{html}");
    let res = app.get("/api/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the UI is vendored, not fetched from the internet"
    );
}

async fn the_generated_jwt_secret_survives_a_restart(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tokens = app.member("restarter").await;
    let (db, dir, _schema) = app.stop().await;
    let config = test_config(dir.path());
    let app = start(config, db, backend, dir).await;
    assert_eq!(
        app.get("/api/me", Some(&tokens.access)).await.status(),
        StatusCode::OK
    );
    app.login("restarter@example.com", PASSWORD).await;
}

#[tokio::test]
async fn a_second_server_on_the_same_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first_db = fresh_db(Backend::Sqlite, dir.path()).await.expect("sqlite");
    let first = confab::app::Application::build_with_db(test_config(dir.path()), first_db)
        .await
        .expect("first server");
    let second_db = fresh_db(Backend::Sqlite, dir.path()).await.expect("sqlite");
    let err =
        match confab::app::Application::build_with_db(test_config(dir.path()), second_db).await {
            Ok(_) => panic!("a second server started on the same SQLite file"),
            Err(err) => err,
        };
    assert!(err.to_string().contains("another confab server"), "{err}");
    drop(first);
    let third_db = fresh_db(Backend::Sqlite, dir.path()).await.expect("sqlite");
    confab::app::Application::build_with_db(test_config(dir.path()), third_db)
        .await
        .expect("starts once the first is gone");
}
