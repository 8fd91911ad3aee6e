//! The naming assistant through the API: offline answers that read the request, and with
//! a model (the fake upstream) structured JSON that is validated, or replaced by the
//! offline answer when it does not validate.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{Backend, body_json, error_of, spawn_app, spawn_app_with_openai};
use crate::on_both_backends;

on_both_backends!(
    offline_a_korean_request_gets_korean_ranked_names_in_the_rooms_language,
    offline_an_english_request_gets_the_rooms_convention,
    with_a_model_the_names_come_from_its_json_as_a_numbered_list,
    with_a_model_prose_or_too_few_names_get_the_offline_answer,
    with_a_model_english_reasons_for_a_korean_request_get_the_offline_answer,
    with_a_model_an_upstream_500_is_a_502_and_costs_nothing,
    a_naming_room_needs_a_language_and_another_user_cannot_read_it,
);

/// The answer's text of a plain (JSON) send.
async fn answer_of(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = body_json(res).await;
    body["assistant_message"]["content"]
        .as_str()
        .expect("content")
        .to_owned()
}

async fn offline_a_korean_request_gets_korean_ranked_names_in_the_rooms_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("namer").await;
    let room = app
        .create_room(&me.access, "naming", json!({"language": "Python"}))
        .await;
    let text = answer_of(
        app.send(
            &me.access,
            &room,
            "사용자 목록을 가입일 순으로 정렬하는 함수 이름",
        )
        .await,
    )
    .await;
    assert!(text.contains("1. `sort_users_by_signup_date` — "), "{text}");
    assert!(!text.contains("sort_user_list_name"), "{text}");
    let constant = answer_of(
        app.send(&me.access, &room, "HTTP 요청 재시도 횟수 상수 이름")
            .await,
    )
    .await;
    assert!(
        constant.contains("1. `HTTP_REQUEST_RETRY_COUNT` — "),
        "{constant}"
    );
    assert!(
        constant.contains("`MAX_HTTP_REQUEST_RETRIES`"),
        "{constant}"
    );
    assert!(
        !constant.contains("Configure") && !constant.contains("language model"),
        "no English sentence in a Korean answer: {constant}"
    );
    let items = constant
        .lines()
        .filter(|l| l.starts_with(char::is_numeric))
        .count();
    assert!((3..=5).contains(&items), "{constant}");
}

async fn offline_an_english_request_gets_the_rooms_convention(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("namer").await;
    let room = app
        .create_room(
            &me.access,
            "naming",
            json!({"language": "Go", "convention": "camelCase"}),
        )
        .await;
    let text = answer_of(
        app.send(
            &me.access,
            &room,
            "name for a function that parses a JSON config file",
        )
        .await,
    )
    .await;
    assert!(text.contains("1. `parseJSONConfigFile` — "), "{text}");
    assert!(text.contains("the room's convention"), "{text}");
}

/// The fake model's JSON answer.
fn model_json(candidates: &[(&str, &str)]) -> String {
    json!({
        "candidates": candidates
            .iter()
            .map(|(n, r)| json!({"name": n, "reason": r}))
            .collect::<Vec<_>>()
    })
    .to_string()
}

async fn with_a_model_the_names_come_from_its_json_as_a_numbered_list(backend: Backend) {
    let reply = model_json(&[
        ("sortUsersBySignupDate", "정렬 기준까지 이름에 담았어요"),
        (
            "sortUsersByJoinDate",
            "가입일을 join date로 표현한 대안이에요",
        ),
        ("orderUsersBySignup", "order도 정렬의 뜻으로 쓰여요"),
        ("bad name", "공백이 있는 이름은 버려져요"),
    ]);
    let fake = FakeUpstream::start(Behavior::reply(reply)).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("namer").await;
    let room = app
        .create_room(&me.access, "naming", json!({"language": "TypeScript"}))
        .await;
    let text = answer_of(
        app.send(
            &me.access,
            &room,
            "사용자 목록을 가입일 순으로 정렬하는 함수 이름",
        )
        .await,
    )
    .await;
    assert!(
        text.starts_with("**TypeScript** 이름 추천이에요."),
        "{text}"
    );
    assert!(
        text.contains("1. `sortUsersBySignupDate` — 정렬 기준까지 이름에 담았어요"),
        "{text}"
    );
    assert!(text.contains("3. `orderUsersBySignup` — "), "{text}");
    assert!(!text.contains("bad name"), "{text}");
    assert!(!text.contains("confab"), "not the offline answer: {text}");
    // The model was asked for JSON, with the room's language in the system prompt.
    let request = fake.last_request().expect("a call");
    assert_eq!(request["response_format"]["type"], "json_schema");
    let system = request["messages"][0]["content"].as_str().unwrap_or("");
    assert!(
        system.contains("TypeScript") && system.contains("JSON"),
        "{system}"
    );
    // Streamed, the same answer arrives over SSE.
    let res = app
        .send_streamed(&me.access, &room, "이메일 검증 함수")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(body.contains("event: done"), "{body}");
    assert!(body.contains("sortUsersBySignupDate"), "{body}");
}

