//! The caller's own account: profile, password change, deletion.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, body_json, error_of, spawn_app};
use crate::on_both_backends;

on_both_backends!(
    profile_routes_need_a_valid_token,
    patching_the_profile_changes_username_and_email,
    a_username_or_email_someone_else_has_is_a_400_on_that_field,
    an_invalid_email_in_the_profile_is_a_400,
    the_profile_cannot_change_the_role,
    a_wrong_current_password_or_a_bad_new_one_is_a_400_and_changes_nothing,
    changing_the_password_signs_out_other_sessions_and_the_old_one_stops_working,
    deleting_the_account_without_the_right_password_is_a_400_and_keeps_it,
    a_deleted_account_is_signed_out_and_its_login_is_401,
    a_deleted_accounts_email_can_sign_up_again,
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

async fn patching_the_profile_changes_username_and_email(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("changer").await;
    let res = app
        .patch_json(
            "/api/me",
            json!({"username": "새이름", "email": "New@Example.com"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert_eq!(body["username"], "새이름");
    assert_eq!(body["email"], "New@example.com");
    app.login("new@example.com", PASSWORD).await;
    let body = app.get_json("/api/me", &me.access).await;
    assert_eq!(body["username"], "새이름");
}

async fn a_username_or_email_someone_else_has_is_a_400_on_that_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("changer").await;
    app.member("occupied").await;
    for (body, field) in [
        (json!({"username": "OCCUPIED"}), "username"),
        (json!({"email": "occupied@example.com"}), "email"),
    ] {
        let res = app.patch_json("/api/me", body.clone(), &me.access).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(error_of(res).await.1[field].is_string(), "{body}");
    }
    let body = app.get_json("/api/me", &me.access).await;
    assert_eq!(body["username"], "changer");
}

async fn an_invalid_email_in_the_profile_is_a_400(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("changer").await;
    let res = app
        .patch_json("/api/me", json!({"email": "nope"}), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

async fn the_profile_cannot_change_the_role(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("changer").await;
    let res = app
        .patch_json("/api/me", json!({"role": "admin"}), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["role"].is_string());
    let body = app.get_json("/api/me", &me.access).await;
    assert_eq!(body["role"], "member");
}

const NEW_PASSWORD: &str = "violet-harbor-77";

async fn a_wrong_current_password_or_a_bad_new_one_is_a_400_and_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let here = app.member("pwchanger").await;
    let elsewhere = app.login("pwchanger@example.com", PASSWORD).await;
    let new = NEW_PASSWORD;
    for (body, field) in [
        (
            json!({"current_password": "wrong-one-123", "new_password": new, "new_password2": new}),
            "current_password",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": new, "new_password2": "violet-harbor-78"}),
            "new_password2",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "12345678", "new_password2": "12345678"}),
            "new_password",
        ),
    ] {
        let res = app
            .put_json("/api/me/password", body.clone(), &here.access)
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(error_of(res).await.1[field].is_string(), "{body}");
    }
    assert_eq!(
        app.get("/api/me", Some(&elsewhere.access)).await.status(),
        StatusCode::OK,
        "failed attempts change nothing"
    );
    app.login("pwchanger@example.com", PASSWORD).await;
}

async fn changing_the_password_signs_out_other_sessions_and_the_old_one_stops_working(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let here = app.member("pwchanger").await;
    let elsewhere = app.login("pwchanger@example.com", PASSWORD).await;
    let res = app
        .put_json(
            "/api/me/password",
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD}),
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
    app.login("pwchanger@example.com", NEW_PASSWORD).await;
}

async fn delete_me(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.request(Method::DELETE, "/api/me", Some(token), Some(body))
        .await
}

async fn deleting_the_account_without_the_right_password_is_a_400_and_keeps_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("deleter").await;
    let res = delete_me(&app, &me.access, json!({"password": "not-my-password"})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["password"].is_string());
    let res = delete_me(&app, &me.access, json!({})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/api/me", Some(&me.access)).await.status(),
        StatusCode::OK
    );
}

async fn a_deleted_account_is_signed_out_and_its_login_is_401(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("deleter").await;
    let other = app.member("survivor").await;
    let res = delete_me(&app, &me.access, json!({"password": PASSWORD})).await;
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
}

async fn a_deleted_accounts_email_can_sign_up_again(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("deleter").await;
    let res = delete_me(&app, &me.access, json!({"password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.signup("deleter@example.com", "deleter", PASSWORD).await;
}
