//! Sign-up, login, refresh rotation, logout, status and throttling.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, body_json, error_of, spawn_app, spawn_app_with, tokens_from,
};
use crate::on_both_backends;

on_both_backends!(
    signup_returns_201_with_the_account_and_never_a_password_hash,
    a_duplicate_email_differing_only_in_case_is_a_400_on_email,
    a_taken_username_is_a_400_on_username,
    mismatching_password2_is_a_400_on_password2,
    every_password_policy_failure_is_a_400_on_password,
    missing_unknown_and_mistyped_fields_are_400s_naming_the_field,
    malformed_json_is_a_400_invalid_json,
    a_body_sent_as_text_plain_is_a_415,
    a_body_over_a_megabyte_is_a_413,
    json_of_the_wrong_shape_is_a_400,
    unknown_email_and_wrong_password_give_the_same_401,
    login_returns_bearer_tokens_and_the_user,
    a_token_with_alg_none_a_wrong_signature_or_a_bad_header_is_401,
    after_logout_the_same_access_token_is_401,
    refresh_rotates_and_the_old_refresh_token_stops_working,
    a_refresh_token_used_twice_ends_the_whole_session,
    fifty_parallel_refreshes_with_one_token_let_exactly_one_succeed,
    web_clients_get_the_refresh_token_only_as_an_httponly_strict_cookie,
    a_web_refresh_rotates_the_cookie_and_returns_only_an_access_token,
    status_says_who_is_signed_in_and_treats_bad_tokens_as_signed_out,
    ten_failures_for_one_account_throttle_it_with_retry_after,
    fifty_failures_from_one_ip_throttle_it,
    a_deactivated_user_is_signed_out_at_once_and_cannot_log_in,
);

