//! Assistants, rooms, messages (plain and streamed), quota, search and export, against the
//! offline assistant and a fake upstream over real HTTP.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{
    Backend, TestApp, Tokens, body_json, error_of, spawn_app, spawn_app_with,
    spawn_app_with_gemini, spawn_app_with_openai,
};
use crate::on_both_backends;

on_both_backends!(
    the_assistants_are_listed_in_a_fixed_order,
    creating_a_room_returns_it_with_its_settings,
    each_bad_create_room_body_is_a_400_naming_its_field,
    rooms_are_listed_by_latest_activity_with_title_preview_and_settings,
    the_room_list_pages_with_a_cursor,
    a_bad_room_list_limit_or_cursor_is_a_400,
    renaming_a_room_returns_the_new_title,
    a_deleted_room_is_404,
    a_room_id_that_is_not_a_uuid_is_404,
    each_bad_message_body_is_a_400_on_content_and_costs_nothing,
    the_offline_assistant_answers_every_assistant_type_with_no_configuration,
    two_hundred_concurrent_sends_with_limit_five_let_exactly_five_through,
    an_upstream_500_is_a_502_that_leaks_no_key_or_url_and_costs_no_quota,
    an_upstream_that_never_answers_is_a_504_within_five_seconds_and_costs_no_quota,
    a_malformed_upstream_reply_is_a_502_and_costs_no_quota,
    failed_sends_keep_the_question_and_mark_the_answer_failed,
    after_upstream_failures_sends_work_again_and_the_server_stays_ready,
    two_upstream_503s_are_retried_and_the_third_call_answers,
    an_upstream_400_is_a_502_without_a_retry,
    an_upstream_500_is_retried_at_most_twice,
    a_stream_that_breaks_after_its_first_token_is_not_retried,
    streaming_sends_user_message_deltas_and_done,
    a_streamed_send_asks_the_upstream_to_stream_with_the_system_prompt_first,
    a_stall_mid_stream_keeps_the_partial_answer_as_incomplete,
    a_disconnect_mid_stream_keeps_the_partial_answer_as_incomplete,
    a_client_leaving_mid_stream_does_not_stop_its_answer,
    hostile_model_output_is_sanitised_in_html,
    every_room_route_with_another_users_token_is_404_and_changes_nothing,
    search_finds_korean_substrings_in_your_own_messages_only,
    searching_a_whole_korean_word_finds_the_one_message_that_has_it,
    a_percent_sign_in_a_search_matches_only_itself,
    search_needs_a_query_and_a_token,
    exporting_as_markdown_gives_an_attachment_titled_by_the_first_message,
    exporting_as_json_gives_the_room_and_its_messages,
    an_unknown_export_format_is_a_400_on_format,
    messages_page_backwards_in_chronological_order,
    an_unlimited_chat_quota_still_counts_use,
    the_quota_endpoint_lists_every_scope_with_limit_used_and_remaining,
    the_quota_resets_at_the_next_midnight_in_seoul,
    each_send_tells_the_limit_the_remaining_sends_and_the_reset,
    a_send_over_the_limit_is_a_429_with_retry_after_and_the_rate_limit_headers,
    the_429_body_names_the_scope_its_limit_and_when_it_resets,
    a_refused_send_stores_nothing,
    a_per_user_override_raises_the_limit,
    the_gemini_provider_works_plain_and_streamed,
    created_rooms_show_in_a_room_list_read_before,
    a_send_reorders_a_room_list_read_before,
    a_send_shows_in_a_message_page_read_before,
    someone_else_reading_a_cached_uri_gets_their_own_answer,
    a_rename_shows_in_a_room_list_read_before,
    a_message_changed_elsewhere_shows_in_a_page_read_before,
    a_room_renamed_elsewhere_shows_in_a_room_list_read_before,
    a_message_deleted_elsewhere_leaves_a_page_read_before,
    a_deleted_room_leaves_its_page_and_the_room_list_read_before,
    a_role_changed_elsewhere_shows_at_once,
    a_user_deactivated_elsewhere_is_refused_on_the_next_request,
    a_session_revoked_elsewhere_is_refused_on_the_next_request,
    pages_read_while_messages_are_sent_end_up_with_every_message,
    an_untitled_room_has_a_null_title_until_its_first_message_names_it,
    signup_errors_give_each_field_a_stable_code,
    create_room_errors_give_each_field_a_stable_code,
    query_string_errors_give_each_parameter_a_stable_code,
);

/// Reads an SSE response into (event, data) pairs; stops after `max` events.
pub(crate) async fn read_events(res: reqwest::Response, max: usize) -> Vec<(String, Value)> {
    let mut events = Vec::new();
    let mut buf = String::new();
    let mut body = res.bytes_stream();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else { break };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut name = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !name.is_empty() {
                events.push((name, serde_json::from_str(&data).unwrap_or(Value::Null)));
                if events.len() >= max {
                    return events;
                }
            }
        }
    }
    events
}

async fn the_assistants_are_listed_in_a_fixed_order(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/api/assistants", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let assistants = body_json(res).await;
    let ids: Vec<&str> = assistants
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, ["general", "tech-interview", "naming", "travel"]);
}