async fn with_a_model_prose_or_too_few_names_get_the_offline_answer(backend: Backend) {
    let fake = FakeUpstream::start(Behavior::reply("Sure! Try `sortUsers` or `orderUsers`.")).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("namer").await;
    let room = app
        .create_room(&me.access, "naming", json!({"language": "Python"}))
        .await;
    let text = answer_of(
        app.send(
            &me.access,
            &room,
            "function that sorts users by signup date",
        )
        .await,
    )
    .await;
    assert!(text.contains("1. `sort_users_by_signup_date` — "), "{text}");
    assert!(text.contains("built-in dictionary"), "{text}");
    assert!(!text.contains("Sure!"), "{text}");
    // Valid JSON with only two usable names: offline too.
    fake.set(Behavior::reply(model_json(&[
        ("sort_users", "short"),
        ("sort users", "has a space"),
        ("order_users", "synonym"),
    ])));
    let text = answer_of(
        app.send(
            &me.access,
            &room,
            "function that sorts users by signup date",
        )
        .await,
    )
    .await;
    assert!(text.contains("built-in dictionary"), "{text}");
    assert_eq!(
        app.quota_used(&me.access, "chat").await,
        2,
        "each answer counted once"
    );
}

async fn with_a_model_english_reasons_for_a_korean_request_get_the_offline_answer(
    backend: Backend,
) {
    let reply = model_json(&[
        ("MAX_RETRIES", "upper bound"),
        ("RETRY_COUNT", "plain"),
        ("HTTP_RETRY_LIMIT", "a limit"),
    ]);
    let fake = FakeUpstream::start(Behavior::reply(reply)).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("namer").await;
    let room = app
        .create_room(&me.access, "naming", json!({"language": "Java"}))
        .await;
    let text = answer_of(
        app.send(&me.access, &room, "HTTP 요청 재시도 횟수 상수 이름")
            .await,
    )
    .await;
    assert!(text.contains("1. `HTTP_REQUEST_RETRY_COUNT` — "), "{text}");
    assert!(text.contains("내장된 사전과 규칙"), "{text}");
}

async fn with_a_model_an_upstream_500_is_a_502_and_costs_nothing(backend: Backend) {
    let fake = FakeUpstream::start(Behavior::fault(Fault::Status(500))).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |_| {}).await else {
        return;
    };
    let me = app.member("namer").await;
    let room = app
        .create_room(&me.access, "naming", json!({"language": "Rust"}))
        .await;
    let res = app.send(&me.access, &room, "이메일 검증 함수").await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let (code, _) = error_of(res).await;
    assert_eq!(code, "upstream_error");
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn a_naming_room_needs_a_language_and_another_user_cannot_read_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("namer").await;
    let res = app
        .post_json(
            "/api/rooms",
            json!({"assistant": "naming", "settings": {"convention": "snake_case"}}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (code, body) = error_of(res).await;
    assert_eq!(code, "validation_failed", "{body}");
    assert!(body.to_string().contains("settings.language"), "{body}");
    let room = app
        .create_room(&me.access, "naming", json!({"language": "Kotlin"}))
        .await;
    let other = app.member("other").await;
    let res = app.send(&other.access, &room, "이메일 검증 함수").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.quota_used(&other.access, "chat").await, 0);
}
