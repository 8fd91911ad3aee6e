//! Work counted before it is done: password guesses and sign-ups are recorded before the
//! hash runs, so parallel requests cannot get past the limits.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, spawn_app, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    sixty_parallel_wrong_logins_verify_at_most_ten_and_then_lock_the_account,
    sign_ups_past_the_per_ip_limit_are_429_and_bad_input_never_counts,
    password_checks_of_the_own_account_are_throttled_like_logins,
);

async fn sixty_parallel_wrong_logins_verify_at_most_ten_and_then_lock_the_account(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("victim@example.com", "victim", PASSWORD).await;
    let guesses = (0..60).map(|i| {
        app.post_json(
            "/api/auth/login",
            json!({"email": "victim@example.com", "password": format!("wrong-guess-{i}")}),
            None,
        )
    });
    let statuses: Vec<StatusCode> = join_all(guesses).await.iter().map(|r| r.status()).collect();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(refused + verified, 60, "{statuses:?}");
    assert!(
        verified <= 10,
        "{verified} guesses were verified: {statuses:?}"
    );
    assert!(
        verified >= 1,
        "the first guesses are verified: {statuses:?}"
    );

    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "victim@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "too_many_login_attempts");
}

async fn sign_ups_past_the_per_ip_limit_are_429_and_bad_input_never_counts(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.signup_max_per_ip = 3).await else {
        return;
    };
    for i in 0..5 {
        let res = app
            .post_json(
                "/api/auth/signup",
                json!({"email": format!("bad{i}@example.com"), "username": format!("bad{i}"), "password": "short", "password2": "short"}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let attempts = (0..8).map(|i| {
        app.post_json(
            "/api/auth/signup",
            json!({"email": format!("u{i}@example.com"), "username": format!("user{i}"), "password": PASSWORD, "password2": PASSWORD}),
            None,
        )
    });
    let statuses: Vec<StatusCode> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((created, refused), (3, 5), "{statuses:?}");
}

async fn password_checks_of_the_own_account_are_throttled_like_logins(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("guesser").await;
    let new = "violet-harbor-78!";
    let guesses = (0..30).map(|i| {
        app.request(
            reqwest::Method::PUT,
            "/api/me/password",
            Some(&me.access),
            Some(json!({"current_password": format!("wrong-{i}-xyz"), "new_password": new, "new_password2": new})),
        )
    });
    let statuses: Vec<StatusCode> = join_all(guesses).await.iter().map(|r| r.status()).collect();
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::BAD_REQUEST)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(verified + refused, 30, "{statuses:?}");
    assert!(
        verified <= 10,
        "{verified} guesses were verified: {statuses:?}"
    );
    let res = app
        .request(
            reqwest::Method::DELETE,
            "/api/me",
            Some(&me.access),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}
