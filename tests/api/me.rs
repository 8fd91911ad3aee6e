//! The caller's own account: profile, password change, deletion.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, error_of, spawn_app};
use crate::on_both_backends;

on_both_backends!(
    profile_routes_need_a_valid_token,
    patching_the_profile_changes_username_and_email_and_validates_them,
    changing_the_password_needs_the_current_one_and_signs_out_other_sessions,
    deleting_the_account_needs_the_password_and_then_login_is_401,
);

async fn profile_routes_need_a_valid_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for (method, path) in [
        (Method::GET, "/api/me"),
        (Method::PATCH, "/api/me"),
        (Method::DELETE, "/api/me"),
        (Method::PUT, "/api/me/password"),
    ] {
        let res = app
            .request(method.clone(), path, None, Some(json!({})))
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(error_of(res).await.0, "unauthorized");
    }
}

async fn patching_the_profile_changes_username_and_email_and_validates_them(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("changer").await;
    app.member("occupied").await;
    let res = app
        .patch_json(
            "/api/me",
            json!({"username": "새이름", "email": "New@Example.com"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["username"], "새이름");
    assert_eq!(body["email"], "New@example.com");
    app.login("new@example.com", PASSWORD).await;

    let res = app
        .patch_json("/api/me", json!({"username": "OCCUPIED"}), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["username"].is_string());
    let res = app
        .patch_json(
            "/api/me",
            json!({"email": "occupied@example.com"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["email"].is_string());
    let res = app
        .patch_json("/api/me", json!({"email": "nope"}), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .patch_json("/api/me", json!({"role": "admin"}), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["role"].is_string());
    let body: Value = app.get_json("/api/me", &me.access).await;
    assert_eq!(body["role"], "member");
    assert_eq!(body["username"], "새이름");
}

async fn changing_the_password_needs_the_current_one_and_signs_out_other_sessions(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let here = app.member("pwchanger").await;
    let elsewhere = app.login("pwchanger@example.com", PASSWORD).await;
    let new = "violet-harbor-77";

    let res = app
        .put_json(
            "/api/me/password",
            json!({"current_password": "wrong-one-123", "new_password": new, "new_password2": new}),
            &here.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["current_password"].is_string());
    let res = app.put_json("/api/me/password", json!({"current_password": PASSWORD, "new_password": new, "new_password2": "violet-harbor-78"}), &here.access).await;
    assert!(error_of(res).await.1["new_password2"].is_string());
    let res = app.put_json("/api/me/password", json!({"current_password": PASSWORD, "new_password": "12345678", "new_password2": "12345678"}), &here.access).await;
    assert!(error_of(res).await.1["new_password"].is_string());
    assert_eq!(
        app.get("/api/me", Some(&elsewhere.access)).await.status(),
        StatusCode::OK,
        "failed attempts change nothing"
    );

    let res = app
        .put_json(
            "/api/me/password",
            json!({"current_password": PASSWORD, "new_password": new, "new_password2": new}),
            &here.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/me", Some(&here.access)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/me", Some(&elsewhere.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let old = app
        .post_json(
            "/api/auth/login",
            json!({"email": "pwchanger@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.login("pwchanger@example.com", new).await;
}

async fn deleting_the_account_needs_the_password_and_then_login_is_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("deleter").await;
    let other = app.member("survivor").await;
    let res = app
        .request(
            Method::DELETE,
            "/api/me",
            Some(&me.access),
            Some(json!({"password": "not-my-password"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["password"].is_string());
    let res = app
        .request(Method::DELETE, "/api/me", Some(&me.access), Some(json!({})))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/api/me", Some(&me.access)).await.status(),
        StatusCode::OK
    );

    let res = app
        .request(
            Method::DELETE,
            "/api/me",
            Some(&me.access),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/me", Some(&me.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "deleter@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(res).await.0, "invalid_credentials");
    let res = app.refresh(&me.refresh).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/me", Some(&other.access)).await.status(),
        StatusCode::OK
    );
    app.signup("deleter@example.com", "deleter", PASSWORD).await;
}
