//! Personal API keys (`/api/me/api-keys`) and the OpenAI-compatible `/v1` endpoint: key
//! life cycle, owner-only keys, keys that open `/v1` only, OpenAI's shapes (plain and
//! streamed), errors, the `chat` quota, and a disconnect that cancels the upstream call.

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{
    Backend, TestApp, body_json, error_of, spawn_app, spawn_app_with, spawn_app_with_openai,
};
use crate::on_both_backends;

on_both_backends!(
    a_key_is_shown_once_listed_without_its_secret_and_revoked_at_once,
    another_members_key_is_a_404_and_keeps_working,
    key_names_are_checked_and_a_member_has_at_most_twenty_keys,
    a_key_opens_v1_only_and_a_session_token_does_not_open_v1,
    models_lists_the_configured_model_and_the_assistants,
    a_completion_has_openais_shape_and_usage,
    a_streamed_completion_sends_chunks_usage_and_done,
    bad_requests_are_openai_errors_and_cost_nothing,
    the_quota_refusal_is_a_429_clients_do_not_retry,
    a_deactivated_or_deleted_members_keys_stop_working,
    an_upstream_failure_is_an_openai_error_and_refunds_the_slot,
    a_disconnect_cancels_the_upstream_call,
);

/// Makes a key for `token`; panics unless 201. Returns (id, secret).
async fn make_key(app: &TestApp, token: &str, name: &str) -> (String, String) {
    let res = app
        .post_json("/api/me/api-keys", json!({"name": name}), Some(token))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body = body_json(res).await;
    (
        body["id"].as_str().expect("id").to_owned(),
        body["secret"].as_str().expect("secret").to_owned(),
    )
}

async fn v1(app: &TestApp, method: Method, path: &str, key: &str, body: Option<Value>) -> Response {
    app.request(method, &format!("/v1{path}"), Some(key), body)
        .await
}

/// The OpenAI error of a response: (type, code, whole body).
async fn openai_error(res: Response) -> (String, String, Value) {
    let body = body_json(res).await;
    let error = &body["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (
        error["type"].as_str().unwrap_or("").to_owned(),
        error["code"].as_str().unwrap_or("").to_owned(),
        body,
    )
}

fn chat(model: &str, text: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": text}], "some_future_field": 1})
}

async fn a_key_is_shown_once_listed_without_its_secret_and_revoked_at_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("keyholder").await;
    let (id, secret) = make_key(&app, &me.access, "  laptop ").await;
    assert!(secret.starts_with("cfk_") && secret.len() == 47, "{secret}");
    let list = app.get_json("/api/me/api-keys", &me.access).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["name"], "laptop");
    assert!(items[0]["last_used_at"].is_null());
    let prefix = items[0]["prefix"].as_str().expect("prefix");
    assert!(prefix.starts_with("cfk_") && secret.starts_with(prefix) && prefix.len() < 16);
    assert!(
        !list.to_string().contains(&secret),
        "the secret is never listed"
    );
    assert!(list["next_cursor"].is_null());

    let res = v1(&app, Method::GET, "/models", &secret, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Used keys show when (written in the background).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let list = app.get_json("/api/me/api-keys", &me.access).await;
        if list["items"][0]["last_used_at"].is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "last_used_at is recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let res = app
        .delete(&format!("/api/me/api-keys/{id}"), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = v1(&app, Method::GET, "/models", &secret, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (kind, code, _) = openai_error(res).await;
    assert_eq!(
        (kind.as_str(), code.as_str()),
        ("invalid_request_error", "invalid_api_key")
    );
    let res = app
        .delete(&format!("/api/me/api-keys/{id}"), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn another_members_key_is_a_404_and_keeps_working(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let owner = app.member("keyowner").await;
    let other = app.member("keythief").await;
    let (id, secret) = make_key(&app, &owner.access, "mine").await;
    app.assert_not_found_for(
        &other.access,
        vec![
            (Method::DELETE, format!("/api/me/api-keys/{id}"), None),
            (Method::DELETE, "/api/me/api-keys/not-an-id".into(), None),
        ],
        &secret,
    )
    .await;
    let theirs = app.get_json("/api/me/api-keys", &other.access).await;
    assert_eq!(theirs["items"], json!([]));
    let res = v1(&app, Method::GET, "/models", &secret, None).await;
    assert_eq!(res.status(), StatusCode::OK, "the owner's key still works");
}

async fn key_names_are_checked_and_a_member_has_at_most_twenty_keys(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("collector").await;
    for (body, field, code) in [
        (json!({"name": "   "}), "name", "required"),
        (json!({"name": "x".repeat(61)}), "name", "too_long"),
        (json!({"name": "a\u{0007}b"}), "name", "control_chars"),
        (json!({}), "name", "required"),
        (
            json!({"name": "ok", "scope": "all"}),
            "scope",
            "unknown_field",
        ),
    ] {
        let res = app
            .post_json("/api/me/api-keys", body.clone(), Some(&me.access))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let detail = body_json(res).await;
        assert_eq!(detail["error"]["code"], "validation_failed");
        assert_eq!(
            detail["error"]["field_codes"][field], code,
            "{body}: {detail}"
        );
    }
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let client = app.client.clone();
            let url = app.url("/api/me/api-keys");
            let token = me.access.clone();
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"name": format!("key {i}")}))
                    .send()
                    .await
                    .expect("sent")
                    .status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::CREATED);
    }
    let res = app
        .post_json(
            "/api/me/api-keys",
            json!({"name": "one too many"}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "api_key_limit");
    let list = app.get_json("/api/me/api-keys", &me.access).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(20));
}

