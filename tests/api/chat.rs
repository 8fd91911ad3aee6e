//! Assistants, rooms, messages (plain and streamed), quota, search and export, against the
//! offline assistant and a fake upstream over real HTTP.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{Backend, Tokens, error_of, spawn_app, spawn_app_with, spawn_app_with_openai};
use crate::on_both_backends;

on_both_backends!(
    rooms_are_created_validated_listed_renamed_and_deleted,
    an_untitled_room_has_a_null_title_until_its_first_message_names_it,
    validation_errors_name_each_field_with_a_stable_code,
    the_offline_assistant_answers_every_assistant_type_with_no_configuration,
    two_hundred_concurrent_sends_with_limit_five_let_exactly_five_through,
    upstream_errors_become_502_or_504_and_cost_no_quota,
    retries_happen_only_before_the_first_token_and_never_on_client_errors,
    streaming_sends_user_message_deltas_and_done,
    a_stall_or_disconnect_mid_stream_keeps_the_partial_answer_as_incomplete,
    a_client_leaving_mid_stream_cancels_the_upstream_call_within_a_second,
    hostile_model_output_is_sanitised_in_html,
    every_room_route_with_another_users_token_is_404_and_changes_nothing,
    search_finds_korean_substrings_in_your_own_messages_only,
    export_gives_markdown_and_json,
    messages_page_backwards_in_chronological_order,
    the_quota_endpoint_headers_and_429_body_tell_the_truth,
    the_gemini_provider_works_plain_and_streamed,
    pages_read_again_show_every_change_made_by_the_server_or_from_outside,
    pages_read_while_messages_are_sent_end_up_with_every_message,
);