async fn creating_a_room_returns_it_with_its_settings(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    let res = app
        .post_json(
            "/api/rooms",
            json!({"assistant": "naming", "settings": {"language": "Python", "convention": "snake_case"}}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created = body_json(res).await;
    assert_eq!(created["assistant"], "naming");
    assert_eq!(created["settings"]["language"], "Python");
    assert_eq!(created["settings"]["convention"], "snake_case");
    let id = created["id"].as_str().expect("id");
    let fetched = app.get_json(&format!("/api/rooms/{id}"), &me.access).await;
    assert_eq!(fetched, created);
}

async fn each_bad_create_room_body_is_a_400_naming_its_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    for (body, field) in [
        (json!({"assistant": "oracle"}), "assistant"),
        (json!({"assistant": "naming"}), "settings.language"),
        (
            json!({"assistant": "naming", "settings": {"language": "x".repeat(41)}}),
            "settings.language",
        ),
        (
            json!({"assistant": "naming", "settings": {"language": "go", "convention": "y".repeat(101)}}),
            "settings.convention",
        ),
        (
            json!({"assistant": "general", "settings": {"language": "go"}}),
            "settings.language",
        ),
        (
            json!({"assistant": "general", "title": "t".repeat(101)}),
            "title",
        ),
        (json!({"assistant": "general", "owner_id": "x"}), "owner_id"),
    ] {
        let res = app
            .post_json("/api/rooms", body.clone(), Some(&me.access))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(error_of(res).await.1[field].is_string(), "{body}");
    }
    let list = app.get_json("/api/rooms", &me.access).await;
    assert_eq!(list["items"], json!([]), "no room was created");
}

/// A naming room (Python, snake_case) and a general one created after it; then a message
/// to the naming room, which makes it the most recently active.
async fn two_rooms_the_older_one_active(app: &TestApp, token: &str) -> (String, String) {
    let naming = app
        .create_room(
            token,
            "naming",
            json!({"language": "Python", "convention": "snake_case"}),
        )
        .await;
    let general = app.create_room(token, "general", json!(null)).await;
    let res = app
        .send(token, &naming, "두 수를 곱하는 함수 이름 추천해줘")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    (naming, general)
}

async fn rooms_are_listed_by_latest_activity_with_title_preview_and_settings(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    let (naming, _general) = two_rooms_the_older_one_active(&app, &me.access).await;

    let list = app.get_json("/api/rooms", &me.access).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["id"],
        naming.as_str(),
        "most recent activity first"
    );
    assert_eq!(
        items[0]["title"], "두 수를 곱하는 함수 이름 추천해줘",
        "title from the first message"
    );
    assert!(items[0]["preview"].is_string());
    assert_eq!(items[0]["settings"]["language"], "Python");
}

async fn the_room_list_pages_with_a_cursor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    let (_naming, general) = two_rooms_the_older_one_active(&app, &me.access).await;

    let page = app.get_json("/api/rooms?limit=1", &me.access).await;
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let next = app
        .get_json(&format!("/api/rooms?limit=1&cursor={cursor}"), &me.access)
        .await;
    assert_eq!(next["items"][0]["id"], general.as_str());
    assert!(next["next_cursor"].is_null());
}

