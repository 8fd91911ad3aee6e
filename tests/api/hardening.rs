//! Bounded resources and safe defaults: connection and read limits, token responses that
//! are never cached, the metrics token, HSTS, and the absolute session age.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::chat::read_events;
use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{
    Backend, PASSWORD, TestApp, Tokens, spawn_app, spawn_app_with, spawn_app_with_gemini,
    spawn_app_with_openai,
};
use crate::on_both_backends;

on_both_backends!(
    a_half_sent_request_is_disconnected_after_the_header_timeout,
    a_stalled_request_body_is_cut_off_after_the_body_timeout,
    connections_past_the_cap_wait_until_one_closes,
    token_responses_are_never_stored,
    metrics_need_the_metrics_token_when_one_is_set,
    https_deployments_send_hsts,
    a_session_ends_at_its_absolute_maximum_age_however_it_is_refreshed,
    an_openai_stream_that_ends_without_done_is_incomplete_with_an_error_event,
    a_gemini_stream_that_ends_without_a_finish_reason_is_incomplete,
    an_answer_past_the_size_cap_is_stopped_and_kept_incomplete,
    a_send_racing_the_deletion_of_its_room_is_404_never_500,
    a_plain_send_whose_client_leaves_is_still_answered_and_stored,
    forty_parallel_answers_to_one_question_make_one_model_call_and_39_conflicts,
    twenty_parallel_finishes_make_one_model_call_and_agree,
);

/// A member with an interview session of two questions, on a server whose model is the
/// fake upstream (its replies are not the JSON the interview asks for, so every grade falls
/// back to the key points; what counts here is how many calls were made).
async fn interview_with_model(
    backend: Backend,
) -> Option<(FakeUpstream, TestApp, Tokens, serde_json::Value)> {
    let fake = FakeUpstream::start(Behavior::default()).await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await?;
    let me = app.member("candidate").await;
    let session = app
        .start_interview(
            &me.access,
            json!({"field": "backend", "career": "junior", "count": 2}),
        )
        .await;
    Some((fake, app, me, session))
}

async fn forty_parallel_answers_to_one_question_make_one_model_call_and_39_conflicts(
    backend: Backend,
) {
    let Some((fake, app, me, session)) = interview_with_model(backend).await else {
        return;
    };
    let id = session["id"].as_str().expect("id");
    let question = session["questions"][0]["id"].as_str().expect("question id");
    let calls_before = fake.calls();
    let texts: Vec<String> = (0..40)
        .map(|i| format!("answer number {i} about HTTP"))
        .collect();
    let answers = texts
        .iter()
        .map(|text| app.answer_question(&me.access, id, question, text));
    let statuses: Vec<StatusCode> = futures::future::join_all(answers)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, conflicts), (1, 39), "{statuses:?}");
    assert_eq!(
        fake.calls() - calls_before,
        1,
        "one grading call for one question"
    );
}

async fn twenty_parallel_finishes_make_one_model_call_and_agree(backend: Backend) {
    let Some((fake, app, me, session)) = interview_with_model(backend).await else {
        return;
    };
    let id = session["id"].as_str().expect("id");
    let question = session["questions"][0]["id"].as_str().expect("question id");
    let res = app
        .answer_question(&me.access, id, question, "GET is safe and idempotent")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let calls_before = fake.calls();
    let finishes = (0..20).map(|_| app.finish_interview(&me.access, id));
    let results = futures::future::join_all(finishes).await;
    let mut scores = Vec::new();
    for res in results {
        assert_eq!(res.status(), StatusCode::OK);
        let body: serde_json::Value = res.json().await.expect("json");
        scores.push(body["score"].clone());
    }
    assert!(scores.windows(2).all(|w| w[0] == w[1]), "{scores:?}");
    assert_eq!(
        fake.calls() - calls_before,
        1,
        "one complement call for one session"
    );
}