/// Reads an SSE response into (event, data) pairs; stops after `max` events.
async fn read_events(res: reqwest::Response, max: usize) -> Vec<(String, Value)> {
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

async fn rooms_are_created_validated_listed_renamed_and_deleted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("roomer").await;
    let assistants: Value = app
        .get("/api/assistants", None)
        .await
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = assistants
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, ["general", "tech-interview", "naming", "travel"]);

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
    let naming = app
        .create_room(
            &me.access,
            "naming",
            json!({"language": "Python", "convention": "snake_case"}),
        )
        .await;
    let general = app.create_room(&me.access, "general", json!(null)).await;
    let res = app
        .send(&me.access, &naming, "두 수를 곱하는 함수 이름 추천해줘")
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let list: Value = app.get_json("/api/rooms", &me.access).await;
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

    let page: Value = app.get_json("/api/rooms?limit=1", &me.access).await;
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let next: Value = app
        .get_json(&format!("/api/rooms?limit=1&cursor={cursor}"), &me.access)
        .await;
    assert_eq!(next["items"][0]["id"], general.as_str());
    assert!(next["next_cursor"].is_null());
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

    let res = app
        .patch_json(
            &format!("/api/rooms/{general}"),
            json!({"title": "면접 준비"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.expect("json")["title"],
        "면접 준비"
    );
    let res = app
        .delete(&format!("/api/rooms/{general}"), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/rooms/{general}"), Some(&me.access))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/rooms/not-a-uuid", Some(&me.access))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    for bad in [
        json!({"content": "   "}),
        json!({"content": "x".repeat(10_001)}),
        json!({}),
    ] {
        let res = app
            .post_json(
                &format!("/api/rooms/{naming}/messages"),
                bad,
                Some(&me.access),
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(error_of(res).await.1["content"].is_string());
    }
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        1,
        "bad input costs nothing"
    );
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

async fn upstream_errors_become_502_or_504_and_cost_no_quota(backend: Backend) {
    let fake = FakeUpstream::start(Behavior {
        fault: Fault::Status(500),
        ..Behavior::default()
    })
    .await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("unlucky").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send(&me.access, &id, "hello").await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let text = res.text().await.expect("body");
    assert!(text.contains("upstream_error"), "{text}");
    assert!(
        !text.contains("sk-test") && !text.contains("127.0.0.1"),
        "secrets or URLs leaked: {text}"
    );
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);

    fake.set(Behavior {
        fault: Fault::HangBeforeHeaders,
        ..Behavior::default()
    });
    let started = Instant::now();
    let res = app.send(&me.access, &id, "hello again").await;
    assert_eq!(res.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);

    fake.set(Behavior {
        fault: Fault::MalformedChunk(0),
        ..Behavior::default()
    });
    assert_eq!(
        app.send(&me.access, &id, "and again").await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);

    let messages: Value = app
        .get_json(&format!("/api/rooms/{id}/messages"), &me.access)
        .await;
    let statuses: Vec<&str> = messages["items"]
        .as_array()
        .expect("items")
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
    fake.set(Behavior::default());
    assert_eq!(
        app.send(&me.access, &id, "works now").await.status(),
        StatusCode::OK
    );
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
}

async fn retries_happen_only_before_the_first_token_and_never_on_client_errors(backend: Backend) {
    let fake = FakeUpstream::start(Behavior {
        fault: Fault::FailFirst {
            times: 2,
            status: 503,
        },
        ..Behavior::default()
    })
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

    fake.set(Behavior {
        fault: Fault::Status(400),
        ..Behavior::default()
    });
    let before = fake.calls();
    assert_eq!(
        app.send(&me.access, &id, "two").await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(fake.calls() - before, 1, "no retry on 400");

    fake.set(Behavior {
        fault: Fault::Status(500),
        ..Behavior::default()
    });
    let before = fake.calls();
    assert_eq!(
        app.send(&me.access, &id, "three").await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(fake.calls() - before, 3, "at most two retries");

    fake.set(Behavior {
        fault: Fault::DisconnectAfter(2),
        reply: "one two three four".into(),
        token_delay: Duration::from_millis(20),
        ..Behavior::default()
    });
    let before = fake.calls();
    let events = read_events(app.send_streamed(&me.access, &id, "four").await, 10).await;
    assert_eq!(fake.calls() - before, 1, "no retry after the first token");
    assert_eq!(events.last().map(|e| e.0.as_str()), Some("error"));
}

async fn streaming_sends_user_message_deltas_and_done(backend: Backend) {
    let reply = "Streaming works **token** by token.";
    let fake = FakeUpstream::start(Behavior {
        reply: reply.into(),
        token_delay: Duration::from_millis(5),
        ..Behavior::default()
    })
    .await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("streamer").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send_streamed(&me.access, &id, "stream please").await;
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
    assert_eq!(deltas, reply);
    assert!(events.iter().filter(|e| e.0 == "delta").count() > 2);
    let done = events.last().expect("done");
    assert_eq!(done.0, "done");
    assert_eq!(done.1["message"]["content"], reply);
    assert!(
        done.1["message"]["html"]
            .as_str()
            .expect("html")
            .contains("<strong>token</strong>")
    );
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

async fn a_stall_or_disconnect_mid_stream_keeps_the_partial_answer_as_incomplete(backend: Backend) {
    let reply = "alpha beta gamma delta epsilon";
    let fake = FakeUpstream::start(Behavior {
        reply: reply.into(),
        fault: Fault::StallAfter(2),
        ..Behavior::default()
    })
    .await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("staller").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    for fault in [Fault::StallAfter(2), Fault::DisconnectAfter(2)] {
        // A token delay lets the response head reach us before the fault, as with a real upstream.
        fake.set(Behavior {
            reply: reply.into(),
            fault,
            token_delay: Duration::from_millis(20),
            ..Behavior::default()
        });
        let events = read_events(app.send_streamed(&me.access, &id, "go").await, 100).await;
        let last = events.last().expect("events");
        assert_eq!(last.0, "error", "{events:?}");
        assert!(last.1["code"].is_string() && last.1["message"].is_string());
        let messages: Value = app
            .get_json(&format!("/api/rooms/{id}/messages"), &me.access)
            .await;
        let answer = messages["items"]
            .as_array()
            .expect("items")
            .last()
            .expect("answer")
            .clone();
        assert_eq!(answer["status"], "incomplete");
        assert!(
            answer["content"]
                .as_str()
                .expect("content")
                .starts_with("alpha beta"),
            "{answer}"
        );
        assert!(
            !answer["content"]
                .as_str()
                .expect("content")
                .contains("gamma"),
            "{answer}"
        );
    }
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        2,
        "partial answers stay counted"
    );
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
}

async fn a_client_leaving_mid_stream_cancels_the_upstream_call_within_a_second(backend: Backend) {
    let reply: String = (0..50).map(|i| format!("t{i} ")).collect();
    let behavior = Behavior {
        reply,
        token_delay: Duration::from_millis(100),
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
    let events = read_events(res, 4).await;
    assert_eq!(events.iter().filter(|e| e.0 == "delta").count(), 3);
    let left = Instant::now();
    while fake.cancelled_streams() == 0 {
        assert!(
            left.elapsed() < Duration::from_secs(1),
            "upstream still streaming after the client left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let messages: Value = app
            .get_json(&format!("/api/rooms/{id}/messages"), &me.access)
            .await;
        let items = messages["items"].as_array().expect("items").clone();
        if items.len() == 2 {
            assert_eq!(items[1]["status"], "incomplete");
            assert!(
                items[1]["content"]
                    .as_str()
                    .expect("content")
                    .starts_with("t0 t1 t2")
            );
            break;
        }
        assert!(Instant::now() < deadline, "partial answer never stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    let messages: Value = app
        .get_json(&format!("/api/rooms/{id}/messages"), &owner.access)
        .await;
    assert_eq!(messages["items"].as_array().expect("items").len(), 2);
}

async fn search_finds_korean_substrings_in_your_own_messages_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
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

    let hits: Value = app
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
    let exact: Value = app
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
    let none: Value = app.get_json("/api/search?q=100%25", &me.access).await;
    assert_eq!(
        none["items"].as_array().expect("items").len(),
        0,
        "% is literal"
    );
    assert_eq!(
        app.get("/api/search?q=", Some(&me.access)).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/search", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn export_gives_markdown_and_json(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
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
    let json: Value = app
        .get_json(&format!("/api/rooms/{id}/export?format=json"), &me.access)
        .await;
    assert_eq!(json["room"]["id"], id.as_str());
    assert_eq!(json["messages"].as_array().expect("messages").len(), 2);
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
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        6,
        "unlimited still counts use"
    );
}

async fn the_quota_endpoint_headers_and_429_body_tell_the_truth(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.set_quota_limit("chat", 2)).await else {
        return;
    };
    let me = app.member("counter").await;
    let quota: Value = app.get_json("/api/me/quota", &me.access).await;
    assert_eq!(quota["timezone"], "Asia/Seoul");
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
    let resets_at = time::OffsetDateTime::parse(
        chat["resets_at"].as_str().expect("resets_at"),
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

    let id = app.create_room(&me.access, "general", json!(null)).await;
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
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "quota_exceeded");
    assert_eq!(body["error"]["scope"], "chat");
    assert_eq!(body["error"]["limit"], 2);
    assert!(body["error"]["resets_at"].is_string() && body["error"]["message"].is_string());
    let messages: Value = app
        .get_json(&format!("/api/rooms/{id}/messages"), &me.access)
        .await;
    assert_eq!(
        messages["items"].as_array().expect("items").len(),
        4,
        "a refused send stores nothing"
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
    let quota: Value = app.get_json("/api/me/quota", &me.access).await;
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
    let Some(app) = spawn_app_with(backend, |c| {
        c.llm_provider = "gemini".into();
        c.llm_base_url = Some(base);
        c.llm_api_key = Some(confab::config::Secret::new("gemini-test-key"));
        c.llm_model = Some("gemini-fake".into());
    })
    .await
    else {
        return;
    };
    let me: Tokens = app.member("gem").await;
    let id = app.create_room(&me.access, "general", json!(null)).await;
    let body: Value = app
        .send(&me.access, &id, "hi")
        .await
        .json()
        .await
        .expect("json");
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

/// On SQLite, pages and callers are cached in memory; every read here follows a read of
/// the same page, so a stale cache would show.
async fn pages_read_again_show_every_change_made_by_the_server_or_from_outside(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.set_quota_limit("chat", 0)).await else {
        return;
    };
    let me = app.member("cachey").await;
    let other = app.member("peeker").await;
    let rooms = |v: &Value| v["items"].as_array().expect("items").len();
    for _ in 0..2 {
        assert_eq!(rooms(&app.get_json("/api/rooms", &me.access).await), 0);
    }

    let first = app.create_room(&me.access, "general", json!(null)).await;
    let second = app.create_room(&me.access, "general", json!(null)).await;
    let list = app.get_json("/api/rooms", &me.access).await;
    assert_eq!(rooms(&list), 2, "a created room shows at once");
    assert_eq!(list["items"][0]["id"], second.as_str());

    let page = format!("/api/rooms/{first}/messages");
    assert_eq!(app.get_json(&page, &me.access).await["items"], json!([]));
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
    let messages = app.get_json(&page, &me.access).await;
    assert_eq!(messages["items"].as_array().expect("items").len(), 2);
    assert_eq!(
        app.get_json(&page, &me.access).await,
        messages,
        "a second read is the same"
    );

    // Someone else asking for the very same URI gets their own answer, not the cached one.
    assert_eq!(
        app.get(&page, Some(&other.access)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(rooms(&app.get_json("/api/rooms", &other.access).await), 0);

    let res = app
        .patch_json(
            &format!("/api/rooms/{first}"),
            json!({"title": "Renamed"}),
            &me.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get_json("/api/rooms", &me.access).await["items"][0]["title"],
        "Renamed"
    );

    // Changes made by another connection or process, each right after the page it
    // changes was read (and cached).
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

    let res = app.delete(&format!("/api/rooms/{first}"), &me.access).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&page, Some(&me.access)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(rooms(&app.get_json("/api/rooms", &me.access).await), 1);

    // The caller is cached too: a session revoked or a user deactivated elsewhere is
    // refused on the very next request, and a role change shows at once.
    assert_eq!(
        app.execute_elsewhere("UPDATE users SET role = 'manager' WHERE username = 'cachey'")
            .await,
        1
    );
    assert_eq!(app.get_json("/api/me", &me.access).await["role"], "manager");
    assert_eq!(
        app.execute_elsewhere("UPDATE users SET is_active = FALSE WHERE username = 'peeker'")
            .await,
        1
    );
    assert_eq!(
        app.get("/api/rooms", Some(&other.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
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

async fn validation_errors_name_each_field_with_a_stable_code(backend: Backend) {
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
    let body: Value = res.json().await.expect("json");
    let codes = &body["error"]["field_codes"];
    assert_eq!(codes["email"], "invalid_email", "{body}");
    assert_eq!(codes["username"], "too_short", "{body}");
    assert_eq!(codes["password"], "entirely_numeric", "{body}");
    assert_eq!(codes["password2"], "mismatch", "{body}");
    assert!(body["error"]["fields"]["email"].is_string(), "{body}");

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
        let got: Value = res.json().await.expect("json");
        assert_eq!(got["error"]["field_codes"][field], code, "{body} → {got}");
    }
    let res = app.get("/api/rooms?limit=0", Some(&me.access)).await;
    let got: Value = res.json().await.expect("json");
    assert_eq!(
        got["error"]["field_codes"]["limit"], "out_of_range",
        "{got}"
    );
    let res = app.get("/api/search?q=", Some(&me.access)).await;
    let got: Value = res.json().await.expect("json");
    assert_eq!(got["error"]["field_codes"]["q"], "required", "{got}");
}
