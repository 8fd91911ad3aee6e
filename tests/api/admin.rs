//! Administration (`/api/admin/*`): who may call it, the user list and its search, role
//! changes, deactivation (sessions and API keys end at once), per-user limits that a real
//! send obeys, exact usage counts, the audit log, `CONFAB_ADMIN_EMAILS`, the last-admin
//! guard, rooms that stay private from admins, and bad input named field by field.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PASSWORD, TestApp, Tokens, body_json, error_of, spawn_app, spawn_app_with,
};
use crate::on_both_backends;

on_both_backends!(
    admin_routes_are_401_for_visitors_and_403_for_members_and_managers,
    an_admin_lists_searches_filters_and_pages_through_users,
    a_role_change_takes_effect_at_once_and_is_audited_with_before_and_after,
    deactivation_ends_the_users_token_and_api_key_at_once_and_reactivation_lets_them_back,
    a_limit_override_shows_on_the_users_quota_and_holds_on_a_real_send,
    the_usage_report_counts_every_send_exactly_per_scope_day_and_user,
    admin_emails_make_an_admin_at_sign_up_and_at_log_in,
    an_admin_still_gets_404_on_another_members_room,
    the_last_active_admin_cannot_demote_or_deactivate_themselves,
    bad_input_is_a_400_naming_each_field_with_its_code,
);

/// A member made admin directly in the database (as `confab user promote` does); the
/// same token carries the new role on its next request.
async fn admin(app: &TestApp, name: &str) -> Tokens {
    let tokens = app.member(name).await;
    set_role_elsewhere(app, name, "admin").await;
    tokens
}

async fn set_role_elsewhere(app: &TestApp, name: &str, role: &str) {
    let sql: &'static str =
        format!("UPDATE users SET role = '{role}' WHERE username = '{name}'").leak();
    assert_eq!(app.execute_elsewhere(sql).await, 1);
}

async fn patch_user(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.patch_json(&format!("/api/admin/users/{id}"), body, token)
        .await
}

/// The `field_codes` of a 400.
async fn field_codes(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = body_json(res).await;
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    body["error"]["field_codes"].clone()
}

async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page = app
        .get_json(&format!("/api/admin/audit{query}"), token)
        .await;
    page["items"].as_array().expect("items").clone()
}

fn scope<'a>(user: &'a Value, name: &str) -> &'a Value {
    user["quota"]
        .as_array()
        .expect("quota")
        .iter()
        .find(|s| s["scope"] == name)
        .unwrap_or_else(|| panic!("scope {name} in {user}"))
}

async fn admin_routes_are_401_for_visitors_and_403_for_members_and_managers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let member = app.member("plain").await;
    let manager = app.member("mgr").await;
    set_role_elsewhere(&app, "mgr", "manager").await;
    let boss = admin(&app, "boss").await;
    let target = &member.user_id;
    let routes = [
        (Method::GET, "/api/admin/users".to_owned(), None),
        (Method::GET, format!("/api/admin/users/{target}"), None),
        (
            Method::PATCH,
            format!("/api/admin/users/{target}"),
            Some(json!({"role": "admin"})),
        ),
        (Method::GET, "/api/admin/usage".to_owned(), None),
        (Method::GET, "/api/admin/audit".to_owned(), None),
    ];
    for (method, path, body) in routes {
        let res = app.request(method.clone(), &path, None, body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        for who in [&member, &manager] {
            let res = app
                .request(method.clone(), &path, Some(&who.access), body.clone())
                .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
            assert_eq!(error_of(res).await.0, "forbidden");
        }
    }
    // Nothing changed: the member is still a member, and the refusals left no audit entry.
    let me = app.get_json("/api/me", &member.access).await;
    assert_eq!(me["role"], "member");
    assert!(audit(&app, &boss.access, "").await.is_empty());
    for path in ["/api/admin/users", "/api/admin/usage", "/api/admin/audit"] {
        app.get_json(path, &boss.access).await;
    }
}