async fn a_key_opens_v1_only_and_a_session_token_does_not_open_v1(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("keyscope").await;
    let (_, secret) = make_key(&app, &me.access, "scoped").await;
    for path in ["/api/me", "/api/me/api-keys", "/api/me/quota"] {
        let res = app.get(path, Some(&secret)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = app
        .post_json(
            "/api/me/api-keys",
            json!({"name": "escalate"}),
            Some(&secret),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    for token in [
        Some(me.access.as_str()),
        None,
        Some("cfk_short"),
        Some("cfk_0000000000000000000000000000000000000000000"),
    ] {
        let res = app.get("/v1/models", token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        let (kind, code, _) = openai_error(res).await;
        assert_eq!(kind, "invalid_request_error");
        assert!(
            code == "invalid_api_key" || code == "missing_api_key",
            "{code}"
        );
    }
    let res = v1(&app, Method::GET, "/embeddings", &secret, None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(openai_error(res).await.1, "unknown_url");
}

async fn models_lists_the_configured_model_and_the_assistants(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("lister").await;
    let (_, secret) = make_key(&app, &me.access, "models").await;
    let res = v1(&app, Method::GET, "/models", &secret, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert_eq!(body["object"], "list");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|m| {
            assert_eq!(m["object"], "model");
            assert_eq!(m["owned_by"], "confab");
            assert!(m["created"].is_i64());
            m["id"].as_str().expect("id")
        })
        .collect();
    assert_eq!(ids[0], "offline");
    for id in [
        "confab-general",
        "confab-tech-interview",
        "confab-naming",
        "confab-travel",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let res = v1(&app, Method::GET, "/models/confab-general", &secret, None).await;
    assert_eq!(body_json(res).await["id"], "confab-general");
    let res = v1(&app, Method::GET, "/models/gpt-5", &secret, None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(openai_error(res).await.1, "model_not_found");
}

async fn upstream_app(backend: Backend, behavior: Behavior) -> Option<(TestApp, FakeUpstream)> {
    let fake = FakeUpstream::start(behavior).await;
    let app =
        spawn_app_with_openai(backend, fake.openai_base(), |c| c.llm_timeout_secs = 10).await?;
    Some((app, fake))
}

async fn a_completion_has_openais_shape_and_usage(backend: Backend) {
    let Some((app, fake)) = upstream_app(backend, Behavior::reply("Four, of course.")).await else {
        return;
    };
    let me = app.member("plain").await;
    let (_, secret) = make_key(&app, &me.access, "plain").await;
    for (model, has_system) in [("fake-model", false), ("confab-tech-interview", true)] {
        let res = v1(
            &app,
            Method::POST,
            "/chat/completions",
            &secret,
            Some(chat(model, "2+2?")),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().contains_key("ratelimit-remaining"));
        let body = body_json(res).await;
        assert_eq!(body["object"], "chat.completion");
        assert!(
            body["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("chatcmpl-"))
        );
        assert_eq!(body["model"], model);
        assert_eq!(body["choices"][0]["index"], 0);
        assert_eq!(body["choices"][0]["message"]["role"], "assistant");
        assert_eq!(body["choices"][0]["message"]["content"], "Four, of course.");
        assert_eq!(body["choices"][0]["finish_reason"], "stop");
        let usage = &body["usage"];
        let (p, c) = (
            usage["prompt_tokens"].as_u64(),
            usage["completion_tokens"].as_u64(),
        );
        assert!(
            p.is_some_and(|p| p > 0) && c.is_some_and(|c| c > 0),
            "{usage}"
        );
        assert_eq!(
            usage["total_tokens"].as_u64(),
            Some(p.unwrap_or(0) + c.unwrap_or(0))
        );
        let sent = fake.last_request().expect("upstream called");
        let first_role = sent["messages"][0]["role"].as_str().unwrap_or("");
        assert_eq!(first_role == "system", has_system, "{sent}");
    }
    assert_eq!(app.quota_used(&me.access, "chat").await, 2);
    let rooms = app.get_json("/api/rooms", &me.access).await;
    assert_eq!(rooms["items"], json!([]), "no room is stored");
}

/// The `data:` payloads of an SSE body, in order.
async fn sse_data(res: Response) -> Vec<String> {
    let text = res.text().await.expect("body");
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| d.trim().to_owned())
        .collect()
}

async fn a_streamed_completion_sends_chunks_usage_and_done(backend: Backend) {
    let reply = "one two three four";
    let Some((app, _fake)) = upstream_app(backend, Behavior::reply(reply)).await else {
        return;
    };
    let me = app.member("streamer").await;
    let (_, secret) = make_key(&app, &me.access, "stream").await;
    for include_usage in [false, true] {
        let mut body = chat("confab-general", "count");
        body["stream"] = json!(true);
        if include_usage {
            body["stream_options"] = json!({"include_usage": true});
        }
        let res = v1(&app, Method::POST, "/chat/completions", &secret, Some(body)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()[reqwest::header::CONTENT_TYPE]
                .to_str()
                .is_ok_and(|t| t.starts_with("text/event-stream"))
        );
        let data = sse_data(res).await;
        assert_eq!(data.last().map(String::as_str), Some("[DONE]"), "{data:?}");
        let chunks: Vec<Value> = data[..data.len() - 1]
            .iter()
            .map(|d| serde_json::from_str(d).expect("chunk is JSON"))
            .collect();
        assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk"
            && c["model"] == "confab-general"
            && c["id"] == chunks[0]["id"]));
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        let text: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(text, reply);
        let finishes: Vec<&Value> = chunks
            .iter()
            .map(|c| &c["choices"][0]["finish_reason"])
            .filter(|f| !f.is_null())
            .collect();
        assert_eq!(finishes, vec![&json!("stop")]);
        if include_usage {
            let last = chunks.last().expect("usage chunk");
            assert_eq!(last["choices"], json!([]));
            assert!(
                last["usage"]["completion_tokens"]
                    .as_u64()
                    .is_some_and(|n| n > 0)
            );
            assert!(
                chunks[..chunks.len() - 1]
                    .iter()
                    .all(|c| c["usage"].is_null())
            );
        } else {
            assert!(chunks.iter().all(|c| c.get("usage").is_none()));
        }
    }
    assert_eq!(app.quota_used(&me.access, "chat").await, 2);
}

async fn bad_requests_are_openai_errors_and_cost_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("badreq").await;
    let (_, secret) = make_key(&app, &me.access, "bad").await;
    let cases = [
        (
            json!({"messages": [{"role": "user", "content": "hi"}]}),
            StatusCode::BAD_REQUEST,
            "model",
        ),
        (
            json!({"model": "confab-general"}),
            StatusCode::BAD_REQUEST,
            "messages",
        ),
        (
            json!({"model": "confab-general", "messages": []}),
            StatusCode::BAD_REQUEST,
            "messages",
        ),
        (
            json!({"model": "confab-general", "messages": [{"role": "tool", "content": "x"}]}),
            StatusCode::BAD_REQUEST,
            "messages[0].role",
        ),
        (
            json!({"model": "confab-general", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}),
            StatusCode::BAD_REQUEST,
            "messages[0].content[0]",
        ),
        (
            json!({"model": "confab-general", "messages": [{"role": "user", "content": "x"}], "temperature": 3}),
            StatusCode::BAD_REQUEST,
            "temperature",
        ),
        (
            json!({"model": "confab-general", "messages": [{"role": "user", "content": "x"}], "n": 2}),
            StatusCode::BAD_REQUEST,
            "n",
        ),
        (
            json!({"model": "confab-general", "messages": [{"role": "user", "content": "x".repeat(20_000)}]}),
            StatusCode::BAD_REQUEST,
            "messages",
        ),
        (
            json!({"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}),
            StatusCode::NOT_FOUND,
            "model",
        ),
    ];
    for (body, status, param) in cases {
        let res = v1(
            &app,
            Method::POST,
            "/chat/completions",
            &secret,
            Some(body.clone()),
        )
        .await;
        assert_eq!(res.status(), status, "{body}");
        let (kind, _, whole) = openai_error(res).await;
        assert_eq!(kind, "invalid_request_error");
        assert_eq!(whole["error"]["param"], param, "{whole}");
    }
    let res = app
        .client
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(&secret)
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(openai_error(res).await.1, "invalid_json");
    let res = v1(&app, Method::GET, "/chat/completions", &secret, None).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
    // Last, on a connection of its own: the server answers before reading it all.
    let res = reqwest::Client::new()
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(&secret)
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn the_quota_refusal_is_a_429_clients_do_not_retry(backend: Backend) {
    let fake = FakeUpstream::start(Behavior::default()).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |c| {
        c.set_quota_limit("chat", 1)
    })
    .await
    else {
        return;
    };
    let me = app.member("limited").await;
    let (_, secret) = make_key(&app, &me.access, "limited").await;
    let res = v1(
        &app,
        Method::POST,
        "/chat/completions",
        &secret,
        Some(chat("fake-model", "one")),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    for stream in [false, true] {
        let mut body = chat("fake-model", "two");
        body["stream"] = json!(stream);
        let res = v1(&app, Method::POST, "/chat/completions", &secret, Some(body)).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()["x-should-retry"], "false");
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("retry-after");
        assert!((1..=86_400).contains(&retry), "{retry}");
        let (kind, code, _) = openai_error(res).await;
        assert_eq!(
            (kind.as_str(), code.as_str()),
            ("insufficient_quota", "quota_exceeded")
        );
    }
    assert_eq!(fake.calls(), 1, "a refused call never reaches the model");
    assert_eq!(app.quota_used(&me.access, "chat").await, 1);
}

async fn a_deactivated_or_deleted_members_keys_stop_working(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    let one = app.member("deactivated").await;
    let two = app.member("deleted").await;
    let (_, first) = make_key(&app, &one.access, "one").await;
    let (_, second) = make_key(&app, &two.access, "two").await;
    for key in [&first, &second] {
        // Twice: the second answer may come from the cache.
        for _ in 0..2 {
            assert_eq!(
                v1(&app, Method::GET, "/models", key, None).await.status(),
                StatusCode::OK
            );
        }
    }
    app.execute_elsewhere("UPDATE users SET is_active = FALSE WHERE username = 'deactivated'")
        .await;
    app.execute_elsewhere("DELETE FROM users WHERE username = 'deleted'")
        .await;
    for key in [&first, &second] {
        let res = v1(&app, Method::GET, "/models", key, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    app.execute_elsewhere("UPDATE users SET is_active = TRUE WHERE username = 'deactivated'")
        .await;
    assert_eq!(
        v1(&app, Method::GET, "/models", &first, None)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn an_upstream_failure_is_an_openai_error_and_refunds_the_slot(backend: Backend) {
    let Some((app, fake)) = upstream_app(backend, Behavior::fault(Fault::Status(400))).await else {
        return;
    };
    let me = app.member("failing").await;
    let (_, secret) = make_key(&app, &me.access, "fail").await;
    for stream in [false, true] {
        let mut body = chat("fake-model", "hi");
        body["stream"] = json!(stream);
        let res = v1(&app, Method::POST, "/chat/completions", &secret, Some(body)).await;
        assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
        let (kind, code, whole) = openai_error(res).await;
        assert_eq!(
            (kind.as_str(), code.as_str()),
            ("api_error", "upstream_error")
        );
        assert!(!whole.to_string().contains("sk-test"), "no key in errors");
    }
    assert!(fake.calls() >= 2);
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn a_disconnect_cancels_the_upstream_call(backend: Backend) {
    let behavior = Behavior {
        reply: (0..200).map(|i| format!("w{i} ")).collect(),
        token_delay: Duration::from_millis(50),
        ..Behavior::default()
    };
    let Some((app, fake)) = upstream_app(backend, behavior).await else {
        return;
    };
    let me = app.member("leaver").await;
    let (_, secret) = make_key(&app, &me.access, "leave").await;
    let mut body = chat("fake-model", "long");
    body["stream"] = json!(true);
    let res = v1(&app, Method::POST, "/chat/completions", &secret, Some(body)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut bytes = res.bytes_stream();
    let mut seen = String::new();
    while !seen.contains(" w2") {
        let chunk = bytes.next().await.expect("more").expect("chunk");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(bytes);
    let deadline = Instant::now() + Duration::from_secs(5);
    while fake.cancelled_streams() == 0 {
        assert!(Instant::now() < deadline, "the upstream call is cancelled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Text was produced, so the slot stays spent (settled in the background).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let held: i64 = match &app.db {
            confab::db::Db::Sqlite(s) => sqlx::query_scalar("SELECT COUNT(*) FROM quota_holds")
                .fetch_one(&s.pool)
                .await
                .expect("count"),
            confab::db::Db::Postgres(p) => sqlx::query_scalar("SELECT COUNT(*) FROM quota_holds")
                .fetch_one(p)
                .await
                .expect("count"),
        };
        if held == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the hold is settled: {held} used {}",
            app.quota_used(&me.access, "chat").await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.quota_used(&me.access, "chat").await, 1);
}
