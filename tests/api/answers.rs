//! Answers that belong to the server: announced before their first delta, re-attached to
//! (replay, then live), stopped only explicitly, regenerated, and settled after a crash;
//! on PostgreSQL also followed and stopped from another instance.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::chat::read_events;
use crate::fake_upstream::{Behavior, FakeUpstream};
use crate::helpers::{
    Backend, TestApp, error_of, postgres_url, spawn_app_with_openai, start, test_config,
};
use crate::on_both_backends;
use confab::db::{Db, Stmt};

on_both_backends!(
    the_stream_announces_its_answer_before_the_first_delta,
    a_client_reattaching_gets_the_text_so_far_then_the_rest_and_the_stored_answer,
    two_clients_attached_to_one_answer_see_the_same_text,
    the_events_of_an_answer_that_ended_are_just_done,
    an_explicit_stop_cancels_the_upstream_within_a_second_and_keeps_the_partial_answer,
    a_stop_before_the_first_token_refunds_the_slot,
    stop_events_and_regenerate_of_another_users_answer_are_404,
    regenerate_replaces_the_last_answer_and_spends_a_slot,
    only_the_last_finished_answer_can_be_regenerated,
    answers_and_holds_left_by_a_crash_are_settled_at_start_up,
    deleting_a_room_stops_its_running_answer,
    a_burst_of_tiny_chunks_reaches_the_client_in_a_few_events,
    with_http2_always_answers_share_one_h2c_connection_to_the_upstream,
    a_finished_answer_gives_its_http1_connection_back_when_the_body_ends_late,
);

fn slow(words: usize, delay_ms: u64) -> (String, Behavior) {
    let reply: String = (0..words).map(|i| format!("w{i} ")).collect();
    let behavior = Behavior {
        reply: reply.clone(),
        token_delay: Duration::from_millis(delay_ms),
        ..Behavior::default()
    };
    (reply, behavior)
}

async fn app_with(backend: Backend, behavior: Behavior) -> Option<(TestApp, FakeUpstream)> {
    let fake = FakeUpstream::start(behavior).await;
    let app =
        spawn_app_with_openai(backend, fake.openai_base(), |c| c.llm_timeout_secs = 10).await?;
    Some((app, fake))
}

fn deltas(events: &[(String, Value)]) -> String {
    events
        .iter()
        .filter(|e| e.0 == "delta")
        .filter_map(|e| e.1["text"].as_str())
        .collect()
}

fn answer_path(room: &str, message: &str, action: &str) -> String {
    format!("/api/rooms/{room}/messages/{message}/{action}")
}

async fn attach(app: &TestApp, token: &str, room: &str, message: &str) -> reqwest::Response {
    let res = app
        .client
        .get(app.url(&answer_path(room, message, "events")))
        .bearer_auth(token)
        .send()
        .await
        .expect("attach");
    assert_eq!(res.status(), StatusCode::OK);
    res
}

/// Starts a streamed send and reads up to `first` events; returns the answer's id.
async fn start_streamed(
    app: &TestApp,
    token: &str,
    room: &str,
    first: usize,
) -> (String, Vec<(String, Value)>) {
    let res = app.send_streamed(token, room, "tell me a long story").await;
    assert_eq!(res.status(), StatusCode::OK);
    let events = read_events(res, first).await;
    assert_eq!(events[1].0, "answer_started", "{events:?}");
    let id = events[1].1["message"]["id"]
        .as_str()
        .expect("answer id")
        .to_owned();
    (id, events)
}