async fn an_admin_lists_searches_filters_and_pages_through_users(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    for name in ["minji_kim", "minsu_park", "jisoo_lee", "under_score"] {
        app.member(name).await;
    }
    let all = app.get_json("/api/admin/users", &boss.access).await;
    let names: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    // Newest first.
    assert_eq!(
        names,
        [
            "under_score",
            "jisoo_lee",
            "minsu_park",
            "minji_kim",
            "boss"
        ]
    );
    assert_eq!(all["next_cursor"], Value::Null);
    let first = &all["items"][0];
    assert_eq!(first["email"], "under_score@example.com");
    assert_eq!(first["role"], "member");
    assert_eq!(first["state"], "active");
    assert!(first["created_at"].is_string());
    assert!(first["last_active_at"].is_string(), "logged in: {first}");
    assert_eq!(scope(first, "chat")["used_today"], 0);
    assert_eq!(scope(first, "chat")["limit"], 5);
    assert_eq!(scope(first, "chat")["override"], Value::Null);
    assert!(first.get("password_hash").is_none());

    // Search any part of the email or username, in any case; `_` is a character, not a
    // wildcard.
    let found = app.get_json("/api/admin/users?q=MIN", &boss.access).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(2));
    let found = app.get_json("/api/admin/users?q=r_s", &boss.access).await;
    assert_eq!(found["items"][0]["username"], "under_score");
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    let by_role = app
        .get_json("/api/admin/users?role=admin", &boss.access)
        .await;
    assert_eq!(by_role["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_role["items"][0]["username"], "boss");

    // Pages of two, then the rest, with nothing repeated or lost.
    let mut seen = Vec::new();
    let mut path = "/api/admin/users?limit=2".to_owned();
    loop {
        let page = app.get_json(&path, &boss.access).await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|u| u["username"].as_str().unwrap_or("").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/admin/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, names);

    // Deactivated users are found by state.
    let jisoo = &all["items"][1]["id"];
    let jisoo = jisoo.as_str().expect("id");
    let res = patch_user(&app, &boss.access, jisoo, json!({"is_active": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let off = app
        .get_json("/api/admin/users?state=deactivated", &boss.access)
        .await;
    assert_eq!(off["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(off["items"][0]["username"], "jisoo_lee");
    assert_eq!(off["items"][0]["state"], "deactivated");
    let one = app
        .get_json(&format!("/api/admin/users/{jisoo}"), &boss.access)
        .await;
    assert_eq!(one["is_active"], false);
    let missing = app
        .get(
            "/api/admin/users/0190f0f0-0000-7000-8000-000000000000",
            Some(&boss.access),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn a_role_change_takes_effect_at_once_and_is_audited_with_before_and_after(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    let writer = app.member("writer").await;
    // The member's token is used (and cached) before the change.
    assert_eq!(
        app.get_json("/api/me", &writer.access).await["role"],
        "member"
    );
    let res = app
        .post_json(
            "/api/posts",
            json!({"category": "notice", "title": "Hello", "content": "Notice body"}),
            Some(&writer.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = patch_user(
        &app,
        &boss.access,
        &writer.user_id,
        json!({"role": "manager"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["role"], "manager");
    // The same token now carries the new role.
    assert_eq!(
        app.get_json("/api/me", &writer.access).await["role"],
        "manager"
    );
    let res = app
        .post_json(
            "/api/posts",
            json!({"category": "notice", "title": "Hello", "content": "Notice body"}),
            Some(&writer.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // Setting the same role again changes nothing and records nothing.
    let res = patch_user(
        &app,
        &boss.access,
        &writer.user_id,
        json!({"role": "manager"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let entries = audit(&app, &boss.access, "").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry["action"], "role_changed");
    assert_eq!(entry["actor"]["username"], "boss");
    assert_eq!(entry["actor"]["id"], boss.user_id.as_str());
    assert_eq!(entry["target"]["username"], "writer");
    assert_eq!(entry["target"]["id"], writer.user_id.as_str());
    assert_eq!(entry["before"], json!({"role": "member"}));
    assert_eq!(entry["after"], json!({"role": "manager"}));
    assert!(entry["at"].is_string());

    // Back to member: the notice right goes at once; the log lists newest first, pages,
    // and filters by user.
    let res = patch_user(
        &app,
        &boss.access,
        &writer.user_id,
        json!({"role": "member"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get_json("/api/me", &writer.access).await["role"],
        "member"
    );
    let page = app.get_json("/api/admin/audit?limit=1", &boss.access).await;
    assert_eq!(page["items"][0]["after"], json!({"role": "member"}));
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let page = app
        .get_json(
            &format!("/api/admin/audit?limit=1&cursor={cursor}"),
            &boss.access,
        )
        .await;
    assert_eq!(page["items"][0]["after"], json!({"role": "manager"}));
    assert_eq!(page["next_cursor"], Value::Null);
    let other = app.member("other").await;
    let none = audit(&app, &boss.access, &format!("?user={}", other.user_id)).await;
    assert!(none.is_empty());
    let mine = audit(&app, &boss.access, &format!("?user={}", writer.user_id)).await;
    assert_eq!(mine.len(), 2);
}

async fn deactivation_ends_the_users_token_and_api_key_at_once_and_reactivation_lets_them_back(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    let user = app.member("leaver").await;
    let res = app
        .post_json(
            "/api/me/api-keys",
            json!({"name": "laptop"}),
            Some(&user.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let key = body_json(res).await["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    // Both work (and, on SQLite, are now cached).
    for _ in 0..2 {
        assert_eq!(
            app.get("/api/me", Some(&user.access)).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            app.get("/v1/models", Some(&key)).await.status(),
            StatusCode::OK
        );
    }

    let res = patch_user(
        &app,
        &boss.access,
        &user.user_id,
        json!({"is_active": false}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert_eq!(body["state"], "deactivated");

    // The very next request with either is refused.
    assert_eq!(
        app.get("/api/me", Some(&user.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/v1/models", Some(&key)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refreshed = app.refresh(&user.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    let login = app
        .post_json(
            "/api/auth/login",
            json!({"email": "leaver@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(login).await.0, "account_disabled");

    let res = patch_user(
        &app,
        &boss.access,
        &user.user_id,
        json!({"is_active": true}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["state"], "active");
    // The ended session and the revoked key stay ended; a new login works.
    assert_eq!(
        app.get("/api/me", Some(&user.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/v1/models", Some(&key)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app.login("leaver@example.com", PASSWORD).await;
    assert_eq!(
        app.get("/api/me", Some(&again.access)).await.status(),
        StatusCode::OK
    );
    let keys = app.get_json("/api/me/api-keys", &again.access).await;
    assert_eq!(keys["items"].as_array().map(Vec::len), Some(0));

    let entries = audit(&app, &boss.access, "").await;
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["reactivated", "deactivated"]);
    assert_eq!(entries[1]["before"], json!({"is_active": true}));
    assert_eq!(
        entries[1]["after"],
        json!({"is_active": false, "api_keys_revoked": 1})
    );
    assert_eq!(entries[0]["after"], json!({"is_active": true}));
}

async fn a_limit_override_shows_on_the_users_quota_and_holds_on_a_real_send(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    let user = app.member("limited").await;
    let res = patch_user(
        &app,
        &boss.access,
        &user.user_id,
        json!({"quota_overrides": {"chat": 1, "tarot": 0}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let view = body_json(res).await;
    assert_eq!(scope(&view, "chat")["override"], 1);
    assert_eq!(scope(&view, "chat")["limit"], 1);
    assert_eq!(scope(&view, "chat")["default_limit"], 5);
    assert_eq!(scope(&view, "tarot")["override"], 0);
    assert_eq!(
        scope(&view, "tarot")["limit"],
        Value::Null,
        "0 is unlimited"
    );

    let quota = app.get_json("/api/me/quota", &user.access).await;
    assert_eq!(quota["scopes"][0]["scope"], "chat");
    assert_eq!(quota["scopes"][0]["limit"], 1);
    assert_eq!(quota["scopes"][2]["scope"], "tarot");
    assert_eq!(quota["scopes"][2]["limit"], Value::Null);

    let room = app
        .create_room(&user.access, "tech-interview", json!(null))
        .await;
    assert_eq!(
        app.send(&user.access, &room, "one").await.status(),
        StatusCode::OK
    );
    let res = app.send(&user.access, &room, "two").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = body_json(res).await;
    assert_eq!(body["error"]["limit"], 1);

    // Back to the default: the next send goes through.
    let res = patch_user(
        &app,
        &boss.access,
        &user.user_id,
        json!({"quota_overrides": {"chat": null}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let view = body_json(res).await;
    assert_eq!(scope(&view, "chat")["override"], Value::Null);
    assert_eq!(scope(&view, "chat")["limit"], 5);
    assert_eq!(scope(&view, "chat")["used_today"], 1);
    assert_eq!(
        app.send(&user.access, &room, "two").await.status(),
        StatusCode::OK
    );
    assert_eq!(app.quota_used(&user.access, "chat").await, 2);

    let entries = audit(&app, &boss.access, "").await;
    let summary: Vec<(Value, Value, Value)> = entries
        .iter()
        .map(|e| (e["action"].clone(), e["before"].clone(), e["after"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                json!("quota_override_cleared"),
                json!({"scope": "chat", "limit": 1}),
                json!({"scope": "chat", "limit": null})
            ),
            (
                json!("quota_override_set"),
                json!({"scope": "tarot", "limit": null}),
                json!({"scope": "tarot", "limit": 0})
            ),
            (
                json!("quota_override_set"),
                json!({"scope": "chat", "limit": null}),
                json!({"scope": "chat", "limit": 1})
            ),
        ]
    );
}

async fn the_usage_report_counts_every_send_exactly_per_scope_day_and_user(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.set_quota_limit("chat", 0)).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    let heavy = app.member("heavy").await;
    let light = app.member("light").await;
    let secret = "the-secret-words-7731";
    let room = app
        .create_room(&heavy.access, "tech-interview", json!(null))
        .await;
    for i in 0..7 {
        let res = app
            .send(&heavy.access, &room, &format!("{secret} {i}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let room = app
        .create_room(&light.access, "tech-interview", json!(null))
        .await;
    for i in 0..3 {
        let res = app
            .send(&light.access, &room, &format!("{secret} {i}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let started = app
        .post_json(
            "/api/interview/sessions",
            json!({"field": "backend", "career": "junior", "count": 3}),
            Some(&light.access),
        )
        .await;
    assert_eq!(started.status(), StatusCode::CREATED);

    let res = app.get("/api/admin/usage", Some(&boss.access)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.expect("body");
    assert!(!text.contains(secret), "usage never carries content");
    let report: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(report["timezone"], app.quota_timezone.as_str());
    assert_eq!(
        report["scopes"],
        json!(["chat", "interview", "tarot", "travel"])
    );
    let days = report["days"].as_array().expect("days");
    assert_eq!(days.len(), 14);
    let today = days.last().expect("today");
    assert_eq!(today["day"], report["to"]);
    assert_eq!(
        today["counts"],
        json!({"chat": 10, "interview": 1, "tarot": 0, "travel": 0})
    );
    assert_eq!(today["total"], 11);
    assert_eq!(days[0]["total"], 0);
    assert_eq!(
        report["totals"],
        json!({"chat": 10, "interview": 1, "tarot": 0, "travel": 0})
    );
    assert_eq!(report["total"], 11);
    let top = report["top_users"].as_array().expect("top");
    assert_eq!(top.len(), 2);
    assert_eq!(top[0]["username"], "heavy");
    assert_eq!(top[0]["total"], 7);
    assert_eq!(top[0]["counts"]["chat"], 7);
    assert_eq!(top[1]["username"], "light");
    assert_eq!(top[1]["total"], 4);
    assert_eq!(top[1]["counts"]["interview"], 1);

    // `top` bounds the list; a range of one day ending today says the same.
    let day = report["to"].as_str().expect("to");
    let one = app
        .get_json(
            &format!("/api/admin/usage?from={day}&to={day}&top=1"),
            &boss.access,
        )
        .await;
    assert_eq!(one["days"].as_array().map(Vec::len), Some(1));
    assert_eq!(one["total"], 11);
    assert_eq!(one["top_users"].as_array().map(Vec::len), Some(1));
    // Days before any use count nothing.
    let old = app
        .get_json(
            "/api/admin/usage?from=2020-01-01&to=2020-01-31",
            &boss.access,
        )
        .await;
    assert_eq!(old["days"].as_array().map(Vec::len), Some(31));
    assert_eq!(old["total"], 0);
    assert_eq!(old["top_users"], json!([]));

    // The user list shows today's use per scope.
    let list = app.get_json("/api/admin/users?q=heavy", &boss.access).await;
    assert_eq!(scope(&list["items"][0], "chat")["used_today"], 7);
    assert_eq!(scope(&list["items"][0], "chat")["limit"], Value::Null);
}

async fn admin_emails_make_an_admin_at_sign_up_and_at_log_in(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| {
        c.admin_emails = Some(" Chief@Example.com , second@example.com".into())
    })
    .await
    else {
        return;
    };
    // Sign-up with the listed address in another case.
    app.signup("chief@EXAMPLE.com", "chief", PASSWORD).await;
    let chief = app.login("chief@example.com", PASSWORD).await;
    let me = app.get_json("/api/me", &chief.access).await;
    assert_eq!(me["role"], "admin");
    app.get_json("/api/admin/users", &chief.access).await;
    // Someone not listed stays a member.
    let plain = app.member("plain").await;
    assert_eq!(
        app.get_json("/api/me", &plain.access).await["role"],
        "member"
    );

    // Demoted behind the server's back (or listed later): the next login makes them admin
    // again, and the token response says so.
    set_role_elsewhere(&app, "chief", "member").await;
    assert_eq!(
        app.get("/api/admin/users", Some(&chief.access))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "CHIEF@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert_eq!(body["user"]["role"], "admin");
    let token = body["access_token"].as_str().expect("token");
    let entries = audit(&app, token, "").await;
    assert_eq!(entries.len(), 2);
    for entry in &entries {
        assert_eq!(entry["action"], "promoted_by_config");
        assert_eq!(entry["actor"], Value::Null);
        assert_eq!(entry["target"]["username"], "chief");
        assert_eq!(entry["before"], json!({"role": "member"}));
        assert_eq!(entry["after"], json!({"role": "admin"}));
    }
}

async fn an_admin_still_gets_404_on_another_members_room(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    let owner = app.member("owner").await;
    let room = app
        .create_room(&owner.access, "tech-interview", json!(null))
        .await;
    let secret = "owner-only-text-5521";
    assert_eq!(
        app.send(&owner.access, &room, secret).await.status(),
        StatusCode::OK
    );
    let messages = app.room_messages(&owner.access, &room).await;
    let message = messages[0]["id"].as_str().expect("id").to_owned();
    app.assert_not_found_for(
        &boss.access,
        vec![
            (Method::GET, format!("/api/rooms/{room}"), None),
            (Method::GET, format!("/api/rooms/{room}/messages"), None),
            (
                Method::GET,
                format!("/api/rooms/{room}/export?format=json"),
                None,
            ),
            (
                Method::PATCH,
                format!("/api/rooms/{room}"),
                Some(json!({"title": "mine"})),
            ),
            (
                Method::POST,
                format!("/api/rooms/{room}/messages"),
                Some(json!({"content": "hi"})),
            ),
            (
                Method::GET,
                format!("/api/rooms/{room}/messages/{message}/events"),
                None,
            ),
            (Method::DELETE, format!("/api/rooms/{room}"), None),
        ],
        secret,
    )
    .await;
    let search = app
        .get_json(&format!("/api/search?q={secret}"), &boss.access)
        .await;
    assert_eq!(search["items"], json!([]));
    // The room is untouched.
    assert_eq!(app.room_messages(&owner.access, &room).await.len(), 2);
}

async fn the_last_active_admin_cannot_demote_or_deactivate_themselves(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    for body in [
        json!({"role": "member"}),
        json!({"role": "manager"}),
        json!({"is_active": false}),
    ] {
        let res = patch_user(&app, &boss.access, &boss.user_id, body.clone()).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{body}");
        assert_eq!(error_of(res).await.0, "last_admin");
    }
    // Refused changes change nothing, and are not in the log.
    assert_eq!(app.get_json("/api/me", &boss.access).await["role"], "admin");
    assert!(audit(&app, &boss.access, "").await.is_empty());

    // A deactivated admin does not count; an active second admin does.
    let deputy = app.member("deputy").await;
    let res = patch_user(
        &app,
        &boss.access,
        &deputy.user_id,
        json!({"role": "admin"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = patch_user(
        &app,
        &boss.access,
        &deputy.user_id,
        json!({"is_active": false}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = patch_user(&app, &boss.access, &boss.user_id, json!({"role": "member"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = patch_user(
        &app,
        &boss.access,
        &deputy.user_id,
        json!({"is_active": true}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = patch_user(&app, &boss.access, &boss.user_id, json!({"role": "member"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The demotion took effect at once; now the deputy is the last admin.
    assert_eq!(
        app.get("/api/admin/users", Some(&boss.access))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let deputy = app.login("deputy@example.com", PASSWORD).await;
    let res = patch_user(
        &app,
        &deputy.access,
        &deputy.user_id,
        json!({"is_active": false}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

async fn bad_input_is_a_400_naming_each_field_with_its_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let boss = admin(&app, "boss").await;
    let user = app.member("someone").await;
    let id = &user.user_id;

    let codes = field_codes(
        patch_user(
            &app,
            &boss.access,
            id,
            json!({"role": "root", "quota_overrides": {"images": 3, "chat": -1, "tarot": 100001}}),
        )
        .await,
    )
    .await;
    assert_eq!(
        codes,
        json!({
            "role": "not_one_of",
            "quota_overrides.images": "not_one_of",
            "quota_overrides.chat": "out_of_range",
            "quota_overrides.tarot": "out_of_range",
        })
    );
    let codes = field_codes(patch_user(&app, &boss.access, id, json!({"admin": true})).await).await;
    assert_eq!(codes["admin"], "unknown_field");
    let codes =
        field_codes(patch_user(&app, &boss.access, id, json!({"is_active": "no"})).await).await;
    assert_eq!(codes["is_active"], "invalid_type");
    let res = patch_user(&app, &boss.access, id, json!({})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await.0, "nothing_to_change");
    // Nothing was changed by any of them.
    let view = app
        .get_json(&format!("/api/admin/users/{id}"), &boss.access)
        .await;
    assert_eq!(view["role"], "member");
    assert_eq!(scope(&view, "chat")["override"], Value::Null);

    let long = "a".repeat(201);
    for (path, field, code) in [
        (format!("/api/admin/users?q={long}"), "q", "too_long"),
        (
            "/api/admin/users?role=root".to_owned(),
            "role",
            "not_one_of",
        ),
        (
            "/api/admin/users?state=gone".to_owned(),
            "state",
            "not_one_of",
        ),
        (
            "/api/admin/users?cursor=nope".to_owned(),
            "cursor",
            "invalid_format",
        ),
        (
            "/api/admin/users?limit=0".to_owned(),
            "limit",
            "out_of_range",
        ),
        (
            "/api/admin/usage?from=2026-02-30".to_owned(),
            "from",
            "invalid_format",
        ),
        (
            "/api/admin/usage?to=tomorrow".to_owned(),
            "to",
            "invalid_format",
        ),
        (
            "/api/admin/usage?from=2026-03-02&to=2026-03-01".to_owned(),
            "to",
            "before_from",
        ),
        (
            "/api/admin/usage?from=2025-01-01&to=2026-01-01".to_owned(),
            "to",
            "range_too_long",
        ),
        ("/api/admin/usage?top=51".to_owned(), "top", "out_of_range"),
        (
            "/api/admin/audit?user=someone".to_owned(),
            "user",
            "invalid_format",
        ),
        (
            "/api/admin/audit?limit=201".to_owned(),
            "limit",
            "out_of_range",
        ),
    ] {
        let codes = field_codes(app.get(&path, Some(&boss.access)).await).await;
        assert_eq!(codes[field], code, "{path}: {codes}");
    }
    assert!(audit(&app, &boss.access, "").await.is_empty());
}