async fn with_upstream(
    backend: Backend,
    behavior: Behavior,
    adjust: impl FnOnce(&mut confab::config::Config),
) -> Option<(FakeUpstream, TestApp, Tokens, String)> {
    let fake = FakeUpstream::start(behavior).await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), adjust).await?;
    let me = app.member("streamer").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    Some((fake, app, me, room))
}

async fn an_openai_stream_that_ends_without_done_is_incomplete_with_an_error_event(
    backend: Backend,
) {
    let behavior = Behavior {
        reply: "one two three four".into(),
        fault: Fault::EndWithoutMarker(2),
        ..Behavior::default()
    };
    let Some((_fake, app, me, room)) = with_upstream(backend, behavior, |_| {}).await else {
        return;
    };
    let events = read_events(app.send_streamed(&me.access, &room, "go").await, 100).await;
    let last = events.last().expect("events");
    assert_eq!(last.0, "error", "{events:?}");
    let messages = app.room_messages(&me.access, &room).await;
    let answer = messages.last().expect("answer");
    assert_eq!(answer["status"], "incomplete", "{answer}");
    let content = answer["content"].as_str().expect("content");
    assert!(
        content.starts_with("one two") && !content.contains("three"),
        "{answer}"
    );
    // Without a stream, too.
    let res = app.send(&me.access, &room, "again").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["assistant_message"]["status"], "incomplete");
}

async fn a_gemini_stream_that_ends_without_a_finish_reason_is_incomplete(backend: Backend) {
    let fake = FakeUpstream::start(Behavior {
        reply: "one two three four".into(),
        fault: Fault::EndWithoutMarker(3),
        ..Behavior::default()
    })
    .await;
    let base = fake.gemini_base();
    let Some(app) = spawn_app_with_gemini(backend, base).await else {
        return;
    };
    let me = app.member("gem").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let events = read_events(app.send_streamed(&me.access, &room, "go").await, 100).await;
    assert_eq!(events.last().expect("events").0, "error", "{events:?}");
    let messages = app.room_messages(&me.access, &room).await;
    assert_eq!(messages.last().expect("answer")["status"], "incomplete");
}

async fn an_answer_past_the_size_cap_is_stopped_and_kept_incomplete(backend: Backend) {
    let reply: String = (0..3000).map(|i| format!("word{i} ")).collect();
    // Paced, so the upstream is still sending when the cap is reached (an unpaced reply
    // can be wholly written before confab stops reading, and then nothing is cancelled).
    let behavior = Behavior {
        reply,
        token_delay: Duration::from_millis(2),
        ..Behavior::default()
    };
    let Some((fake, app, me, room)) =
        with_upstream(backend, behavior, |c| c.llm_max_answer_bytes = 2048).await
    else {
        return;
    };
    let res = app.send(&me.access, &room, "a long one").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    let answer = &body["assistant_message"];
    assert_eq!(answer["status"], "incomplete");
    let content = answer["content"].as_str().expect("content");
    assert!(
        content.len() <= 2048 && content.len() > 2000,
        "{}",
        content.len()
    );
    let events = read_events(app.send_streamed(&me.access, &room, "again").await, 10_000).await;
    let last = events.last().expect("events");
    assert_eq!(
        (last.0.as_str(), &last.1["code"]),
        ("error", &json!("answer_too_long"))
    );
    let streamed: usize = events
        .iter()
        .filter(|e| e.0 == "delta")
        .map(|e| e.1["text"].as_str().map_or(0, str::len))
        .sum();
    assert!(streamed <= 2048, "{streamed}");
    // Both upstream calls were dropped at the cap, not read to their end.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while fake.cancelled_streams() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the upstream was not cancelled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_send_racing_the_deletion_of_its_room_is_404_never_500(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |c| c.set_quota_limit("chat", 0)).await else {
        return;
    };
    let me = app.member("racer").await;
    for _ in 0..15 {
        let room = app.create_room(&me.access, "general", json!(null)).await;
        let path = format!("/api/rooms/{room}");
        let (sent, deleted) = tokio::join!(
            app.send(&me.access, &room, "hello"),
            app.request(reqwest::Method::DELETE, &path, Some(&me.access), None),
        );
        assert!(
            matches!(sent.status(), StatusCode::OK | StatusCode::NOT_FOUND),
            "send: {}",
            sent.status()
        );
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
}

