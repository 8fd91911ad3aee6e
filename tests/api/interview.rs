//! The mock interview: catalog, sessions (start → answer → finish) offline and with a fake
//! model upstream (good JSON, malformed JSON, failures), quota, favourites, cheat sheet,
//! and ownership.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{Backend, body_json, error_of, spawn_app, spawn_app_with_openai};
use crate::on_both_backends;
use confab::apps::interview::bank;

on_both_backends!(
    the_catalog_lists_fields_careers_and_difficulties,
    an_offline_session_runs_from_start_to_finish,
    with_a_model_the_flow_uses_valid_json_and_falls_back_on_bad_output,
    five_starts_or_cheat_sheets_then_429_while_answering_and_finishing_still_work,
    every_session_question_and_favourite_route_with_another_users_token_is_404,
    favourites_are_validated_deduplicated_listed_and_deleted,
    the_cheat_sheet_has_model_answers_in_the_asked_language,
    new_sessions_avoid_questions_seen_recently,
);

fn question_ids(session: &Value) -> Vec<String> {
    session["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The bank's model answer for a question text (so a test can answer perfectly).
fn bank_answer(question: &str) -> String {
    bank::bank()
        .iter()
        .find(|e| e.question.ko == question || e.question.en == question)
        .map(|e| {
            if e.question.ko == question {
                e.model_answer.ko.clone()
            } else {
                e.model_answer.en.clone()
            }
        })
        .expect("question comes from the bank")
}

async fn the_catalog_lists_fields_careers_and_difficulties(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/api/interview/catalog", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    let ids = |key: &str| -> Vec<String> {
        body[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(
        ids("fields"),
        [
            "backend",
            "frontend",
            "fullstack",
            "mobile",
            "devops",
            "data-ai",
            "cs-fundamentals"
        ]
    );
    assert_eq!(ids("careers"), ["new-grad", "junior", "mid", "senior"]);
    assert_eq!(ids("difficulties"), ["easy", "medium", "hard"]);
    assert_eq!(body["difficulties"][2]["label"]["ko"], "상");
    assert_eq!(body["fields"][0]["label"]["ko"], "백엔드");
}

async fn an_offline_session_runs_from_start_to_finish(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let res = app
        .post_json(
            "/api/interview/sessions",
            json!({"field": "backend", "career": "junior", "count": 3, "language": "ko"}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers()["ratelimit-remaining"]
            .to_str()
            .expect("header"),
        "4"
    );
    let session = body_json(res).await;
    let sid = session["id"].as_str().expect("id").to_owned();
    assert_eq!(session["source"], "bank");
    assert_eq!(session["status"], "in_progress");
    let questions = session["questions"].as_array().expect("questions");
    assert_eq!(questions.len(), 3);
    for (i, q) in questions.iter().enumerate() {
        assert_eq!(q["position"], i as i64 + 1);
        assert!(q["model_answer"].is_null(), "model answer hidden: {q}");
        assert!(q["key_points"].is_null());
        assert!(!q["intent"].as_str().expect("intent").is_empty());
        assert!(["easy", "medium", "hard"].contains(&q["difficulty"].as_str().expect("d")));
        let text = q["question"].as_str().expect("question");
        assert!(
            text.chars().any(|c| ('가'..='힣').contains(&c)),
            "Korean: {text}"
        );
    }
    let ids = question_ids(&session);

    // Bad answers cost nothing and change nothing.
    let res = app.answer_question(&me.access, &sid, &ids[0], "   ").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (_, fields) = error_of(res).await;
    assert!(fields["answer"].is_string());
    let res = app
        .answer_question(&me.access, &sid, &ids[0], &"가".repeat(5001))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .answer_question(&me.access, &sid, "not-a-question", "hello")
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A weak answer scores low and names what was missed.
    let res = app
        .answer_question(&me.access, &sid, &ids[0], "잘 모르겠습니다.")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let weak = body_json(res).await;
    assert!(weak["score"].as_i64().expect("score") <= 2, "{weak}");
    assert!(
        weak["feedback"]["missing"]
            .as_str()
            .expect("missing")
            .contains("빠진 점")
    );
    assert!(
        !weak["model_answer"]
            .as_str()
            .expect("model answer")
            .is_empty()
    );
    assert!(!weak["key_points"].as_array().expect("points").is_empty());

    // Answering twice: one wins, concurrently too.
    let res = app
        .answer_question(&me.access, &sid, &ids[0], "다시 답합니다")
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "already_answered");

    // The model answer itself covers every key point.
    let perfect = bank_answer(questions[1]["question"].as_str().expect("q"));
    let (a, b) = tokio::join!(
        app.answer_question(&me.access, &sid, &ids[1], &perfect),
        app.answer_question(&me.access, &sid, &ids[1], &perfect)
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let good = if a.status() == StatusCode::OK { a } else { b };
    let good = body_json(good).await;
    assert!(good["score"].as_i64().expect("score") >= 8, "{good}");

    // Reopened, the answered questions show their answers and model answers.
    let reopened = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &me.access)
        .await;
    assert_eq!(reopened["questions"][0]["answered"], true);
    assert_eq!(reopened["questions"][0]["answer"], "잘 모르겠습니다.");
    assert!(reopened["questions"][0]["model_answer"].is_string());
    assert!(reopened["questions"][2]["model_answer"].is_null());

    // Finishing with one question skipped: it counts 0.
    let res = app.finish_interview(&me.access, &sid).await;
    assert_eq!(res.status(), StatusCode::OK);
    let result = body_json(res).await;
    let s0 = weak["score"].as_i64().expect("s");
    let s1 = good["score"].as_i64().expect("s");
    let expected = ((s0 + s1) as f64 / 3.0 * 10.0).round() / 10.0;
    assert_eq!(result["score"].as_f64().expect("score"), expected);
    assert!(
        result["complement"]
            .as_str()
            .expect("complement")
            .contains("건너뛴")
    );
    let breakdown = result["breakdown"].as_array().expect("breakdown");
    assert_eq!(breakdown.len(), 3);
    assert_eq!(breakdown[2]["skipped"], true);
    assert!(breakdown[2]["score"].is_null());
    assert_eq!(breakdown[1]["score"], good["score"]);

    // Finished: answering is refused, finishing again returns the same result.
    let res = app
        .answer_question(&me.access, &sid, &ids[2], "늦은 답")
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "session_finished");
    let again = body_json(app.finish_interview(&me.access, &sid).await).await;
    assert_eq!(again, result);
    let reopened = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &me.access)
        .await;
    assert_eq!(reopened["status"], "finished");
    assert_eq!(reopened["result"]["score"], result["score"]);
    assert!(reopened["questions"][2]["model_answer"].is_string());

    // Listed, then deleted.
    let list = app.get_json("/api/interview/sessions", &me.access).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["answered_count"], 2);
    assert_eq!(items[0]["question_count"], 3);
    assert_eq!(items[0]["score"], result["score"]);
    let res = app
        .delete(&format!("/api/interview/sessions/{sid}"), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .get(&format!("/api/interview/sessions/{sid}"), Some(&me.access))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Grading never cost quota: one start, one slot.
    assert_eq!(app.quota_used(&me.access, "interview").await, 1);
}

fn generated(n: usize) -> String {
    let questions: Vec<Value> = (1..=n)
        .map(|i| {
            json!({
                "question": format!("Generated question {i}: how do you design an idempotent payment API?"),
                "intent": "Checks idempotency keys and retries.",
                "difficulty": "medium",
                "model_answer": "Clients send an idempotency key; the server stores the first result under it and replays it for retries.",
                "key_points": ["idempotency key stored with the result", "retries replay the stored result"]
            })
        })
        .collect();
    json!({ "questions": questions }).to_string()
}

async fn with_a_model_the_flow_uses_valid_json_and_falls_back_on_bad_output(backend: Backend) {
    let fake = FakeUpstream::start(Behavior::default()).await;
    let Some(app) = spawn_app_with_openai(backend, fake.openai_base(), |c| {
        // These tests start more sessions than a day's default quota; the quota has its own test.
        c.set_quota_limit("interview", 0)
    })
    .await
    else {
        return;
    };
    let me = app.member("modeluser").await;

    // Good JSON: questions, grade and complement come from the model.
    fake.set(Behavior::reply(generated(2)));
    let session = app
        .start_interview(
            &me.access,
            json!({"field": "backend", "career": "mid", "count": 2, "language": "en"}),
        )
        .await;
    assert_eq!(session["source"], "llm");
    assert!(
        session["questions"][0]["question"]
            .as_str()
            .expect("q")
            .starts_with("Generated question 1")
    );
    let request = fake.last_request().expect("request");
    assert_eq!(request["response_format"]["type"], "json_schema");
    let sid = session["id"].as_str().expect("id").to_owned();
    let ids = question_ids(&session);
    fake.set(Behavior::reply(
        json!({"score": 7, "good": "Mentions the key.", "missing": "No storage detail."})
            .to_string(),
    ));
    let graded = body_json(
        app.answer_question(&me.access, &sid, &ids[0], "Use an idempotency key.")
            .await,
    )
    .await;
    assert_eq!(graded["score"], 7);
    assert_eq!(graded["feedback"]["good"], "Mentions the key.");
    assert_eq!(
        graded["model_answer"],
        "Clients send an idempotency key; the server stores the first result under it and replays it for retries."
    );
    // A grade outside 0–10 is not trusted: the key-point grader answers instead.
    fake.set(Behavior::reply(
        json!({"score": 42, "good": "x", "missing": "y"}).to_string(),
    ));
    let graded = body_json(
        app.answer_question(
            &me.access,
            &sid,
            &ids[1],
            "The idempotency key is stored with the result, and retries replay the stored result.",
        )
        .await,
    )
    .await;
    assert_eq!(graded["score"], 10, "{graded}");
    fake.set(Behavior::reply(
        json!({"complement": "Practise storage design."}).to_string(),
    ));
    let result = body_json(app.finish_interview(&me.access, &sid).await).await;
    assert_eq!(result["complement"], "Practise storage design.");
    assert_eq!(result["score"], 8.5);

    // Partial output: the valid questions are kept, the rest come from the bank.
    let partial = json!({"questions": [
        serde_json::from_str::<Value>(&generated(1)).expect("json")["questions"][0].clone(),
        {"question": "", "intent": "", "difficulty": "??", "model_answer": "", "key_points": []}
    ]});
    fake.set(Behavior::reply(partial.to_string()));
    let session = app
        .start_interview(
            &me.access,
            json!({"field": "devops", "career": "senior", "count": 3}),
        )
        .await;
    assert_eq!(session["source"], "mixed");
    assert_eq!(question_ids(&session).len(), 3);

    // Malformed JSON, an upstream 500 and a hang: the bank steps in; never a 500.
    for behavior in [
        Behavior::reply("1. What is REST?\n2. What is a JOIN?"),
        Behavior::fault(Fault::MalformedChunk(0)),
        Behavior::fault(Fault::Status(500)),
        Behavior::fault(Fault::HangBeforeHeaders),
    ] {
        fake.set(behavior.clone());
        let session = app
            .start_interview(
                &me.access,
                json!({"field": "frontend", "career": "new-grad", "count": 2}),
            )
            .await;
        assert_eq!(session["source"], "bank", "{behavior:?}");
        let sid = session["id"].as_str().expect("id").to_owned();
        let ids = question_ids(&session);
        let res = app
            .answer_question(
                &me.access,
                &sid,
                &ids[0],
                "I would explain it step by step.",
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{behavior:?}");
        let res = app.finish_interview(&me.access, &sid).await;
        assert_eq!(res.status(), StatusCode::OK, "{behavior:?}");
        let result = body_json(res).await;
        assert!(!result["complement"].as_str().expect("c").is_empty());
    }
    // No key or upstream URL in any response we saw; the cheat sheet falls back too.
    fake.set(Behavior::fault(Fault::Status(500)));
    let res = app
        .post_json(
            "/api/interview/cheatsheet",
            json!({"field": "mobile"}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.expect("body");
    assert!(!text.contains("sk-test-secret-key") && !text.contains("127.0.0.1"));
}

async fn five_starts_or_cheat_sheets_then_429_while_answering_and_finishing_still_work(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("busy").await;
    // Bad input costs nothing.
    for body in [
        json!({"field": "cooking", "career": "junior"}),
        json!({"field": "backend", "career": "intern"}),
        json!({"field": "backend", "career": "junior", "count": 0}),
        json!({"field": "backend", "career": "junior", "count": 11}),
        json!({"field": "backend", "career": "junior", "language": "fr"}),
        json!({"field": "backend", "career": "junior", "owner": "x"}),
    ] {
        let res = app
            .post_json("/api/interview/sessions", body.clone(), Some(&me.access))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let res = app
        .post_json(
            "/api/interview/cheatsheet",
            json!({"field": "backend", "count": 11}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["count"].is_string());
    let res = app
        .post_json(
            "/api/interview/sessions",
            json!({"field": "nope", "career": "nope"}),
            Some(&me.access),
        )
        .await;
    let (_, fields) = error_of(res).await;
    assert!(fields["field"].is_string() && fields["career"].is_string());
    assert_eq!(app.quota_used(&me.access, "interview").await, 0);

    let first = app
        .start_interview(
            &me.access,
            json!({"field": "backend", "career": "junior", "count": 2}),
        )
        .await;
    for i in 0..4 {
        let res = if i % 2 == 0 {
            app.post_json(
                "/api/interview/cheatsheet",
                json!({"field": "devops"}),
                Some(&me.access),
            )
            .await
        } else {
            app.post_json(
                "/api/interview/sessions",
                json!({"field": "mobile", "career": "senior", "count": 1}),
                Some(&me.access),
            )
            .await
        };
        assert!(res.status().is_success(), "call {i}: {}", res.status());
    }
    for (path, body) in [
        (
            "/api/interview/sessions",
            json!({"field": "backend", "career": "junior"}),
        ),
        ("/api/interview/cheatsheet", json!({"field": "backend"})),
    ] {
        let res = app.post_json(path, body, Some(&me.access)).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert!(res.headers().contains_key("retry-after"));
        let body = body_json(res).await;
        assert_eq!(body["error"]["code"], "quota_exceeded");
        assert_eq!(body["error"]["scope"], "interview");
        assert_eq!(body["error"]["limit"], 5);
    }
    assert_eq!(app.quota_used(&me.access, "interview").await, 5);
    // Chat has its own scope.
    let chat: Value = app.get_json("/api/me/quota", &me.access).await;
    let chat_used = chat["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .find(|s| s["scope"] == "chat")
        .expect("chat")["used"]
        .clone();
    assert_eq!(chat_used, 0);

    // Over the limit, the session already started can still be answered and finished.
    let sid = first["id"].as_str().expect("id").to_owned();
    let ids = question_ids(&first);
    let res = app
        .answer_question(&me.access, &sid, &ids[0], "An answer after the limit.")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.finish_interview(&me.access, &sid).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.quota_used(&me.access, "interview").await, 5);
}

async fn every_session_question_and_favourite_route_with_another_users_token_is_404(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let owner = app.member("owner").await;
    let thief = app.member("thief").await;
    let session = app
        .start_interview(
            &owner.access,
            json!({"field": "cs-fundamentals", "career": "new-grad", "count": 2}),
        )
        .await;
    let sid = session["id"].as_str().expect("id").to_owned();
    let qid = question_ids(&session)[0].clone();
    let fav = body_json(
        app.post_json(
            "/api/interview/favorites",
            json!({"field": "backend", "difficulty": "hard", "question": "Owner's secret question?",
                   "intent": "i", "model_answer": "a"}),
            Some(&owner.access),
        )
        .await,
    )
    .await;
    let fid = fav["id"].as_str().expect("id").to_owned();
    let routes = [
        (Method::GET, format!("/api/interview/sessions/{sid}"), None),
        (
            Method::DELETE,
            format!("/api/interview/sessions/{sid}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/interview/sessions/{sid}/questions/{qid}/answer"),
            Some(json!({"answer": "stolen"})),
        ),
        (
            Method::POST,
            format!("/api/interview/sessions/{sid}/finish"),
            Some(json!({})),
        ),
        (
            Method::DELETE,
            format!("/api/interview/favorites/{fid}"),
            None,
        ),
    ];
    app.assert_not_found_for(&thief.access, routes.into(), "secret")
        .await;
    let lists = ["/api/interview/sessions", "/api/interview/favorites"];
    for path in lists {
        let body = app.get_json(path, &thief.access).await;
        assert_eq!(body["items"].as_array().expect("items").len(), 0, "{path}");
    }
    // Nothing changed for the owner.
    let mine = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &owner.access)
        .await;
    assert_eq!(mine["status"], "in_progress");
    assert_eq!(mine["questions"][0]["answered"], false);
    let favs = app
        .get_json("/api/interview/favorites", &owner.access)
        .await;
    assert_eq!(favs["items"].as_array().expect("items").len(), 1);
    // Without a token: 401.
    let res = app.get("/api/interview/sessions", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn favourites_are_validated_deduplicated_listed_and_deleted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("starrer").await;
    let body = json!({"field": "frontend", "difficulty": "중", "question": "What is the  event loop?",
                      "intent": "Async model", "model_answer": "The call stack, task queues …", "source": "cheatsheet"});
    let res = app
        .post_json("/api/interview/favorites", body, Some(&me.access))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let first = body_json(res).await;
    assert_eq!(first["difficulty"], "medium");
    assert_eq!(first["question"], "What is the  event loop?");
    // The same question again (case and spacing aside) is the same favourite.
    let res = app
        .post_json(
            "/api/interview/favorites",
            json!({"field": "frontend", "difficulty": "medium", "question": " what is the event   LOOP? ",
                   "intent": "x", "model_answer": "y"}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await["id"], first["id"]);
    for (body, field) in [
        (
            json!({"field": "x", "difficulty": "easy", "question": "q", "intent": "i", "model_answer": "a"}),
            "field",
        ),
        (
            json!({"field": "backend", "difficulty": "trivial", "question": "q", "intent": "i", "model_answer": "a"}),
            "difficulty",
        ),
        (
            json!({"field": "backend", "difficulty": "easy", "question": "q".repeat(501), "intent": "i", "model_answer": "a"}),
            "question",
        ),
        (
            json!({"field": "backend", "difficulty": "easy", "question": " ", "intent": "i", "model_answer": "a"}),
            "question",
        ),
        (
            json!({"field": "backend", "difficulty": "easy", "question": "q", "intent": "i", "model_answer": ""}),
            "model_answer",
        ),
    ] {
        let res = app
            .post_json("/api/interview/favorites", body.clone(), Some(&me.access))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let (_, fields) = error_of(res).await;
        assert!(fields[field].is_string(), "{body}: {fields}");
    }
    // The owner is never taken from the body.
    let res = app
        .post_json(
            "/api/interview/favorites",
            json!({"field": "backend", "difficulty": "easy", "question": "q", "intent": "i",
                   "model_answer": "a", "user_id": "someone-else"}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let list = app.get_json("/api/interview/favorites", &me.access).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    let id = first["id"].as_str().expect("id");
    let path = format!("/api/interview/favorites/{id}");
    let res = app.delete(&path, &me.access).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.delete(&path, &me.access).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let list = app.get_json("/api/interview/favorites", &me.access).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 0);
}

async fn the_cheat_sheet_has_model_answers_in_the_asked_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("reader").await;
    let res = app
        .post_json(
            "/api/interview/cheatsheet",
            json!({"field": "data-ai"}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("ratelimit-remaining"));
    let sheet = body_json(res).await;
    let items = sheet["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(sheet["language"], "ko");
    for item in items {
        assert!(!item["model_answer"].as_str().expect("a").is_empty());
        assert!(!item["intent"].as_str().expect("i").is_empty());
    }
    let res = app
        .request(
            Method::POST,
            "/api/interview/cheatsheet",
            Some(&me.access),
            None,
        )
        .await;
    assert!(res.status().is_client_error());
    let req = app
        .client
        .post(app.url("/api/interview/cheatsheet"))
        .bearer_auth(&me.access)
        .header("accept-language", "en-US,en;q=0.9")
        .json(&json!({"field": "cs-fundamentals", "count": 10}));
    let sheet: Value = req.send().await.expect("sent").json().await.expect("json");
    let items = sheet["items"].as_array().expect("items");
    assert_eq!(items.len(), 10);
    assert_eq!(sheet["language"], "en");
    for item in items {
        let q = item["question"].as_str().expect("q");
        assert!(!q.chars().any(|c| ('가'..='힣').contains(&c)), "{q}");
    }
}

async fn new_sessions_avoid_questions_seen_recently(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("repeat").await;
    let mut seen = HashSet::new();
    for _ in 0..2 {
        let session = app
            .start_interview(
                &me.access,
                json!({"field": "backend", "career": "junior", "count": 5}),
            )
            .await;
        for q in session["questions"].as_array().expect("questions") {
            let text = q["question"].as_str().expect("q").to_owned();
            assert!(seen.insert(text.clone()), "repeated: {text}");
        }
    }
    assert_eq!(seen.len(), 10);
}