async fn signup_returns_201_with_the_account_and_never_a_password_hash(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app
        .post_json(
            "/api/auth/signup",
            json!({"email": " Minji@Example.COM ", "username": "김민지", "password": PASSWORD, "password2": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let text = res.text().await.expect("body");
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["email"], "Minji@example.com");
    assert_eq!(body["username"], "김민지");
    assert!(body["id"].as_str().is_some_and(|s| !s.is_empty()));

    let tokens = app.login("minji@example.com", PASSWORD).await;
    for path in ["/api/me", "/api/auth/status"] {
        let text = app
            .get(path, Some(&tokens.access))
            .await
            .text()
            .await
            .expect("body");
        assert!(!text.contains("argon2"), "{path} leaked a hash: {text}");
    }
}

async fn a_duplicate_email_differing_only_in_case_is_a_400_on_email(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("dup@example.com", "first", PASSWORD).await;
    let res = app
        .post_json(
            "/api/auth/signup",
            json!({"email": "DUP@Example.com", "username": "second", "password": PASSWORD, "password2": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (code, fields) = error_of(res).await;
    assert_eq!(code, "validation_failed");
    assert!(fields["email"].is_string(), "{fields}");
    assert!(fields.get("username").is_none(), "{fields}");
}

async fn a_taken_username_is_a_400_on_username(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("one@example.com", "SameName", PASSWORD).await;
    let res = app
        .post_json(
            "/api/auth/signup",
            json!({"email": "two@example.com", "username": "samename", "password": PASSWORD, "password2": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (_, fields) = error_of(res).await;
    assert!(fields["username"].is_string(), "{fields}");
}

async fn mismatching_password2_is_a_400_on_password2(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app
        .post_json(
            "/api/auth/signup",
            json!({"email": "a@example.com", "username": "aaa", "password": PASSWORD, "password2": "blue-lantern-43!"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (_, fields) = error_of(res).await;
    assert!(fields["password2"].is_string(), "{fields}");
    assert!(fields.get("password").is_none(), "{fields}");
}

async fn every_password_policy_failure_is_a_400_on_password(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let long = "Zq7#".repeat(32) + "x";
    assert_eq!(long.chars().count(), 129);
    for (i, bad) in [
        "Sh0rt!",
        long.as_str(),
        "8264937150",
        "Password123",
        "iloveyou",
        "minjikim7",
    ]
    .iter()
    .enumerate()
    {
        let res = app
            .post_json(
                "/api/auth/signup",
                json!({"email": format!("minjikim{i}@example.com"), "username": "minjikim", "password": bad, "password2": bad}),
                None,
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "{bad:?} was accepted"
        );
        let (_, fields) = error_of(res).await;
        assert!(fields["password"].is_string(), "{bad:?}: {fields}");
    }
    let ok = "Zq7#".repeat(32);
    app.signup("long@example.com", "longpw", &ok).await;
}

async fn missing_unknown_and_mistyped_fields_are_400s_naming_the_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let cases = [
        (
            json!({"username": "abc", "password": PASSWORD, "password2": PASSWORD}),
            "email",
        ),
        (
            json!({"email": "a@example.com", "username": "abc", "password": PASSWORD, "password2": PASSWORD, "is_admin": true}),
            "is_admin",
        ),
        (
            json!({"email": "a@example.com", "username": 42, "password": PASSWORD, "password2": PASSWORD}),
            "username",
        ),
        (
            json!({"email": "not-an-email", "username": "abc", "password": PASSWORD, "password2": PASSWORD}),
            "email",
        ),
        (
            json!({"email": "a@example.com", "username": "a b", "password": PASSWORD, "password2": PASSWORD}),
            "username",
        ),
    ];
    for (body, field) in cases {
        let res = app.post_json("/api/auth/signup", body.clone(), None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let (_, fields) = error_of(res).await;
        assert!(fields[field].is_string(), "{body} → {fields}");
    }
    let res = app
        .post_json("/api/auth/login", json!({"email": "a@example.com"}), None)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["password"].is_string());
}

async fn malformed_json_is_a_400_invalid_json(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app
        .client
        .post(app.url("/api/auth/signup"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await.0, "invalid_json");
}

async fn a_body_sent_as_text_plain_is_a_415(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app
        .client
        .post(app.url("/api/auth/signup"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_of(res).await.0, "unsupported_media_type");
}

async fn a_body_over_a_megabyte_is_a_413(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let huge = json!({"email": "a@example.com", "username": "abc", "password": "x".repeat(1_100_000), "password2": "x"});
    let res = app.post_json("/api/auth/signup", huge, None).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(res).await.0, "payload_too_large");
}

async fn json_of_the_wrong_shape_is_a_400(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("[1,2]")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

async fn unknown_email_and_wrong_password_give_the_same_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("known@example.com", "known", PASSWORD).await;
    let mut bodies = Vec::new();
    for email in ["known@example.com", "nobody@example.com"] {
        let res = app
            .post_json(
                "/api/auth/login",
                json!({"email": email, "password": "wrong-password-1"}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        bodies.push(res.text().await.expect("body"));
    }
    assert_eq!(bodies[0], bodies[1]);
    assert!(bodies[0].contains("invalid_credentials"));
}

async fn login_returns_bearer_tokens_and_the_user(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("me@example.com", "me_too", PASSWORD).await;
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "ME@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], "me@example.com");
    assert_eq!(body["user"]["role"], "member");
    assert_eq!(body["refresh_token"].as_str().map(str::len), Some(43));
    let tokens = tokens_from(&body);
    let me: Value = app.get_json("/api/me", &tokens.access).await;
    assert_eq!(me["username"], "me_too");
}

async fn a_token_with_alg_none_a_wrong_signature_or_a_bad_header_is_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tokens = app.member("forger").await;
    let parts: Vec<&str> = tokens.access.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    let wrong_sig = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode([0u8; 32])
    );
    for token in [alg_none.as_str(), wrong_sig.as_str(), "garbage"] {
        let res = app.get("/api/me", Some(token)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token}");
    }
    let res = app
        .client
        .get(app.url("/api/me"))
        .header("authorization", format!("Basic {}", tokens.access))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.get("/api/me", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/me", Some(&tokens.access)).await.status(),
        StatusCode::OK
    );
}

async fn after_logout_the_same_access_token_is_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tokens = app.member("leaver").await;
    let res = app
        .post_json("/api/auth/logout", json!({}), Some(&tokens.access))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/me", Some(&tokens.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.refresh(&tokens.refresh).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.post_json("/api/auth/logout", json!({}), Some(&tokens.access))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn refresh_rotates_and_the_old_refresh_token_stops_working(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let first = app.member("rotator").await;
    let res = app.refresh(&first.refresh).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = tokens_from(&res.json().await.expect("json"));
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(
        app.get("/api/me", Some(&second.access)).await.status(),
        StatusCode::OK
    );
    let res = app.refresh(&second.refresh).await;
    assert_eq!(res.status(), StatusCode::OK);
    for bad in ["", "short", &"A".repeat(43)] {
        assert_eq!(
            app.refresh(bad).await.status(),
            StatusCode::UNAUTHORIZED,
            "{bad:?}"
        );
    }
    let res = app
        .client
        .post(app.url("/api/auth/refresh"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(res).await.0, "missing_refresh_token");
}

async fn a_refresh_token_used_twice_ends_the_whole_session(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let first = app.member("victim").await;
    let res = app.refresh(&first.refresh).await;
    let newer = tokens_from(&res.json().await.expect("json"));

    let res = app.refresh(&first.refresh).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(res).await.0, "refresh_token_reused");
    assert_eq!(
        app.refresh(&newer.refresh).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/me", Some(&newer.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let other = app.login("victim@example.com", PASSWORD).await;
    assert_eq!(
        app.get("/api/me", Some(&other.access)).await.status(),
        StatusCode::OK,
        "other sessions survive"
    );
}

async fn fifty_parallel_refreshes_with_one_token_let_exactly_one_succeed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tokens = app.member("racer").await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (app, token) = (app.clone(), tokens.refresh.clone());
        tasks.push(tokio::spawn(
            async move { app.refresh(&token).await.status() },
        ));
    }
    let mut ok = 0;
    for task in tasks {
        let status = task.await.expect("task");
        assert!(
            status == StatusCode::OK || status == StatusCode::UNAUTHORIZED,
            "{status}"
        );
        ok += usize::from(status == StatusCode::OK);
    }
    assert_eq!(ok, 1);
}

fn set_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("set-cookie")
        .to_owned()
}

/// Signs up web@example.com and logs in as the web UI does.
async fn web_login(app: &TestApp) -> reqwest::Response {
    app.signup("web@example.com", "webby", PASSWORD).await;
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .header("x-confab-client", "web")
        .json(&json!({"email": "web@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    res
}

async fn web_clients_get_the_refresh_token_only_as_an_httponly_strict_cookie(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = web_login(&app).await;
    let cookie = set_cookie(&res);
    for part in [
        "confab_refresh=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/auth",
    ] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    let body = body_json(res).await;
    assert!(body.get("refresh_token").is_none(), "{body}");

    let api = app.login("web@example.com", PASSWORD).await;
    assert_eq!(
        api.refresh.len(),
        43,
        "API clients still get it in the body"
    );
}

async fn a_web_refresh_rotates_the_cookie_and_returns_only_an_access_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let cookie = set_cookie(&web_login(&app).await);
    let value = cookie.split(';').next().expect("pair").to_owned();
    let res = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header("x-confab-client", "web")
        .header("cookie", &value)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let rotated = set_cookie(&res);
    assert!(!rotated.starts_with(&value), "the cookie must rotate");
    let body = body_json(res).await;
    assert!(body.get("refresh_token").is_none() && body["access_token"].is_string());
}

async fn status_says_who_is_signed_in_and_treats_bad_tokens_as_signed_out(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tokens = app.member("statusy").await;
    let body: Value = app.get_json("/api/auth/status", &tokens.access).await;
    assert_eq!(body["authenticated"], true);
    assert_eq!(body["user"]["username"], "statusy");
    for token in [None, Some("nonsense")] {
        let res = app.get("/api/auth/status", token).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body, json!({"authenticated": false}));
    }
}

async fn ten_failures_for_one_account_throttle_it_with_retry_after(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("target@example.com", "target", PASSWORD).await;
    for i in 0..10 {
        let res = app
            .post_json(
                "/api/auth/login",
                json!({"email": "target@example.com", "password": format!("guess-{i}-xx")}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "TARGET@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(error_of(res).await.0, "too_many_login_attempts");
    app.signup("bystander@example.com", "bystander", PASSWORD)
        .await;
    app.login("bystander@example.com", PASSWORD).await;
}

async fn fifty_failures_from_one_ip_throttle_it(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.login_max_failures_per_account = 100).await
    else {
        return;
    };
    app.signup("real@example.com", "real", PASSWORD).await;
    for i in 0..50 {
        let res = app
            .post_json(
                "/api/auth/login",
                json!({"email": format!("u{i}@example.com"), "password": "nope-nope-1"}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "real@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}

async fn a_deactivated_user_is_signed_out_at_once_and_cannot_log_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let tokens = app.member("gone").await;
    let bystander = app.member("stays").await;
    assert!(
        confab::auth::repo::set_active(&app.db, "gone@example.com", false)
            .await
            .expect("deactivate")
    );
    assert_eq!(
        app.get("/api/me", Some(&tokens.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.refresh(&tokens.refresh).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "gone@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await.0, "account_disabled");
    assert_eq!(
        app.get("/api/me", Some(&bystander.access)).await.status(),
        StatusCode::OK
    );
}