async fn wait_for_status(app: &TestApp, token: &str, room: &str, status: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let items = app.room_messages(token, room).await;
        if items.last().is_some_and(|m| m["status"] == status) {
            return items;
        }
        assert!(Instant::now() < deadline, "never {status}: {items:?}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

async fn the_stream_announces_its_answer_before_the_first_delta(backend: Backend) {
    let (reply, behavior) = slow(5, 5);
    let Some((app, _fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("announce").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send_streamed(&me.access, &room, "hi").await;
    let events = read_events(res, 100).await;
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(&names[..2], ["user_message", "answer_started"], "{names:?}");
    let started = &events[1].1["message"];
    assert_eq!(started["status"], "streaming");
    assert_eq!(started["role"], "assistant");
    assert_eq!(started["content"], "");
    let done = events.last().expect("done");
    assert_eq!(done.0, "done");
    assert_eq!(done.1["message"]["id"], started["id"]);
    assert_eq!(done.1["message"]["status"], "complete");
    assert_eq!(deltas(&events), reply);
    // While it ran, the answer was listed as `streaming`; now it is stored as streamed.
    let items = app.room_messages(&me.access, &room).await;
    assert_eq!(items[1]["id"], started["id"]);
    assert_eq!(items[1]["content"], reply.as_str());
}

async fn a_client_reattaching_gets_the_text_so_far_then_the_rest_and_the_stored_answer(
    backend: Backend,
) {
    let (reply, behavior) = slow(30, 30);
    let Some((app, fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("reattach").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let (answer, first) = start_streamed(&app, &me.access, &room, 6).await;
    let seen = deltas(&first);
    assert!(!seen.is_empty());
    // The first client is gone (a reload); the list shows the answer still running.
    let items = app.room_messages(&me.access, &room).await;
    assert_eq!(items[1]["status"], "streaming", "{items:?}");
    let events = read_events(attach(&app, &me.access, &room, &answer).await, 1000).await;
    assert_eq!(events[0].0, "answer_started");
    assert_eq!(events[0].1["message"]["id"], answer.as_str());
    let replayed = deltas(&events);
    assert_eq!(replayed, reply, "replay + live = the whole answer");
    assert!(
        events[1].0 == "delta"
            && events[1].1["text"]
                .as_str()
                .is_some_and(|t| t.starts_with(&seen)),
        "the text so far comes first: {events:?}"
    );
    let done = events.last().expect("done");
    assert_eq!(done.0, "done");
    assert_eq!(done.1["message"]["content"], reply.as_str());
    let items = app.room_messages(&me.access, &room).await;
    assert_eq!(items[1]["content"], reply.as_str());
    assert_eq!(items[1]["status"], "complete");
    assert_eq!(fake.calls(), 1);
    assert_eq!(fake.cancelled_streams(), 0);
}

async fn two_clients_attached_to_one_answer_see_the_same_text(backend: Backend) {
    let (reply, behavior) = slow(20, 20);
    let Some((app, _fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("twoclients").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send_streamed(&me.access, &room, "story").await;
    let (answer, _) = start_streamed_rest(res).await;
    let a = attach(&app, &me.access, &room, &answer).await;
    let b = attach(&app, &me.access, &room, &answer).await;
    let (a, b) = tokio::join!(read_events(a, 1000), read_events(b, 1000));
    assert_eq!(deltas(&a), reply);
    assert_eq!(deltas(&b), reply);
}

/// Reads the first two events of a streamed send (question, announcement) and leaves.
async fn start_streamed_rest(res: reqwest::Response) -> (String, Vec<(String, Value)>) {
    let events = read_events(res, 2).await;
    let id = events[1].1["message"]["id"]
        .as_str()
        .expect("answer id")
        .to_owned();
    (id, events)
}

async fn the_events_of_an_answer_that_ended_are_just_done(backend: Backend) {
    let Some((app, _fake)) = app_with(backend, Behavior::reply("All **done**.")).await else {
        return;
    };
    let me = app.member("ended").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let body: Value = app
        .send(&me.access, &room, "hi")
        .await
        .json()
        .await
        .expect("json");
    let answer = body["assistant_message"]["id"].as_str().expect("id");
    let events = read_events(attach(&app, &me.access, &room, answer).await, 10).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "done");
    assert_eq!(events[0].1["message"]["content"], "All **done**.");
    assert_eq!(events[0].1["message"]["status"], "complete");
    let res = app
        .request(
            Method::POST,
            &answer_path(&room, answer, "stop"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "answer_not_running");
}

async fn an_explicit_stop_cancels_the_upstream_within_a_second_and_keeps_the_partial_answer(
    backend: Backend,
) {
    let (reply, behavior) = slow(60, 50);
    let Some((app, fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("stopper").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send_streamed(&me.access, &room, "long").await;
    let answer = start_streamed_rest_keep(res).await;
    let asked = Instant::now();
    let res = app
        .request(
            Method::POST,
            &answer_path(&room, &answer.0, "stop"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    while fake.cancelled_streams() == 0 {
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "the upstream was not cancelled within a second"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The attached stream ends with the stored partial answer.
    let rest = answer.1.await.expect("stream reader");
    let done = rest.last().expect("end");
    assert_eq!(done.0, "done", "{rest:?}");
    assert_eq!(done.1["message"]["status"], "incomplete");
    let items = wait_for_status(&app, &me.access, &room, "incomplete").await;
    let kept = items[1]["content"].as_str().expect("content");
    assert!(
        !kept.is_empty() && reply.starts_with(kept) && kept.len() < reply.len(),
        "{kept:?}"
    );
    assert_eq!(done.1["message"]["content"], kept);
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        1,
        "output was produced"
    );
    let again = app
        .request(
            Method::POST,
            &answer_path(&room, &answer.0, "stop"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

/// Reads a streamed send until its first delta; returns the answer id and a task reading
/// the rest of the stream.
async fn start_streamed_rest_keep(
    res: reqwest::Response,
) -> (String, tokio::task::JoinHandle<Vec<(String, Value)>>) {
    use futures::StreamExt as _;
    let mut body = res.bytes_stream();
    let mut buf = String::new();
    let mut id = None;
    while let Some(Ok(chunk)) = body.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        if id.is_none()
            && let Some(at) = buf.find("event: answer_started")
        {
            let data = buf[at..].lines().nth(1).unwrap_or("");
            let value: Value =
                serde_json::from_str(data.trim_start_matches("data:").trim()).unwrap_or_default();
            id = value["message"]["id"].as_str().map(str::to_owned);
        }
        if id.is_some() && buf.contains("event: delta") {
            break;
        }
    }
    let id = id.expect("answer_started");
    let rest = tokio::spawn(async move {
        let mut events = Vec::new();
        let mut buf = String::new();
        while let Some(Ok(chunk)) = body.next().await {
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
                }
            }
        }
        events
    });
    (id, rest)
}

async fn a_stop_before_the_first_token_refunds_the_slot(backend: Backend) {
    let behavior = Behavior {
        latency: Duration::from_secs(3),
        ..Behavior::reply("too late")
    };
    let Some((app, _fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("earlystop").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send_streamed(&me.access, &room, "hi").await;
    assert_eq!(res.headers()["ratelimit-remaining"], "4");
    let reader = tokio::spawn(read_events(res, 100));
    let answer = loop {
        let items = app.room_messages(&me.access, &room).await;
        if let Some(a) = items.get(1) {
            break a["id"].as_str().expect("id").to_owned();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        1,
        "counted before the work"
    );
    let res = app
        .request(
            Method::POST,
            &answer_path(&room, &answer, "stop"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let events = tokio::time::timeout(Duration::from_secs(2), reader)
        .await
        .expect("the stream ends at once")
        .expect("reader");
    let done = events.last().expect("end");
    assert_eq!(done.0, "done", "{events:?}");
    assert_eq!(done.1["message"]["status"], "incomplete");
    assert_eq!(done.1["message"]["content"], "");
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        0,
        "nothing was produced"
    );
}

async fn stop_events_and_regenerate_of_another_users_answer_are_404(backend: Backend) {
    let (_, behavior) = slow(30, 30);
    let Some((app, _fake)) = app_with(backend, behavior).await else {
        return;
    };
    let owner = app.member("answerowner").await;
    let other = app.member("answerthief").await;
    let room = app.create_room(&owner.access, "general", json!(null)).await;
    let res = app
        .send_streamed(&owner.access, &room, "secret question")
        .await;
    let (answer, events) = start_streamed_rest(res).await;
    let question = events[0].1["id"].as_str().expect("question id").to_owned();
    let other_room = app.create_room(&other.access, "general", json!(null)).await;
    let mut routes = Vec::new();
    for (r, m) in [
        (room.as_str(), answer.as_str()),
        (other_room.as_str(), answer.as_str()),
    ] {
        routes.push((Method::GET, answer_path(r, m, "events"), None));
        routes.push((Method::POST, answer_path(r, m, "stop"), None));
        routes.push((Method::POST, answer_path(r, m, "regenerate"), None));
    }
    app.assert_not_found_for(&other.access, routes, "secret")
        .await;
    // The owner's own question is not an answer; bad ids are simply not found.
    let fresh = Uuid::now_v7().to_string();
    for (r, m) in [
        (room.as_str(), question.as_str()),
        (room.as_str(), "not-a-uuid"),
        (room.as_str(), fresh.as_str()),
        ("not-a-uuid", answer.as_str()),
    ] {
        let res = app
            .request(
                Method::POST,
                &answer_path(r, m, "stop"),
                Some(&owner.access),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{r} {m}");
    }
    // Nothing was stopped: the owner's answer completes.
    wait_for_status(&app, &owner.access, &room, "complete").await;
}

async fn regenerate_replaces_the_last_answer_and_spends_a_slot(backend: Backend) {
    let Some((app, fake)) = app_with(backend, Behavior::reply("first answer")).await else {
        return;
    };
    let me = app.member("regen").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let body: Value = app
        .send(&me.access, &room, "question")
        .await
        .json()
        .await
        .expect("json");
    let old = body["assistant_message"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    fake.set(Behavior::reply("second answer"));
    let res = app
        .request(
            Method::POST,
            &answer_path(&room, &old, "regenerate"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["ratelimit-remaining"], "3");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["assistant_message"]["content"], "second answer");
    let items = app.room_messages(&me.access, &room).await;
    assert_eq!(items.len(), 2, "the old answer was replaced: {items:?}");
    assert_eq!(items[1]["content"], "second answer");
    assert_ne!(items[1]["id"], old.as_str());
    assert_eq!(app.quota_used(&me.access, "chat").await, 2);
    // The model saw the question again, not the replaced answer.
    let sent = fake.last_request().expect("request");
    let history = sent["messages"].as_array().expect("messages");
    assert_eq!(history.last().expect("last")["content"], "question");
    assert!(!sent.to_string().contains("first answer"));
    // Streamed regeneration: the same events as a send, without the question.
    let newest = items[1]["id"].as_str().expect("id");
    let res = app
        .client
        .post(app.url(&answer_path(&room, newest, "regenerate")))
        .bearer_auth(&me.access)
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("regenerate");
    let events = read_events(res, 100).await;
    assert_eq!(events[0].0, "answer_started");
    assert_eq!(events.last().expect("done").0, "done");
}

async fn only_the_last_finished_answer_can_be_regenerated(backend: Backend) {
    let Some((app, fake)) = app_with(backend, Behavior::reply("an answer")).await else {
        return;
    };
    let me = app.member("regenold").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let first: Value = app
        .send(&me.access, &room, "one")
        .await
        .json()
        .await
        .expect("json");
    app.send(&me.access, &room, "two").await;
    let old = first["assistant_message"]["id"].as_str().expect("id");
    let res = app
        .request(
            Method::POST,
            &answer_path(&room, old, "regenerate"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "not_last_answer");
    // A running answer cannot be regenerated either.
    let (_, slow_behavior) = slow(40, 40);
    fake.set(slow_behavior);
    let res = app.send_streamed(&me.access, &room, "three").await;
    let (running, _) = start_streamed_rest(res).await;
    let res = app
        .request(
            Method::POST,
            &answer_path(&room, &running, "regenerate"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "answer_running");
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        3,
        "refusals cost nothing"
    );
    // At the limit, regenerating is refused like a send.
    wait_for_status(&app, &me.access, &room, "complete").await;
    app.send(&me.access, &room, "four").await;
    app.send(&me.access, &room, "five").await;
    let last = app.room_messages(&me.access, &room).await;
    let last = last.last().expect("last")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let res = app
        .request(
            Method::POST,
            &answer_path(&room, &last, "regenerate"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.room_messages(&me.access, &room).await.len(),
        10,
        "nothing deleted"
    );
}

/// What a crash leaves: a reserved slot with its hold and a `streaming` answer, committed,
/// and no process running it. `partial` is the text it had saved.
async fn leave_a_crashed_answer(db: &Db, user: Uuid, room: Uuid, partial: &str, day: &str) -> Uuid {
    let answer = Uuid::now_v7();
    let insert = Stmt::new(
        "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, model, created_at) \
         VALUES ($1, $2, $3, 'assistant', $4, '', 'streaming', NULL, $5)",
    )
    .bind(answer)
    .bind(room)
    .bind(user)
    .bind(partial)
    .bind(confab::db::now());
    let hold = confab::quota::repo::insert_hold(Uuid::now_v7(), user, "chat", day, Some(answer));
    confab::quota::repo::try_increment(db, user, "chat", day, i64::MAX, vec![insert, hold])
        .await
        .expect("crashed answer stored");
    answer
}

/// Today in the quota's zone.
fn quota_day(zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).expect("tz");
    jiff::Timestamp::now().to_zoned(tz).date().to_string()
}

async fn answers_and_holds_left_by_a_crash_are_settled_at_start_up(backend: Backend) {
    let Some((app, _fake)) = app_with(backend, Behavior::reply("fine")).await else {
        return;
    };
    let me = app.member("crashed").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    app.send(&me.access, &room, "before the crash").await;
    let user = Uuid::parse_str(&me.user_id).expect("user id");
    let room_id = Uuid::parse_str(&room).expect("room id");
    let zone = app.quota_timezone.clone();
    let (db, dir, schema) = app.stop().await;
    let day = quota_day(&zone);
    let partial = leave_a_crashed_answer(&db, user, room_id, "half an **answer**", &day).await;
    let empty = leave_a_crashed_answer(&db, user, room_id, "", &day).await;
    // A slot reserved by work that is not a chat answer (an interview start, say).
    let hold = confab::quota::repo::insert_hold(Uuid::now_v7(), user, "interview", &day, None);
    confab::quota::repo::try_increment(&db, user, "interview", &day, i64::MAX, vec![hold])
        .await
        .expect("interview hold");
    // On PostgreSQL other instances may be running: only holds older than any work can
    // last are theirs to settle.
    db.execute(Stmt::new(
        "UPDATE quota_holds SET held_at_us = held_at_us - 3600000000",
    ))
    .await
    .expect("age the holds");
    let mut config = test_config(dir.path());
    config.llm_timeout_secs = 10;
    let mut app = start(config, db, backend, dir).await;
    app.pg_schema = schema;
    let items = app.room_messages(&me.access, &room).await;
    let by_id = |id: Uuid| {
        items
            .iter()
            .find(|m| m["id"] == id.to_string().as_str())
            .cloned()
            .expect("message")
    };
    let kept = by_id(partial);
    assert_eq!(kept["status"], "incomplete");
    assert_eq!(kept["content"], "half an **answer**");
    assert!(
        kept["html"]
            .as_str()
            .expect("html")
            .contains("<strong>answer</strong>")
    );
    assert_eq!(by_id(empty)["status"], "failed");
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        2,
        "the send and the partial answer stay counted; the empty one is refunded"
    );
    assert_eq!(app.quota_used(&me.access, "interview").await, 0);
    let holds: Vec<i64> = app
        .db
        .query_all(Stmt::new("SELECT COUNT(*) FROM quota_holds"))
        .await
        .expect("count");
    assert_eq!(holds, vec![0]);
}

async fn deleting_a_room_stops_its_running_answer(backend: Backend) {
    let (_, behavior) = slow(60, 50);
    let Some((app, fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("roomdeleter").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send_streamed(&me.access, &room, "long").await;
    let _ = start_streamed_rest(res).await;
    assert_eq!(
        app.delete(&format!("/api/rooms/{room}"), &me.access)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let asked = Instant::now();
    while fake.cancelled_streams() == 0 {
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "still streaming into a deleted room"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let holds: Vec<i64> = app
            .db
            .query_all(Stmt::new("SELECT COUNT(*) FROM quota_holds"))
            .await
            .expect("count");
        if holds == vec![0] {
            break;
        }
        assert!(Instant::now() < deadline, "the hold was never settled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.quota_used(&me.access, "chat").await, 1);
}

/// Two instances on one PostgreSQL database: a client of the second follows an answer the
/// first writes, sees the same text, and stops it from there.
#[tokio::test]
async fn on_two_instances_a_client_of_the_other_follows_and_stops_the_same_answer() {
    if postgres_url().is_none() {
        eprintln!("CONFAB_TEST_DATABASE_URL is not set: two-instance test skipped");
        return;
    }
    let (reply, behavior) = slow(16, 60);
    let Some((first, fake)) = app_with(Backend::Postgres, behavior).await else {
        return;
    };
    let schema = first.pg_schema.clone().expect("schema");
    let url = postgres_url().expect("url");
    let db = Db::connect_postgres_schema(&url, &schema, 8)
        .await
        .expect("second pool");
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path());
    config.llm_provider = "openai".into();
    config.llm_base_url = Some(fake.openai_base());
    config.llm_api_key = Some(confab::config::Secret::new("sk-test-secret-key"));
    config.llm_model = Some("fake-model".into());
    config.llm_timeout_secs = 10;
    let second = start(config, db, Backend::Postgres, dir).await;

    let me = first.member("twoinstances").await;
    let room = first.create_room(&me.access, "general", json!(null)).await;
    let res = first.send_streamed(&me.access, &room, "story").await;
    let (answer, _) = start_streamed_rest(res).await;
    let events = read_events(attach(&second, &me.access, &room, &answer).await, 1000).await;
    assert_eq!(events[0].0, "answer_started", "{events:?}");
    assert_eq!(
        deltas(&events),
        reply,
        "the other instance streams the same text"
    );
    let done = events.last().expect("done");
    assert_eq!(done.0, "done");
    assert_eq!(done.1["message"]["content"], reply.as_str());

    // A stop asked on the second instance stops the answer the first one writes.
    let (_, long) = slow(80, 50);
    fake.set(long);
    let res = first.send_streamed(&me.access, &room, "another").await;
    let (answer, _) = start_streamed_rest(res).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    let res = second
        .request(
            Method::POST,
            &answer_path(&room, &answer, "stop"),
            Some(&me.access),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    while fake.cancelled_streams() == 0 {
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "the other instance's stop took more than a second"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let items = wait_for_status(&second, &me.access, &room, "incomplete").await;
    assert!(
        !items.last().expect("answer")["content"]
            .as_str()
            .expect("text")
            .is_empty()
    );
}

on_both_backends!(
    assistants_say_whether_they_answer_from_built_in_knowledge_only,
    an_offline_reply_that_only_says_no_model_costs_nothing,
    previews_and_search_results_are_plain_text,
    a_markdown_export_speaks_the_asked_language_and_time_zone,
    metrics_count_answers_llm_time_and_quota,
);

/// `/metrics` shows what docs/operations.md promises: quota reservations and refunds, answer
/// generation time by provider and outcome, and the active-answers gauge.
async fn metrics_count_answers_llm_time_and_quota(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let me = app.member("metered").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let res = app.send(&me.access, &room, "오늘 저녁 뭐 먹을까?").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = app.get("/metrics", None).await.text().await.expect("text");
    for needle in [
        "confab_quota_reservations_total{scope=\"chat\",outcome=\"granted\"}",
        "confab_llm_answer_seconds_count{provider=\"offline\",outcome=\"complete\"}",
        "confab_answers_active",
        // The reply only said no model is connected: its slot was given back.
        "confab_quota_refunds_total{scope=\"chat\"}",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

async fn assistants_say_whether_they_answer_from_built_in_knowledge_only(backend: Backend) {
    let Some(offline) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let list = crate::helpers::body_json(offline.get("/api/assistants", None).await).await;
    let all = list.as_array().expect("list");
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|a| a["offline"] == true), "{list}");
    assert!(all.iter().all(|a| a["name"]["ko"].is_string()), "{list}");
    let Some((online, _fake)) = app_with(backend, Behavior::reply("hi")).await else {
        return;
    };
    let list = crate::helpers::body_json(online.get("/api/assistants", None).await).await;
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .all(|a| a["offline"] == false),
        "{list}"
    );
}

async fn an_offline_reply_that_only_says_no_model_costs_nothing(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let me = app.member("nomodel").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let body: Value = app
        .send(&me.access, &room, "오늘 저녁 뭐 먹을까?")
        .await
        .json()
        .await
        .expect("json");
    let answer = body["assistant_message"]["content"].as_str().expect("text");
    assert!(
        answer.contains("언어 모델이 연결되어 있지 않아서"),
        "{answer}"
    );
    assert!(!answer.contains("CONFAB_"), "{answer}");
    assert_eq!(body["assistant_message"]["status"], "complete");
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
    // An answer from the built-in knowledge is an answer: it counts.
    let body: Value = app
        .send(&me.access, &room, "프로세스와 스레드의 차이가 뭔가요?")
        .await
        .json()
        .await
        .expect("json");
    let answer = body["assistant_message"]["content"].as_str().expect("text");
    assert!(answer.contains("내장된 자료"), "{answer}");
    assert_eq!(app.quota_used(&me.access, "chat").await, 1);
    let interview = app
        .create_room(&me.access, "tech-interview", json!(null))
        .await;
    app.send(&me.access, &interview, "hello").await;
    assert_eq!(app.quota_used(&me.access, "chat").await, 2);
}

async fn previews_and_search_results_are_plain_text(backend: Backend) {
    let reply = "## 요약\n\n**소유권**은 `Rust`의 [핵심](https://example.com) 규칙입니다.";
    let Some((app, _fake)) = app_with(backend, Behavior::reply(reply)).await else {
        return;
    };
    let me = app.member("plain").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    app.send(&me.access, &room, "# **소유권**이 뭐예요?").await;
    let rooms = app.get_json("/api/rooms", &me.access).await;
    assert_eq!(rooms["items"][0]["title"], "소유권이 뭐예요?");
    assert_eq!(
        rooms["items"][0]["preview"],
        "요약 소유권은 Rust의 핵심 규칙입니다."
    );
    let hits = app
        .get_json("/api/search?q=%ED%95%B5%EC%8B%AC", &me.access)
        .await;
    let hit = &hits["items"][0];
    assert_eq!(hit["excerpt"], "요약 소유권은 Rust의 핵심 규칙입니다.");
    assert_eq!(
        hit["message"]["content"], reply,
        "the message itself is kept whole"
    );
}

async fn a_markdown_export_speaks_the_asked_language_and_time_zone(backend: Backend) {
    let Some((app, _fake)) = app_with(backend, Behavior::reply("답변")).await else {
        return;
    };
    let me = app.member("exportko").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    app.send(&me.access, &room, "질문").await;
    let md = app
        .get(
            &format!("/api/rooms/{room}/export?format=md&lang=ko&tz=Asia/Seoul"),
            Some(&me.access),
        )
        .await
        .text()
        .await
        .expect("md");
    assert!(
        md.contains("## 나 — ") && md.contains("## 도우미 — "),
        "{md}"
    );
    assert!(md.contains("- 도우미 종류: 일반 대화"), "{md}");
    assert!(md.contains("(Asia/Seoul)") && !md.contains('Z'), "{md}");
    // The same export in English, in New York time (never the same wall clock as Seoul).
    let md_en = app
        .get(
            &format!("/api/rooms/{room}/export?lang=en&tz=America/New_York"),
            Some(&me.access),
        )
        .await
        .text()
        .await
        .expect("md");
    assert!(
        md_en.contains("## You — ") && md_en.contains("- Assistant: General"),
        "{md_en}"
    );
    let clock = |md: &str| md.lines().find(|l| l.starts_with("## ")).map(str::to_owned);
    assert_ne!(clock(&md), clock(&md_en));
    for (query, field) in [
        ("lang=fr", "lang"),
        ("tz=Mars/Olympus", "tz"),
        ("format=doc", "format"),
    ] {
        let res = app
            .get(
                &format!("/api/rooms/{room}/export?{query}"),
                Some(&me.access),
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        let (code, body) = error_of(res).await;
        assert_eq!(code, "validation_failed", "{body}");
        assert!(body[field].is_string(), "{query}: {body}");
    }
}

async fn a_burst_of_tiny_chunks_reaches_the_client_in_a_few_events(backend: Backend) {
    // 200 one-word chunks, one every millisecond or so: relayed one event per chunk they
    // would be 200 events; coalesced, at most one per 5 ms window (plus the first).
    let (reply, behavior) = slow(200, 1);
    let Some((app, _fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("burst").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    let started = Instant::now();
    let res = app.send_streamed(&me.access, &room, "hi").await;
    let events = read_events(res, 10_000).await;
    let took = started.elapsed();
    assert_eq!(
        events.last().map(|e| e.0.as_str()),
        Some("done"),
        "{events:?}"
    );
    assert_eq!(deltas(&events), reply, "nothing lost or reordered");
    let delta_events = events.iter().filter(|e| e.0 == "delta").count();
    let most = took.as_millis() as usize / 5 + 3;
    assert!(
        delta_events <= most && delta_events < 200,
        "{delta_events} delta events in {took:?} (at most {most})"
    );
}

async fn with_http2_always_answers_share_one_h2c_connection_to_the_upstream(backend: Backend) {
    let (reply, behavior) = slow(10, 20);
    for (mode, http2) in [("auto", false), ("always", true)] {
        let fake = FakeUpstream::start(behavior.clone()).await;
        let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |c| {
            c.llm_timeout_secs = 10;
            c.llm_http2 = mode.into();
        })
        .await
        else {
            return;
        };
        let me = app.member(&format!("h2{mode}")).await;
        let room = app.create_room(&me.access, "general", json!(null)).await;
        let sends = (0..4).map(|i| {
            let (app, token, room) = (&app, &me.access, &room);
            async move {
                let res = app.send_streamed(token, room, &format!("q{i}")).await;
                read_events(res, 1000).await
            }
        });
        for events in futures::future::join_all(sends).await {
            assert_eq!(
                events.last().map(|e| e.0.as_str()),
                Some("done"),
                "{events:?}"
            );
            assert_eq!(deltas(&events), reply);
        }
        if http2 {
            assert_eq!(fake.http2_calls(), 4, "every call over HTTP/2");
            assert_eq!(
                fake.connections(),
                1,
                "four answers at once on one connection"
            );
        } else {
            // Plain http with `auto` stays HTTP/1.1: one connection per answer in flight.
            assert_eq!(fake.http2_calls(), 0);
            assert!(
                fake.connections() >= 2,
                "{} connections",
                fake.connections()
            );
        }
    }
}

/// An upstream whose body ends a moment after `[DONE]` (HTTP/1.1's last chunk written on its
/// own): the finished answer's body is still read to its end, so one connection serves one
/// answer after another instead of a new connection per answer.
async fn a_finished_answer_gives_its_http1_connection_back_when_the_body_ends_late(
    backend: Backend,
) {
    use crate::fake_upstream::{Fault, SLOW_END};
    let behavior = Behavior {
        reply: "one two three".into(),
        fault: Fault::SlowEnd,
        ..Behavior::default()
    };
    let Some((app, fake)) = app_with(backend, behavior).await else {
        return;
    };
    let me = app.member("late").await;
    let room = app.create_room(&me.access, "general", json!(null)).await;
    for i in 0..3 {
        let res = app.send_streamed(&me.access, &room, &format!("q{i}")).await;
        let events = read_events(res, 1000).await;
        assert_eq!(
            events.last().map(|e| e.0.as_str()),
            Some("done"),
            "{events:?}"
        );
        assert_eq!(deltas(&events), "one two three");
        // Time for the body's end to arrive and the connection to go back to the pool.
        tokio::time::sleep(SLOW_END * 3).await;
    }
    assert_eq!(fake.connections(), 1, "three answers, one after another");
}