async fn a_bad_room_list_limit_or_cursor_is_a_400(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    for bad in [
        "/api/rooms?limit=0",
        "/api/rooms?limit=201",
        "/api/rooms?limit=abc",
        "/api/rooms?cursor=zzz",
    ] {
        assert_eq!(
            app.get(bad, Some(&me.access)).await.status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

async fn renaming_a_room_returns_the_new_title(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let res = app
        .patch_json(
            &format!("/api/rooms/{id}"),
            json!({"title": "면접 준비"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["title"], "면접 준비");
}

async fn a_deleted_room_is_404(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.delete(&format!("/api/rooms/{id}"), &me.access).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/rooms/{id}"), Some(&me.access))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_room_id_that_is_not_a_uuid_is_404(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    assert_eq!(
        app.get("/api/rooms/not-a-uuid", Some(&me.access))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn each_bad_message_body_is_a_400_on_content_and_costs_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    assert_eq!(
        app.send(&me.access, &id, "one good message").await.status(),
        StatusCode::OK
    );
    for bad in [
        json!({"content": "   "}),
        json!({"content": "x".repeat(10_001)}),
        json!({}),
    ] {
        let res = app
            .post_json(
                &format!("/api/rooms/{id}/messages"),
                bad.clone(),
                Some(&me.access),
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(error_of(res).await.1["content"].is_string(), "{bad}");
    }
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        1,
        "bad input costs nothing"
    );
    assert_eq!(app.room_messages(&me.access, &id).await.len(), 2);
}

async fn the_offline_assistant_answers_every_assistant_type_with_no_configuration(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("offline").await;
    let cases = [
        ("general", json!(null), "hello, what can you do?"),
        (
            "tech-interview",
            json!(null),
            "프로세스와 스레드의 차이가 뭔가요?",
        ),
        (
            "naming",
            json!({"language": "javascript"}),
            "recommend names for a function that multiplies two numbers",
        ),
        (
            "travel",
            json!(null),
            "Is it going to rain in Singapore? How do I use the MRT?",
        ),
    ];
    for (assistant, settings, question) in cases {
        let id = app.create_room(&me.access, assistant, settings).await;
        let res = app.send(&me.access, &id, question).await;
        assert_eq!(res.status(), StatusCode::OK, "{assistant}");
        let body: Value = res.json().await.expect("json");
        let answer = body["assistant_message"]["content"]
            .as_str()
            .expect("content");
        assert!(answer.len() > 80, "{assistant}: {answer}");
        assert_eq!(body["assistant_message"]["status"], "complete");
        assert_eq!(body["user_message"]["content"], question);
        if assistant == "naming" {
            assert!(answer.contains("multiply"), "{answer}");
        }
    }
}

async fn two_hundred_concurrent_sends_with_limit_five_let_exactly_five_through(backend: Backend) {
    let behavior = Behavior {
        reply: "ok".into(),
        latency: Duration::from_millis(20),
        ..Behavior::default()
    };
    let fake = FakeUpstream::start(behavior).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let app = Arc::new(app);
    let bystander = app.member("bystander").await;
    let bystander_room = app
        .create_room(&bystander.access, "general", json!(null))
        .await;
    for round in 0..10 {
        let me = app.member(&format!("burst{round}")).await;
        let id = app.create_room(&me.access, "general", json!(null)).await;
        let calls_before = fake.calls();
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let (app, token, id) = (app.clone(), me.access.clone(), id.clone());
                tokio::spawn(async move {
                    app.send(&token, &id, &format!("message {i}"))
                        .await
                        .status()
                })
            })
            .collect();
        let mut ok = 0;
        let mut limited = 0;
        for task in tasks {
            match task.await.expect("task") {
                StatusCode::OK => ok += 1,
                StatusCode::TOO_MANY_REQUESTS => limited += 1,
                other => panic!("round {round}: unexpected {other}"),
            }
        }
        assert_eq!((ok, limited), (5, 195), "round {round}");
        assert_eq!(
            fake.calls() - calls_before,
            5,
            "round {round}: upstream calls"
        );
        assert_eq!(app.quota_used(&me.access, "chat").await, 5);
    }
    assert_eq!(
        app.send(&bystander.access, &bystander_room, "still fine")
            .await
            .status(),
        StatusCode::OK
    );
}

/// A server on `backend` whose upstream answers with `fault`, a member and a room.
async fn faulty_upstream(
    backend: Backend,
    fault: Fault,
) -> Option<(TestApp, FakeUpstream, Tokens, String)> {
    let fake = FakeUpstream::start(Behavior::fault(fault)).await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await?;
    let me = app.member("unlucky").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    Some((app, fake, me, id))
}

async fn an_upstream_500_is_a_502_that_leaks_no_key_or_url_and_costs_no_quota(backend: Backend) {
    let Some((app, _fake, me, id)) = faulty_upstream(backend, Fault::Status(500)).await else {
        return;
    };
    let res = app.send(&me.access, &id, "hello").await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let text = res.text().await.expect("body");
    assert!(text.contains("upstream_error"), "{text}");
    assert!(
        !text.contains("sk-test") && !text.contains("127.0.0.1"),
        "secrets or URLs leaked: {text}"
    );
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn an_upstream_that_never_answers_is_a_504_within_five_seconds_and_costs_no_quota(
    backend: Backend,
) {
    let Some((app, _fake, me, id)) = faulty_upstream(backend, Fault::HangBeforeHeaders).await
    else {
        return;
    };
    let started = Instant::now();
    let res = app.send(&me.access, &id, "hello again").await;
    assert_eq!(res.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn a_malformed_upstream_reply_is_a_502_and_costs_no_quota(backend: Backend) {
    let Some((app, _fake, me, id)) = faulty_upstream(backend, Fault::MalformedChunk(0)).await
    else {
        return;
    };
    assert_eq!(
        app.send(&me.access, &id, "and again").await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn failed_sends_keep_the_question_and_mark_the_answer_failed(backend: Backend) {
    let Some((app, fake, me, id)) = faulty_upstream(backend, Fault::Status(500)).await else {
        return;
    };
    for (fault, status) in [
        (Fault::Status(500), StatusCode::BAD_GATEWAY),
        (Fault::HangBeforeHeaders, StatusCode::GATEWAY_TIMEOUT),
        (Fault::MalformedChunk(0), StatusCode::BAD_GATEWAY),
    ] {
        fake.set(Behavior::fault(fault.clone()));
        let res = app.send(&me.access, &id, "hello").await;
        assert_eq!(res.status(), status, "{fault:?}");
    }
    let messages = app.room_messages(&me.access, &id).await;
    let statuses: Vec<&str> = messages
        .iter()
        .filter_map(|m| m["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        [
            "complete", "failed", "complete", "failed", "complete", "failed"
        ],
        "questions kept, failures marked"
    );
}

async fn after_upstream_failures_sends_work_again_and_the_server_stays_ready(backend: Backend) {
    let Some((app, fake, me, id)) = faulty_upstream(backend, Fault::Status(500)).await else {
        return;
    };
    for fault in [
        Fault::Status(500),
        Fault::HangBeforeHeaders,
        Fault::MalformedChunk(0),
    ] {
        fake.set(Behavior::fault(fault.clone()));
        let status = app.send(&me.access, &id, "hello").await.status();
        assert!(status.is_server_error(), "{fault:?}: {status}");
    }
    fake.set(Behavior::default());
    assert_eq!(
        app.send(&me.access, &id, "works now").await.status(),
        StatusCode::OK
    );
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
}

async fn two_upstream_503s_are_retried_and_the_third_call_answers(backend: Backend) {
    let fake = FakeUpstream::start(Behavior::fault(Fault::FailFirst {
        times: 2,
        status: 503,
    }))
    .await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("retrier").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    assert_eq!(
        app.send(&me.access, &id, "one").await.status(),
        StatusCode::OK
    );
    assert_eq!(fake.calls(), 3, "two retries, then success");
    assert_eq!(
        fake.last_auth().as_deref(),
        Some("Bearer sk-test-secret-key")
    );
}

/// Sends one message through an upstream answering with `fault` and returns (status,
/// upstream calls made for it).
async fn send_through(backend: Backend, fault: Fault) -> Option<(StatusCode, usize)> {
    let fake = FakeUpstream::start(Behavior::fault(fault)).await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await?;
    let me = app.member("retrier").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let status = app.send(&me.access, &id, "hello").await.status();
    Some((status, fake.calls()))
}

async fn an_upstream_400_is_a_502_without_a_retry(backend: Backend) {
    let Some((status, calls)) = send_through(backend, Fault::Status(400)).await else {
        return;
    };
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(calls, 1, "no retry on 400");
}

async fn an_upstream_500_is_retried_at_most_twice(backend: Backend) {
    let Some((status, calls)) = send_through(backend, Fault::Status(500)).await else {
        return;
    };
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(calls, 3, "at most two retries");
}

async fn a_stream_that_breaks_after_its_first_token_is_not_retried(backend: Backend) {
    let fake = FakeUpstream::start(Behavior {
        fault: Fault::DisconnectAfter(2),
        reply: "one two three four".into(),
        token_delay: Duration::from_millis(20),
        ..Behavior::default()
    })
    .await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("retrier").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let events = read_events(app.send_streamed(&me.access, &id, "four").await, 10).await;
    assert_eq!(fake.calls(), 1, "no retry after the first token");
    assert_eq!(events.last().map(|e| e.0.as_str()), Some("error"));
}

const STREAMED_REPLY: &str = "Streaming works **token** by token.";

/// A server whose upstream streams [`STREAMED_REPLY`] a few tokens at a time, and the
/// response to a streamed send of "stream please" (4 of 5 chat sends left after it).
async fn streamed_send(backend: Backend) -> Option<(TestApp, FakeUpstream, reqwest::Response)> {
    let fake = FakeUpstream::start(Behavior {
        reply: STREAMED_REPLY.into(),
        token_delay: Duration::from_millis(5),
        ..Behavior::default()
    })
    .await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await?;
    let me = app.member("streamer").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send_streamed(&me.access, &id, "stream please").await;
    Some((app, fake, res))
}

async fn streaming_sends_user_message_deltas_and_done(backend: Backend) {
    let Some((_app, _fake, res)) = streamed_send(backend).await else {
        return;
    };
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/event-stream")
    );
    assert_eq!(res.headers()["ratelimit-remaining"], "4");
    let events = read_events(res, 100).await;
    assert_eq!(events[0].0, "user_message");
    assert_eq!(events[0].1["content"], "stream please");
    let deltas: String = events
        .iter()
        .filter(|e| e.0 == "delta")
        .filter_map(|e| e.1["text"].as_str())
        .collect();
    assert_eq!(deltas, STREAMED_REPLY);
    assert!(events.iter().filter(|e| e.0 == "delta").count() > 2);
    let done = events.last().expect("done");
    assert_eq!(done.0, "done");
    assert_eq!(done.1["message"]["content"], STREAMED_REPLY);
    assert!(
        done.1["message"]["html"]
            .as_str()
            .expect("html")
            .contains("<strong>token</strong>")
    );
}

async fn a_streamed_send_asks_the_upstream_to_stream_with_the_system_prompt_first(
    backend: Backend,
) {
    let Some((_app, fake, res)) = streamed_send(backend).await else {
        return;
    };
    read_events(res, 100).await;
    let sent = fake.last_request().expect("request");
    assert_eq!(sent["stream"], true);
    assert_eq!(sent["model"], "fake-model");
    assert_eq!(sent["messages"][0]["role"], "system");
    assert_eq!(
        sent["messages"]
            .as_array()
            .expect("messages")
            .last()
            .expect("last")["content"],
        "stream please"
    );
}

/// A streamed send whose upstream hits `fault` after two tokens: the client gets an `error`
/// event, the first tokens are stored as an incomplete answer that still counts, and the
/// server stays ready.
async fn assert_a_fault_mid_stream_keeps_the_partial_answer(backend: Backend, fault: Fault) {
    // A token delay lets the response head reach us before the fault, as with a real upstream.
    let fake = FakeUpstream::start(Behavior {
        reply: "alpha beta gamma delta epsilon".into(),
        fault,
        token_delay: Duration::from_millis(20),
        ..Behavior::default()
    })
    .await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("staller").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let events = read_events(app.send_streamed(&me.access, &id, "go").await, 100).await;
    let last = events.last().expect("events");
    assert_eq!(last.0, "error", "{events:?}");
    assert!(last.1["code"].is_string() && last.1["message"].is_string());
    let messages = app.room_messages(&me.access, &id).await;
    let answer = messages.last().expect("answer");
    assert_eq!(answer["status"], "incomplete");
    let content = answer["content"].as_str().expect("content");
    assert!(content.starts_with("alpha beta"), "{answer}");
    assert!(!content.contains("gamma"), "{answer}");
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        1,
        "partial answers stay counted"
    );
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
}

async fn a_stall_mid_stream_keeps_the_partial_answer_as_incomplete(backend: Backend) {
    assert_a_fault_mid_stream_keeps_the_partial_answer(backend, Fault::StallAfter(2)).await;
}

async fn a_disconnect_mid_stream_keeps_the_partial_answer_as_incomplete(backend: Backend) {
    assert_a_fault_mid_stream_keeps_the_partial_answer(backend, Fault::DisconnectAfter(2)).await;
}

async fn a_client_leaving_mid_stream_does_not_stop_its_answer(backend: Backend) {
    let reply: String = (0..20).map(|i| format!("t{i} ")).collect();
    let behavior = Behavior {
        reply: reply.clone(),
        token_delay: Duration::from_millis(40),
        ..Behavior::default()
    };
    let fake = FakeUpstream::start(behavior).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("leaver").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let res = app
        .send_streamed(&me.access, &id, "long answer please")
        .await;
    let events = read_events(res, 5).await;
    assert_eq!(events[1].0, "answer_started");
    assert_eq!(events.iter().filter(|e| e.0 == "delta").count(), 3);
    // The client is gone; the answer is the server's and is finished and stored whole.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let items = app.room_messages(&me.access, &id).await;
        if items.len() == 2 && items[1]["status"] == "complete" {
            assert_eq!(items[1]["content"], reply.as_str());
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the answer was never finished: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        fake.cancelled_streams(),
        0,
        "the upstream call was cancelled"
    );
    assert_eq!(app.quota_used(&me.access, "chat").await, 1);
}

async fn hostile_model_output_is_sanitised_in_html(backend: Backend) {
    let reply = "Look <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) ![i](https://evil.example/a.png) <a href=\"javascript:alert(2)\">y</a>";
    let _fake = FakeUpstream::start(Behavior {
        reply: reply.into(),
        ..Behavior::default()
    })
    .await;
    let Some(app) = spawn_app_with_openai(backend, _fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("xss").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let body: Value = app
        .send(&me.access, &id, "<script>alert('me')</script>")
        .await
        .json()
        .await
        .expect("json");
    for html in [
        body["assistant_message"]["html"].as_str().expect("html"),
        body["user_message"]["html"].as_str().expect("html"),
    ] {
        // Text '<' is escaped as &lt;, so every literal '<' opens a real tag: check those.
        for tag in html
            .split('<')
            .skip(1)
            .filter_map(|rest| rest.split('>').next())
        {
            let tag = tag.to_lowercase();
            for bad in ["script", "img", "onerror", "javascript:", "evil.example"] {
                assert!(!tag.contains(bad), "{bad} in tag <{tag}> of {html}");
            }
        }
        assert!(
            html.contains("&lt;script&gt;") || !html.contains("script"),
            "{html}"
        );
    }
    assert_eq!(
        body["assistant_message"]["content"], reply,
        "the raw text is kept as written"
    );
}

async fn every_room_route_with_another_users_token_is_404_and_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let owner = app.member("owner").await;
    let thief = app.member("thief").await;
    let id = app.create_room(&owner.access, "general", json!(null)).await;
    assert_eq!(
        app.send(&owner.access, &id, "비밀 메시지 secret")
            .await
            .status(),
        StatusCode::OK
    );
    let routes = [
        (Method::GET, format!("/api/rooms/{id}"), None),
        (
            Method::PATCH,
            format!("/api/rooms/{id}"),
            Some(json!({"title": "mine now"})),
        ),
        (Method::DELETE, format!("/api/rooms/{id}"), None),
        (Method::GET, format!("/api/rooms/{id}/messages"), None),
        (
            Method::POST,
            format!("/api/rooms/{id}/messages"),
            Some(json!({"content": "hi"})),
        ),
        (
            Method::GET,
            format!("/api/rooms/{id}/export?format=json"),
            None,
        ),
        (
            Method::GET,
            format!("/api/rooms/{id}/export?format=md"),
            None,
        ),
    ];
    app.assert_not_found_for(&thief.access, routes.into(), "secret")
        .await;
    let hits: Value = app.get_json("/api/search?q=secret", &thief.access).await;
    assert_eq!(hits["items"].as_array().expect("items").len(), 0);
    let rooms: Value = app.get_json("/api/rooms", &thief.access).await;
    assert_eq!(rooms["items"].as_array().expect("items").len(), 0);
    assert_eq!(app.quota_used(&thief.access, "chat").await, 0);
    let mine: Value = app
        .get_json(&format!("/api/rooms/{id}"), &owner.access)
        .await;
    assert_ne!(mine["title"], "mine now");
    assert_eq!(app.room_messages(&owner.access, &id).await.len(), 2);
}

/// A member who asked "기술면접은 어떻게 준비하나요?" in a room of their own, and another
/// member who wrote "면접 비밀 이야기" in theirs: (app, me, my room).
async fn two_members_who_wrote_about_interviews(
    backend: Backend,
) -> Option<(TestApp, Tokens, String)> {
    let app = spawn_app(backend).await?;
    let me = app.member("searcher").await;
    let other = app.member("other").await;
    let id = app
        .create_room(&me.access, "tech-interview", json!(null))
        .await;
    assert_eq!(
        app.send(&me.access, &id, "기술면접은 어떻게 준비하나요?")
            .await
            .status(),
        StatusCode::OK
    );
    let theirs = app.create_room(&other.access, "general", json!(null)).await;
    assert_eq!(
        app.send(&other.access, &theirs, "면접 비밀 이야기")
            .await
            .status(),
        StatusCode::OK
    );
    Some((app, me, id))
}

async fn search_finds_korean_substrings_in_your_own_messages_only(backend: Backend) {
    let Some((app, me, id)) = two_members_who_wrote_about_interviews(backend).await else {
        return;
    };
    // 면접
    let hits = app
        .get_json("/api/search?q=%EB%A9%B4%EC%A0%91", &me.access)
        .await;
    let items = hits["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(items.iter().all(|h| h["room_id"] == id.as_str()), "{hits}");
    assert!(
        items
            .iter()
            .any(|h| h["message"]["content"] == "기술면접은 어떻게 준비하나요?")
    );
}

async fn searching_a_whole_korean_word_finds_the_one_message_that_has_it(backend: Backend) {
    let Some((app, me, _id)) = two_members_who_wrote_about_interviews(backend).await else {
        return;
    };
    // 기술면접은
    let exact = app
        .get_json(
            "/api/search?q=%EA%B8%B0%EC%88%A0%EB%A9%B4%EC%A0%91%EC%9D%80",
            &me.access,
        )
        .await;
    let mine: Vec<&Value> = exact["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|h| h["message"]["role"] == "user")
        .collect();
    assert_eq!(mine.len(), 1, "{exact}");
}

async fn a_percent_sign_in_a_search_matches_only_itself(backend: Backend) {
    let Some((app, me, _id)) = two_members_who_wrote_about_interviews(backend).await else {
        return;
    };
    let none = app.get_json("/api/search?q=100%25", &me.access).await;
    assert_eq!(
        none["items"].as_array().expect("items").len(),
        0,
        "% is literal"
    );
}

async fn search_needs_a_query_and_a_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("searcher").await;
    assert_eq!(
        app.get("/api/search?q=", Some(&me.access)).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/search", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A naming room with one exchange: (app, me, room).
async fn a_room_to_export(backend: Backend) -> Option<(TestApp, Tokens, String)> {
    let app = spawn_app(backend).await?;
    let me = app.member("exporter").await;
    let id = app
        .create_room(&me.access, "naming", json!({"language": "rust"}))
        .await;
    assert_eq!(
        app.send(&me.access, &id, "name a function that reads a config file")
            .await
            .status(),
        StatusCode::OK
    );
    Some((app, me, id))
}

async fn exporting_as_markdown_gives_an_attachment_titled_by_the_first_message(backend: Backend) {
    let Some((app, me, id)) = a_room_to_export(backend).await else {
        return;
    };
    let res = app
        .get(
            &format!("/api/rooms/{id}/export?format=md"),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/markdown")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("attachment")
    );
    let md = res.text().await.expect("md");
    assert!(
        md.starts_with("# name a function") && md.contains("## You") && md.contains("## Assistant"),
        "{md}"
    );
}

async fn exporting_as_json_gives_the_room_and_its_messages(backend: Backend) {
    let Some((app, me, id)) = a_room_to_export(backend).await else {
        return;
    };
    let json = app
        .get_json(&format!("/api/rooms/{id}/export?format=json"), &me.access)
        .await;
    assert_eq!(json["room"]["id"], id.as_str());
    assert_eq!(json["messages"].as_array().expect("messages").len(), 2);
}

async fn an_unknown_export_format_is_a_400_on_format(backend: Backend) {
    let Some((app, me, id)) = a_room_to_export(backend).await else {
        return;
    };
    let res = app
        .get(
            &format!("/api/rooms/{id}/export?format=pdf"),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["format"].is_string());
}

async fn messages_page_backwards_in_chronological_order(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.set_quota_limit("chat", 0)).await else {
        return;
    };
    let me = app.member("pager").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    for i in 0..6 {
        assert_eq!(
            app.send(&me.access, &id, &format!("question {i}"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let first: Value = app
        .get_json(&format!("/api/rooms/{id}/messages?limit=5"), &me.access)
        .await;
    let items = first["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    assert_eq!(items[4]["role"], "assistant", "newest last within the page");
    assert_eq!(items[3]["content"], "question 5");
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let older: Value = app
        .get_json(
            &format!("/api/rooms/{id}/messages?limit=5&cursor={cursor}"),
            &me.access,
        )
        .await;
    let older_items = older["items"].as_array().expect("items");
    assert_eq!(older_items.len(), 5);
    assert_eq!(older_items[0]["content"], "question 1");
    let ids: Vec<&str> = older_items
        .iter()
        .chain(items.iter())
        .filter_map(|m| m["id"].as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "chronological across pages");
}

async fn an_unlimited_chat_quota_still_counts_use(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.set_quota_limit("chat", 0)).await else {
        return;
    };
    let me = app.member("unlimited").await;
    let id = app
        .create_room(&me.access, "tech-interview", json!(null))
        .await;
    for i in 0..6 {
        assert_eq!(
            app.send(&me.access, &id, &format!("question {i}"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        6,
        "unlimited still counts use"
    );
}

/// A server with a chat limit of 2 a day and a member: (app, member).
async fn chat_limit_of_two(backend: Backend) -> Option<(TestApp, Tokens)> {
    let app = spawn_app_with(backend, |c| c.set_quota_limit("chat", 2)).await?;
    let me = app.member("counter").await;
    Some((app, me))
}

/// Sends two messages to a new room, using up a limit of 2; returns the room. (A room of
/// an assistant that answers offline: the offline `general` reply that only says no model
/// is connected costs nothing.)
async fn use_up_two_sends(app: &TestApp, token: &str) -> String {
    let id = app.create_room(token, "tech-interview", json!(null)).await;
    for content in ["one", "two"] {
        assert_eq!(app.send(token, &id, content).await.status(), StatusCode::OK);
    }
    id
}

async fn the_quota_endpoint_lists_every_scope_with_limit_used_and_remaining(backend: Backend) {
    let Some((app, me)) = chat_limit_of_two(backend).await else {
        return;
    };
    let quota = app.get_json("/api/me/quota", &me.access).await;
    assert_eq!(quota["timezone"], app.quota_timezone.as_str());
    let scopes: Vec<&str> = quota["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .filter_map(|s| s["scope"].as_str())
        .collect();
    assert_eq!(scopes, ["chat", "interview", "tarot", "travel"]);
    let chat = &quota["scopes"][0];
    assert_eq!(
        (
            chat["limit"].as_i64(),
            chat["used"].as_i64(),
            chat["remaining"].as_i64()
        ),
        (Some(2), Some(0), Some(2))
    );
}

async fn the_quota_resets_at_the_next_midnight_in_seoul(backend: Backend) {
    // Seoul is the default zone; the tests' configuration counts elsewhere.
    let Some(app) = spawn_app_with(backend, |c| c.quota_timezone = "Asia/Seoul".into()).await
    else {
        return;
    };
    let me = app.member("counter").await;
    let quota = app.get_json("/api/me/quota", &me.access).await;
    let resets_at = time::OffsetDateTime::parse(
        quota["scopes"][0]["resets_at"].as_str().expect("resets_at"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("rfc3339");
    let seoul = resets_at.to_offset(time::UtcOffset::from_hms(9, 0, 0).expect("offset"));
    assert_eq!(
        (seoul.hour(), seoul.minute(), seoul.second()),
        (0, 0, 0),
        "resets at midnight in Seoul"
    );
    assert!(resets_at > time::OffsetDateTime::now_utc());
}

async fn each_send_tells_the_limit_the_remaining_sends_and_the_reset(backend: Backend) {
    let Some((app, me)) = chat_limit_of_two(backend).await else {
        return;
    };
    let id = app
        .create_room(&me.access, "tech-interview", json!(null))
        .await;
    let res = app.send(&me.access, &id, "one").await;
    assert_eq!(res.headers()["ratelimit-limit"], "2");
    assert_eq!(res.headers()["ratelimit-remaining"], "1");
    let reset: i64 = res.headers()["ratelimit-reset"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((0..=86_400).contains(&reset));
    assert_eq!(
        app.send(&me.access, &id, "two").await.headers()["ratelimit-remaining"],
        "0"
    );
}

async fn a_send_over_the_limit_is_a_429_with_retry_after_and_the_rate_limit_headers(
    backend: Backend,
) {
    let Some((app, me)) = chat_limit_of_two(backend).await else {
        return;
    };
    let id = use_up_two_sends(&app, &me.access).await;
    let res = app.send(&me.access, &id, "three").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=86_400).contains(&retry));
    // The refusal carries the rate-limit headers too, so a client needs no second request.
    assert_eq!(res.headers()["ratelimit-limit"], "2");
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    assert!(res.headers().contains_key("ratelimit-reset"));
}

async fn the_429_body_names_the_scope_its_limit_and_when_it_resets(backend: Backend) {
    let Some((app, me)) = chat_limit_of_two(backend).await else {
        return;
    };
    let id = use_up_two_sends(&app, &me.access).await;
    let res = app.send(&me.access, &id, "three").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = body_json(res).await;
    assert_eq!(body["error"]["code"], "quota_exceeded");
    assert_eq!(body["error"]["scope"], "chat");
    assert_eq!(body["error"]["limit"], 2);
    assert!(body["error"]["resets_at"].is_string() && body["error"]["message"].is_string());
}

async fn a_refused_send_stores_nothing(backend: Backend) {
    let Some((app, me)) = chat_limit_of_two(backend).await else {
        return;
    };
    let id = use_up_two_sends(&app, &me.access).await;
    assert_eq!(
        app.send(&me.access, &id, "three").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.room_messages(&me.access, &id).await.len(),
        4,
        "a refused send stores nothing"
    );
}

async fn a_per_user_override_raises_the_limit(backend: Backend) {
    let Some((app, me)) = chat_limit_of_two(backend).await else {
        return;
    };
    let id = use_up_two_sends(&app, &me.access).await;
    assert_eq!(
        app.send(&me.access, &id, "three").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let user_id = uuid::Uuid::parse_str(&me.user_id).expect("uuid");
    confab::quota::repo::set_override(&app.db, user_id, "chat", Some(3))
        .await
        .expect("override");
    assert_eq!(
        app.send(&me.access, &id, "three again").await.status(),
        StatusCode::OK,
        "override raises the limit"
    );
    let quota = app.get_json("/api/me/quota", &me.access).await;
    assert_eq!(quota["scopes"][0]["limit"], 3);
    assert_eq!(quota["scopes"][0]["remaining"], 0);
}

async fn the_gemini_provider_works_plain_and_streamed(backend: Backend) {
    let fake = FakeUpstream::start(Behavior {
        reply: "Gemini says hello.".into(),
        ..Behavior::default()
    })
    .await;
    let base = fake.gemini_base();
    let Some(app) = spawn_app_with_gemini(backend, base).await else {
        return;
    };
    let me: Tokens = app.member("gem").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send(&me.access, &id, "hi").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert_eq!(body["assistant_message"]["content"], "Gemini says hello.");
    assert_eq!(fake.last_auth().as_deref(), Some("gemini-test-key"));
    let sent = fake.last_request().expect("request");
    assert!(sent["systemInstruction"]["parts"][0]["text"].is_string());
    assert_eq!(
        sent["contents"]
            .as_array()
            .expect("contents")
            .last()
            .expect("last")["parts"][0]["text"],
        "hi"
    );
    let events = read_events(app.send_streamed(&me.access, &id, "stream").await, 100).await;
    let text: String = events
        .iter()
        .filter(|e| e.0 == "delta")
        .filter_map(|e| e.1["text"].as_str())
        .collect();
    assert_eq!(text, "Gemini says hello.");
    assert_eq!(events.last().map(|e| e.0.as_str()), Some("done"));
}

// On SQLite, pages and callers are cached in memory. In the tests below every read that
// must see a change follows a read of the same page (or a request by the same caller) from
// before the change, so a stale cache would show.

/// A server with no chat limit, for the cache tests.
async fn unlimited_chat(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |c| c.set_quota_limit("chat", 0)).await
}

fn room_count(list: &Value) -> usize {
    list["items"].as_array().expect("items").len()
}

/// A room with one exchange (its title comes from "how do caches go stale?").
async fn a_room_with_one_exchange(app: &TestApp, token: &str) -> String {
    let id = app.create_room(token, "general", json!(null)).await;
    assert_eq!(
        app.send(token, &id, "how do caches go stale?")
            .await
            .status(),
        StatusCode::OK
    );
    id
}

async fn created_rooms_show_in_a_room_list_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    for _ in 0..2 {
        assert_eq!(room_count(&app.get_json("/api/rooms", &me.access).await), 0);
    }
    let _first = app.create_room(&me.access, "general", json!(null)).await;
    let second = app.create_room(&me.access, "general", json!(null)).await;
    let list = app.get_json("/api/rooms", &me.access).await;
    assert_eq!(room_count(&list), 2, "a created room shows at once");
    assert_eq!(list["items"][0]["id"], second.as_str());
}

async fn a_send_reorders_a_room_list_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let first = app.create_room(&me.access, "general", json!(null)).await;
    let second = app.create_room(&me.access, "general", json!(null)).await;
    let list = app.get_json("/api/rooms", &me.access).await;
    assert_eq!(list["items"][0]["id"], second.as_str());
    assert_eq!(
        app.send(&me.access, &first, "how do caches go stale?")
            .await
            .status(),
        StatusCode::OK
    );
    let list = app.get_json("/api/rooms", &me.access).await;
    assert_eq!(
        list["items"][0]["id"],
        first.as_str(),
        "activity reorders the list"
    );
    assert!(list["items"][0]["preview"].is_string(), "{list}");
}

async fn a_send_shows_in_a_message_page_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let page = format!("/api/rooms/{id}/messages");
    assert_eq!(app.get_json(&page, &me.access).await["items"], json!([]));
    assert_eq!(
        app.send(&me.access, &id, "how do caches go stale?")
            .await
            .status(),
        StatusCode::OK
    );
    let messages = app.get_json(&page, &me.access).await;
    assert_eq!(messages["items"].as_array().expect("items").len(), 2);
    assert_eq!(
        app.get_json(&page, &me.access).await,
        messages,
        "a second read is the same"
    );
}

async fn someone_else_reading_a_cached_uri_gets_their_own_answer(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let other = app.member("peeker").await;
    let id = a_room_with_one_exchange(&app, &me.access).await;
    let page = format!("/api/rooms/{id}/messages");
    app.get_json(&page, &me.access).await;
    assert_eq!(room_count(&app.get_json("/api/rooms", &me.access).await), 1);
    assert_eq!(
        app.get(&page, Some(&other.access)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        room_count(&app.get_json("/api/rooms", &other.access).await),
        0
    );
}

async fn a_rename_shows_in_a_room_list_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let id = a_room_with_one_exchange(&app, &me.access).await;
    app.get_json("/api/rooms", &me.access).await;
    let res = app
        .patch_json(
            &format!("/api/rooms/{id}"),
            json!({"title": "Renamed"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get_json("/api/rooms", &me.access).await["items"][0]["title"],
        "Renamed"
    );
}

async fn a_message_changed_elsewhere_shows_in_a_page_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let id = a_room_with_one_exchange(&app, &me.access).await;
    let page = format!("/api/rooms/{id}/messages");
    app.get_json(&page, &me.access).await;
    assert_eq!(
        app.execute_elsewhere(
            "UPDATE messages SET content = 'changed elsewhere' WHERE role = 'user'"
        )
        .await,
        1
    );
    assert_eq!(
        app.get_json(&page, &me.access).await["items"][0]["content"],
        "changed elsewhere"
    );
}

async fn a_room_renamed_elsewhere_shows_in_a_room_list_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let id = a_room_with_one_exchange(&app, &me.access).await;
    let res = app
        .patch_json(
            &format!("/api/rooms/{id}"),
            json!({"title": "Renamed"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.get_json("/api/rooms", &me.access).await;
    assert_eq!(
        app.execute_elsewhere(
            "UPDATE rooms SET title = 'Titled elsewhere' WHERE title = 'Renamed'"
        )
        .await,
        1
    );
    assert_eq!(
        app.get_json("/api/rooms", &me.access).await["items"][0]["title"],
        "Titled elsewhere"
    );
}

async fn a_message_deleted_elsewhere_leaves_a_page_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let id = a_room_with_one_exchange(&app, &me.access).await;
    let page = format!("/api/rooms/{id}/messages");
    app.get_json(&page, &me.access).await;
    assert_eq!(
        app.execute_elsewhere("DELETE FROM messages WHERE role = 'assistant'")
            .await,
        1
    );
    assert_eq!(
        app.get_json(&page, &me.access).await["items"]
            .as_array()
            .expect("items")
            .len(),
        1
    );
}

async fn a_deleted_room_leaves_its_page_and_the_room_list_read_before(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    let first = a_room_with_one_exchange(&app, &me.access).await;
    let _second = app.create_room(&me.access, "general", json!(null)).await;
    let page = format!("/api/rooms/{first}/messages");
    app.get_json(&page, &me.access).await;
    assert_eq!(room_count(&app.get_json("/api/rooms", &me.access).await), 2);
    let res = app.delete(&format!("/api/rooms/{first}"), &me.access).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&page, Some(&me.access)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(room_count(&app.get_json("/api/rooms", &me.access).await), 1);
}

// The caller is cached too: a role change shows at once, and a user deactivated or a
// session revoked elsewhere is refused on the very next request.

async fn a_role_changed_elsewhere_shows_at_once(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    assert_eq!(app.get_json("/api/me", &me.access).await["role"], "member");
    assert_eq!(
        app.execute_elsewhere("UPDATE users SET role = 'manager' WHERE username = 'cachey'")
            .await,
        1
    );
    assert_eq!(app.get_json("/api/me", &me.access).await["role"], "manager");
}

async fn a_user_deactivated_elsewhere_is_refused_on_the_next_request(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let other = app.member("peeker").await;
    app.get_json("/api/rooms", &other.access).await;
    assert_eq!(
        app.execute_elsewhere("UPDATE users SET is_active = FALSE WHERE username = 'peeker'")
            .await,
        1
    );
    assert_eq!(
        app.get("/api/rooms", Some(&other.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_session_revoked_elsewhere_is_refused_on_the_next_request(backend: Backend) {
    let Some(app) = unlimited_chat(backend).await else {
        return;
    };
    let me = app.member("cachey").await;
    app.get_json("/api/rooms", &me.access).await;
    assert_eq!(
        app.execute_elsewhere(
            "UPDATE sessions SET revoked_at = created_at WHERE revoked_at IS NULL \
             AND user_id IN (SELECT id FROM users WHERE username = 'cachey')"
        )
        .await,
        1
    );
    assert_eq!(
        app.get("/api/rooms", Some(&me.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Reads racing writes may see any state in between, but once the writes are done the next
/// read must show all of them: no page cached mid-race may outlive the race.
async fn pages_read_while_messages_are_sent_end_up_with_every_message(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.set_quota_limit("chat", 0)).await else {
        return;
    };
    let app = Arc::new(app);
    let me = app.member("racer").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let page = format!("/api/rooms/{id}/messages?limit=200");
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (app, token, id, page) = (app.clone(), me.access.clone(), id.clone(), page.clone());
        tasks.push(tokio::spawn(async move {
            let res = app.send(&token, &id, &format!("race {i}")).await;
            assert_eq!(res.status(), StatusCode::OK);
            for _ in 0..3 {
                app.get_json(&page, &token).await;
                app.get_json("/api/rooms", &token).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let messages = app.get_json(&page, &me.access).await;
    assert_eq!(messages["items"].as_array().expect("items").len(), 40);
    // A query parameter the server ignores makes a URI never read before: built afresh.
    assert_eq!(
        messages,
        app.get_json(&format!("{page}&fresh=1"), &me.access).await
    );
    assert_eq!(
        app.get_json("/api/rooms", &me.access).await,
        app.get_json("/api/rooms?fresh=1", &me.access).await
    );
}

async fn an_untitled_room_has_a_null_title_until_its_first_message_names_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("untitled").await;
    let id = app.create_room(&me.access, "general", json!({})).await;
    let body: Value = app.get_json(&format!("/api/rooms/{id}"), &me.access).await;
    assert!(body["title"].is_null(), "{body}");
    let list: Value = app.get_json("/api/rooms", &me.access).await;
    assert!(list["items"][0]["title"].is_null(), "{list}");

    // A first message of nothing but Markdown marks leaves it untitled; a real one names it.
    assert_eq!(
        app.send(&me.access, &id, "###").await.status(),
        StatusCode::OK
    );
    let body: Value = app.get_json(&format!("/api/rooms/{id}"), &me.access).await;
    assert!(body["title"].is_null(), "{body}");
    let other = app.create_room(&me.access, "general", json!({})).await;
    assert_eq!(
        app.send(&me.access, &other, "Rust 소유권 질문\n둘째 줄")
            .await
            .status(),
        StatusCode::OK
    );
    let body: Value = app
        .get_json(&format!("/api/rooms/{other}"), &me.access)
        .await;
    assert_eq!(body["title"], "Rust 소유권 질문");
}

async fn signup_errors_give_each_field_a_stable_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app
        .post_json(
            "/api/auth/signup",
            json!({"email": "not-an-address", "username": "x", "password": "12345678", "password2": "other"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = body_json(res).await;
    let codes = &body["error"]["field_codes"];
    assert_eq!(codes["email"], "invalid_email", "{body}");
    assert_eq!(codes["username"], "too_short", "{body}");
    assert_eq!(codes["password"], "entirely_numeric", "{body}");
    assert_eq!(codes["password2"], "mismatch", "{body}");
    assert!(body["error"]["fields"]["email"].is_string(), "{body}");
}

async fn create_room_errors_give_each_field_a_stable_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("codes").await;
    for (body, field, code) in [
        (
            json!({"assistant": "general", "title": "x".repeat(101)}),
            "title",
            "too_long",
        ),
        (json!({"assistant": "nobody"}), "assistant", "not_one_of"),
        (
            json!({"assistant": "general", "owner_id": "x"}),
            "owner_id",
            "unknown_field",
        ),
        (
            json!({"assistant": "naming"}),
            "settings.language",
            "required",
        ),
        (json!({"title": "t"}), "assistant", "required"),
    ] {
        let res = app
            .post_json("/api/rooms", body.clone(), Some(&me.access))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let got = body_json(res).await;
        assert_eq!(got["error"]["field_codes"][field], code, "{body} → {got}");
    }
}

async fn query_string_errors_give_each_parameter_a_stable_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("codes").await;
    let res = app.get("/api/rooms?limit=0", Some(&me.access)).await;
    let got = body_json(res).await;
    assert_eq!(
        got["error"]["field_codes"]["limit"], "out_of_range",
        "{got}"
    );
    let res = app.get("/api/search?q=", Some(&me.access)).await;
    let got = body_json(res).await;
    assert_eq!(got["error"]["field_codes"]["q"], "required", "{got}");
}