async fn a_plain_send_whose_client_leaves_is_still_answered_and_stored(backend: Backend) {
    let behavior = Behavior {
        reply: "a patient answer".into(),
        latency: Duration::from_millis(600),
        ..Behavior::default()
    };
    let Some((fake, app, me, room)) = with_upstream(backend, behavior, |_| {}).await else {
        return;
    };
    // The client leaves once the server has asked the model (not before the server has even
    // read the request, which a fixed client timeout could do on a busy machine).
    let client = app.client.clone();
    let url = app.url(&format!("/api/rooms/{room}/messages"));
    let token = me.access.clone();
    let request = tokio::spawn(async move {
        client
            .post(url)
            .bearer_auth(token)
            .json(&json!({"content": "take your time"}))
            .send()
            .await
    });
    let asked = std::time::Instant::now() + Duration::from_secs(10);
    while fake.calls() == 0 {
        assert!(
            std::time::Instant::now() < asked,
            "the model was never asked"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    request.abort();
    assert!(
        request.await.is_err_and(|e| e.is_cancelled()),
        "the client gave up before the answer"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let messages = app.room_messages(&me.access, &room).await;
        if let Some(answer) = messages.get(1).filter(|m| m["status"] != "streaming") {
            assert_eq!(answer["status"], "complete");
            assert_eq!(answer["content"], "a patient answer");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the answer was never stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.quota_used(&me.access, "chat").await, 1);
}

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

#[tokio::test]
async fn a_connection_that_never_sends_a_byte_is_closed_after_the_header_timeout() {
    let Some(app) = spawn_app_with(Backend::Sqlite, |c| c.header_read_timeout_secs = 1).await
    else {
        return;
    };
    let mut idle = TcpStream::connect(address(&app)).await.expect("connect");
    let sent = tokio::time::timeout(Duration::from_secs(10), read_until_closed(&mut idle))
        .await
        .expect("the server closes a connection that sends nothing");
    assert!(
        sent.is_empty(),
        "nothing is sent to a connection that asked nothing"
    );
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}

/// HTTP/2 without TLS (prior knowledge) is told from HTTP/1.1 by the connection's first
/// bytes, also when they come in pieces.
#[tokio::test]
async fn http2_with_prior_knowledge_is_served_even_when_its_preface_comes_in_pieces() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .expect("client");
    let res = h2.get(app.url("/healthz")).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    let mut raw = TcpStream::connect(address(&app)).await.expect("connect");
    raw.write_all(b"PRI * HTTP/2.0\r\n")
        .await
        .expect("part of the preface");
    tokio::time::sleep(Duration::from_millis(100)).await;
    raw.write_all(b"\r\nSM\r\n\r\n").await.expect("the rest");
    // An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
    raw.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0])
        .await
        .expect("settings");
    let mut frame = [0_u8; 9];
    tokio::time::timeout(Duration::from_secs(5), raw.read_exact(&mut frame))
        .await
        .expect("the server answers")
        .expect("a frame head");
    assert_eq!(
        frame[3], 4,
        "the server's first frame is its SETTINGS: {frame:?}"
    );
    // And a request that starts like the preface ("P…") is still HTTP/1.1.
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "nobody@example.com", "password": "wrong-password-1"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.version(), reqwest::Version::HTTP_11);
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
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
    let mut third = tokio::spawn({
        let url = app.url("/healthz");
        let client = reqwest::Client::new();
        async move { client.get(url).send().await.map(|r| r.status()) }
    });
    let waiting = tokio::time::timeout(Duration::from_millis(700), &mut third).await;
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
