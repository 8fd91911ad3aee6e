//! The mock interview: catalog, sessions (start → answer → finish) offline and with a fake
//! model upstream (good JSON, malformed JSON, failures), quota, favourites, cheat sheet,
//! and ownership.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{
    Backend, TestApp, Tokens, body_json, error_of, spawn_app, spawn_app_with_openai,
};
use crate::on_both_backends;
use confab::apps::interview::bank;

on_both_backends!(
    the_catalog_lists_fields_careers_and_difficulties,
    starting_a_session_gives_korean_bank_questions_without_their_answers,
    a_blank_or_too_long_answer_is_a_400_and_an_unknown_question_a_404_changing_nothing,
    a_weak_answer_scores_low_and_names_what_was_missed,
    the_bank_model_answer_scores_at_least_eight,
    a_bare_list_of_the_key_terms_scores_at_most_two_and_is_told_to_explain,
    answering_a_question_again_is_a_409_already_answered,
    two_concurrent_answers_to_one_question_let_exactly_one_through,
    a_reopened_session_shows_answers_and_model_answers_of_answered_questions_only,
    finishing_counts_a_skipped_question_as_zero_and_says_so,
    a_finished_session_refuses_answers_with_a_409_session_finished,
    finishing_again_returns_the_same_result,
    a_finished_session_reopens_with_its_result_and_every_model_answer,
    finished_sessions_are_listed_with_their_counts_and_score,
    a_deleted_session_is_404,
    answering_and_finishing_cost_no_quota,
    with_a_model_the_questions_come_from_its_structured_output,
    with_a_model_the_grade_and_feedback_come_from_it,
    a_model_grade_outside_0_to_10_is_replaced_by_the_key_point_grader,
    with_a_model_the_complement_comes_from_it_and_the_score_is_the_mean,
    partial_model_output_keeps_the_valid_questions_and_the_bank_fills_the_rest,
    when_the_model_answers_in_prose_the_bank_steps_in,
    when_the_model_sends_malformed_json_the_bank_steps_in,
    when_the_model_fails_with_a_500_the_bank_steps_in,
    when_the_model_hangs_the_bank_steps_in,
    when_the_model_fails_the_cheat_sheet_comes_from_the_bank_without_key_or_url,
    bad_start_bodies_are_400s_and_cost_nothing,
    a_cheat_sheet_of_more_than_ten_is_a_400_on_count_and_costs_nothing,
    a_sixth_start_or_cheat_sheet_in_a_day_is_a_429_on_the_interview_scope,
    interview_calls_leave_the_chat_quota_alone,
    over_the_limit_a_started_session_can_still_be_answered_and_finished,
    every_session_and_question_route_with_another_users_token_is_404_and_changes_nothing,
    another_users_favourite_is_404_to_delete_and_missing_from_your_list,
    the_interview_routes_need_a_token,
    saving_a_favourite_normalises_the_difficulty_and_keeps_the_question_as_written,
    the_same_question_again_case_and_spacing_aside_is_the_same_favourite,
    each_bad_favourite_body_is_a_400_naming_its_field,
    a_favourite_body_naming_an_owner_is_a_400,
    a_deleted_favourite_leaves_the_list_and_deleting_it_again_is_404,
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

/// The body that starts a Korean offline session of three backend questions.
fn three_backend_questions() -> Value {
    json!({"field": "backend", "career": "junior", "count": 3, "language": "ko"})
}

/// An answer the key-point grader scores low.
const WEAK_ANSWER: &str = "잘 모르겠습니다.";

/// An offline session of three questions: the first answered weakly, the second with the
/// bank's model answer, the third not yet answered.
struct TwoAnswered {
    sid: String,
    ids: Vec<String>,
    weak: Value,
    good: Value,
}

async fn a_session_with_two_answers(app: &TestApp, token: &str) -> TwoAnswered {
    let session = app.start_interview(token, three_backend_questions()).await;
    let sid = session["id"].as_str().expect("id").to_owned();
    let ids = question_ids(&session);
    let res = app.answer_question(token, &sid, &ids[0], WEAK_ANSWER).await;
    assert_eq!(res.status(), StatusCode::OK);
    let weak = body_json(res).await;
    let perfect = bank_answer(session["questions"][1]["question"].as_str().expect("q"));
    let res = app.answer_question(token, &sid, &ids[1], &perfect).await;
    assert_eq!(res.status(), StatusCode::OK);
    let good = body_json(res).await;
    TwoAnswered {
        sid,
        ids,
        weak,
        good,
    }
}

/// [`a_session_with_two_answers`], finished: the session and the finish result.
async fn a_finished_session(app: &TestApp, token: &str) -> (TwoAnswered, Value) {
    let session = a_session_with_two_answers(app, token).await;
    let res = app.finish_interview(token, &session.sid).await;
    assert_eq!(res.status(), StatusCode::OK);
    let result = body_json(res).await;
    (session, result)
}

async fn starting_a_session_gives_korean_bank_questions_without_their_answers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let res = app
        .post_json(
            "/api/interview/sessions",
            three_backend_questions(),
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
}

async fn a_blank_or_too_long_answer_is_a_400_and_an_unknown_question_a_404_changing_nothing(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let session = app
        .start_interview(&me.access, three_backend_questions())
        .await;
    let sid = session["id"].as_str().expect("id").to_owned();
    let ids = question_ids(&session);
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

    let reopened = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &me.access)
        .await;
    assert_eq!(reopened["questions"][0]["answered"], false);
    let res = app
        .answer_question(&me.access, &sid, &ids[0], WEAK_ANSWER)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "still open for an answer");
}

async fn a_weak_answer_scores_low_and_names_what_was_missed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let TwoAnswered { weak, .. } = a_session_with_two_answers(&app, &me.access).await;
    assert!(weak["score"].as_i64().expect("score") <= 2, "{weak}");
    // Nothing good to say is said as nothing: no "found no key point" under "good".
    assert_eq!(weak["feedback"]["good"], "", "{weak}");
    assert_eq!(weak["feedback"]["good_items"], json!([]), "{weak}");
    // What is missing: every key point, one bullet each, also as a list.
    let points = weak["key_points"].as_array().expect("points");
    let missing = weak["feedback"]["missing_items"]
        .as_array()
        .expect("missing items");
    assert_eq!(missing, points, "{weak}");
    let text = weak["feedback"]["missing"].as_str().expect("missing");
    assert_eq!(text.lines().count(), points.len(), "{text}");
    assert!(text.lines().all(|l| l.starts_with("- ")), "{text}");
    assert!(
        !weak["model_answer"]
            .as_str()
            .expect("model answer")
            .is_empty()
    );
    assert!(!weak["key_points"].as_array().expect("points").is_empty());
}

async fn the_bank_model_answer_scores_at_least_eight(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let TwoAnswered { good, .. } = a_session_with_two_answers(&app, &me.access).await;
    assert!(good["score"].as_i64().expect("score") >= 8, "{good}");
}

/// The first term of every group of every key point of a bank question, comma-separated:
/// the keyword salad that used to score 8/10.
fn key_term_list(question: &str) -> String {
    let entry = bank::bank()
        .iter()
        .find(|e| e.question.ko == question || e.question.en == question)
        .expect("question comes from the bank");
    entry
        .key_points
        .iter()
        .flat_map(|k| k.terms.iter().filter_map(|g| g.first().cloned()))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn a_bare_list_of_the_key_terms_scores_at_most_two_and_is_told_to_explain(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let session = app
        .start_interview(&me.access, three_backend_questions())
        .await;
    let sid = session["id"].as_str().expect("id").to_owned();
    let ids = question_ids(&session);
    let salad = key_term_list(session["questions"][0]["question"].as_str().expect("q"));
    let res = app.answer_question(&me.access, &sid, &ids[0], &salad).await;
    assert_eq!(res.status(), StatusCode::OK);
    let graded = body_json(res).await;
    assert!(
        graded["score"].as_i64().expect("score") <= 2,
        "{salad}: {graded}"
    );
    let good = graded["feedback"]["good"].as_str().expect("good");
    assert!(!good.contains("찾지 못"), "{good}");
    assert!(good.starts_with("- 관련 용어를 알고 있어요"), "{good}");
    let missing = graded["feedback"]["missing_items"]
        .as_array()
        .expect("missing items");
    assert!(
        missing[0].as_str().expect("item").contains("완결된 문장"),
        "{graded}"
    );
    // The reopened session shows the same feedback, as text and as lists.
    let reopened = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &me.access)
        .await;
    assert_eq!(reopened["questions"][0]["feedback"], graded["feedback"]);
    // The complement names it, as a bullet, with no "을(를)".
    let res = app.finish_interview(&me.access, &sid).await;
    let result = body_json(res).await;
    let complement = result["complement"].as_str().expect("complement");
    assert!(!complement.contains("(를)"), "{complement}");
    assert!(
        complement.lines().any(|l| l.starts_with("- 「")),
        "{complement}"
    );
}

async fn answering_a_question_again_is_a_409_already_answered(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let TwoAnswered { sid, ids, .. } = a_session_with_two_answers(&app, &me.access).await;
    let res = app
        .answer_question(&me.access, &sid, &ids[0], "다시 답합니다")
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "already_answered");
}

async fn two_concurrent_answers_to_one_question_let_exactly_one_through(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let session = app
        .start_interview(&me.access, three_backend_questions())
        .await;
    let sid = session["id"].as_str().expect("id").to_owned();
    let ids = question_ids(&session);
    let perfect = bank_answer(session["questions"][1]["question"].as_str().expect("q"));
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
}

async fn a_reopened_session_shows_answers_and_model_answers_of_answered_questions_only(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let TwoAnswered { sid, .. } = a_session_with_two_answers(&app, &me.access).await;
    let reopened = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &me.access)
        .await;
    assert_eq!(reopened["questions"][0]["answered"], true);
    assert_eq!(reopened["questions"][0]["answer"], WEAK_ANSWER);
    assert!(reopened["questions"][0]["model_answer"].is_string());
    assert!(reopened["questions"][2]["model_answer"].is_null());
}

async fn finishing_counts_a_skipped_question_as_zero_and_says_so(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let (TwoAnswered { weak, good, .. }, result) = a_finished_session(&app, &me.access).await;
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
}

async fn a_finished_session_refuses_answers_with_a_409_session_finished(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let (TwoAnswered { sid, ids, .. }, _) = a_finished_session(&app, &me.access).await;
    let res = app
        .answer_question(&me.access, &sid, &ids[2], "늦은 답")
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await.0, "session_finished");
}

async fn finishing_again_returns_the_same_result(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let (TwoAnswered { sid, .. }, result) = a_finished_session(&app, &me.access).await;
    let res = app.finish_interview(&me.access, &sid).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_json(res).await, result);
}

async fn a_finished_session_reopens_with_its_result_and_every_model_answer(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let (TwoAnswered { sid, .. }, result) = a_finished_session(&app, &me.access).await;
    let reopened = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &me.access)
        .await;
    assert_eq!(reopened["status"], "finished");
    assert_eq!(reopened["result"]["score"], result["score"]);
    assert!(reopened["questions"][2]["model_answer"].is_string());
}

async fn finished_sessions_are_listed_with_their_counts_and_score(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let (_, result) = a_finished_session(&app, &me.access).await;
    let list = app.get_json("/api/interview/sessions", &me.access).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["answered_count"], 2);
    assert_eq!(items[0]["question_count"], 3);
    assert_eq!(items[0]["score"], result["score"]);
}

async fn a_deleted_session_is_404(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    let (TwoAnswered { sid, .. }, _) = a_finished_session(&app, &me.access).await;
    let path = format!("/api/interview/sessions/{sid}");
    let res = app.delete(&path, &me.access).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.get(&path, Some(&me.access)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn answering_and_finishing_cost_no_quota(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("candidate").await;
    a_finished_session(&app, &me.access).await;
    // One start, one slot.
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

/// A server whose model is a fake upstream (no interview limit: these tests start more
/// sessions than a day's default quota; the quota has its own tests), and a member.
async fn with_a_model(backend: Backend) -> Option<(TestApp, FakeUpstream, Tokens)> {
    let fake = FakeUpstream::start(Behavior::default()).await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), |c| {
        c.set_quota_limit("interview", 0)
    })
    .await?;
    let me = app.member("modeluser").await;
    Some((app, fake, me))
}

/// Starts an English session of two questions that the model generates: (session id,
/// question ids, session).
async fn a_generated_session(
    app: &TestApp,
    fake: &FakeUpstream,
    token: &str,
) -> (String, Vec<String>, Value) {
    fake.set(Behavior::reply(generated(2)));
    let session = app
        .start_interview(
            token,
            json!({"field": "backend", "career": "mid", "count": 2, "language": "en"}),
        )
        .await;
    let sid = session["id"].as_str().expect("id").to_owned();
    let ids = question_ids(&session);
    (sid, ids, session)
}

/// Answers a question while the model replies `grade` (JSON); returns the graded answer.
async fn answer_graded(
    app: &TestApp,
    fake: &FakeUpstream,
    token: &str,
    ids: (&str, &str),
    grade: Value,
    answer: &str,
) -> Value {
    fake.set(Behavior::reply(grade.to_string()));
    let res = app.answer_question(token, ids.0, ids.1, answer).await;
    assert_eq!(res.status(), StatusCode::OK);
    body_json(res).await
}

const FULL_ANSWER: &str =
    "The idempotency key is stored with the result, and retries replay the stored result.";

async fn with_a_model_the_questions_come_from_its_structured_output(backend: Backend) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    let (_, _, session) = a_generated_session(&app, &fake, &me.access).await;
    assert_eq!(session["source"], "llm");
    assert!(
        session["questions"][0]["question"]
            .as_str()
            .expect("q")
            .starts_with("Generated question 1")
    );
    let request = fake.last_request().expect("request");
    assert_eq!(request["response_format"]["type"], "json_schema");
}

async fn with_a_model_the_grade_and_feedback_come_from_it(backend: Backend) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    let (sid, ids, _) = a_generated_session(&app, &fake, &me.access).await;
    let grade = json!({"score": 7, "good": "Mentions the key.", "missing": "No storage detail."});
    let graded = answer_graded(
        &app,
        &fake,
        &me.access,
        (&sid, &ids[0]),
        grade,
        "Use an idempotency key.",
    )
    .await;
    assert_eq!(graded["score"], 7);
    assert_eq!(graded["feedback"]["good"], "Mentions the key.");
    // A model's free text is one item.
    assert_eq!(
        graded["feedback"]["good_items"],
        json!(["Mentions the key."])
    );
    assert_eq!(
        graded["feedback"]["missing_items"],
        json!(["No storage detail."])
    );
    assert_eq!(
        graded["model_answer"],
        "Clients send an idempotency key; the server stores the first result under it and replays it for retries."
    );
}

async fn a_model_grade_outside_0_to_10_is_replaced_by_the_key_point_grader(backend: Backend) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    let (sid, ids, _) = a_generated_session(&app, &fake, &me.access).await;
    let grade = json!({"score": 42, "good": "x", "missing": "y"});
    let graded = answer_graded(&app, &fake, &me.access, (&sid, &ids[1]), grade, FULL_ANSWER).await;
    assert_eq!(graded["score"], 10, "{graded}");
}

async fn with_a_model_the_complement_comes_from_it_and_the_score_is_the_mean(backend: Backend) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    let (sid, ids, _) = a_generated_session(&app, &fake, &me.access).await;
    let grade = json!({"score": 7, "good": "Mentions the key.", "missing": "No storage detail."});
    answer_graded(
        &app,
        &fake,
        &me.access,
        (&sid, &ids[0]),
        grade,
        "Use an idempotency key.",
    )
    .await;
    let grade = json!({"score": 42, "good": "x", "missing": "y"});
    answer_graded(&app, &fake, &me.access, (&sid, &ids[1]), grade, FULL_ANSWER).await;
    fake.set(Behavior::reply(
        json!({"complement": "Practise storage design."}).to_string(),
    ));
    let res = app.finish_interview(&me.access, &sid).await;
    assert_eq!(res.status(), StatusCode::OK);
    let result = body_json(res).await;
    assert_eq!(result["complement"], "Practise storage design.");
    assert_eq!(result["score"], 8.5);
}

async fn partial_model_output_keeps_the_valid_questions_and_the_bank_fills_the_rest(
    backend: Backend,
) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
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
}

/// With the model answering `behavior` throughout, a session is started, answered and
/// finished from the bank alone; never a 500.
async fn assert_the_bank_steps_in_when_the_model(backend: Backend, behavior: Behavior) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
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

async fn when_the_model_answers_in_prose_the_bank_steps_in(backend: Backend) {
    let prose = Behavior::reply("1. What is REST?\n2. What is a JOIN?");
    assert_the_bank_steps_in_when_the_model(backend, prose).await;
}

async fn when_the_model_sends_malformed_json_the_bank_steps_in(backend: Backend) {
    let malformed = Behavior::fault(Fault::MalformedChunk(0));
    assert_the_bank_steps_in_when_the_model(backend, malformed).await;
}

async fn when_the_model_fails_with_a_500_the_bank_steps_in(backend: Backend) {
    assert_the_bank_steps_in_when_the_model(backend, Behavior::fault(Fault::Status(500))).await;
}

async fn when_the_model_hangs_the_bank_steps_in(backend: Backend) {
    let hang = Behavior::fault(Fault::HangBeforeHeaders);
    assert_the_bank_steps_in_when_the_model(backend, hang).await;
}

async fn when_the_model_fails_the_cheat_sheet_comes_from_the_bank_without_key_or_url(
    backend: Backend,
) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
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

async fn bad_start_bodies_are_400s_and_cost_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("busy").await;
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
            "/api/interview/sessions",
            json!({"field": "nope", "career": "nope"}),
            Some(&me.access),
        )
        .await;
    let (_, fields) = error_of(res).await;
    assert!(fields["field"].is_string() && fields["career"].is_string());
    assert_eq!(app.quota_used(&me.access, "interview").await, 0);
}

async fn a_cheat_sheet_of_more_than_ten_is_a_400_on_count_and_costs_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("busy").await;
    let res = app
        .post_json(
            "/api/interview/cheatsheet",
            json!({"field": "backend", "count": 11}),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(res).await.1["count"].is_string());
    assert_eq!(app.quota_used(&me.access, "interview").await, 0);
}

/// Uses up the default interview quota of five with one session start, then cheat sheets
/// and starts in turn; returns the first session.
async fn five_starts_and_cheat_sheets(app: &TestApp, token: &str) -> Value {
    let first = app
        .start_interview(
            token,
            json!({"field": "backend", "career": "junior", "count": 2}),
        )
        .await;
    for i in 0..4 {
        let res = if i % 2 == 0 {
            app.post_json(
                "/api/interview/cheatsheet",
                json!({"field": "devops"}),
                Some(token),
            )
            .await
        } else {
            app.post_json(
                "/api/interview/sessions",
                json!({"field": "mobile", "career": "senior", "count": 1}),
                Some(token),
            )
            .await
        };
        assert!(res.status().is_success(), "call {i}: {}", res.status());
    }
    first
}

async fn a_sixth_start_or_cheat_sheet_in_a_day_is_a_429_on_the_interview_scope(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("busy").await;
    five_starts_and_cheat_sheets(&app, &me.access).await;
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
}

async fn interview_calls_leave_the_chat_quota_alone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("busy").await;
    five_starts_and_cheat_sheets(&app, &me.access).await;
    assert_eq!(app.quota_used(&me.access, "interview").await, 5);
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn over_the_limit_a_started_session_can_still_be_answered_and_finished(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("busy").await;
    let first = five_starts_and_cheat_sheets(&app, &me.access).await;
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

async fn every_session_and_question_route_with_another_users_token_is_404_and_changes_nothing(
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
    ];
    app.assert_not_found_for(&thief.access, routes.into(), "secret")
        .await;
    let theirs = app.get_json("/api/interview/sessions", &thief.access).await;
    assert_eq!(theirs["items"].as_array().expect("items").len(), 0);
    // Nothing changed for the owner.
    let mine = app
        .get_json(&format!("/api/interview/sessions/{sid}"), &owner.access)
        .await;
    assert_eq!(mine["status"], "in_progress");
    assert_eq!(mine["questions"][0]["answered"], false);
}

async fn another_users_favourite_is_404_to_delete_and_missing_from_your_list(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let owner = app.member("owner").await;
    let thief = app.member("thief").await;
    let res = app
        .post_json(
            "/api/interview/favorites",
            json!({"field": "backend", "difficulty": "hard", "question": "Owner's secret question?",
                   "intent": "i", "model_answer": "a"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let fid = body_json(res).await["id"].as_str().expect("id").to_owned();
    let routes = vec![(
        Method::DELETE,
        format!("/api/interview/favorites/{fid}"),
        None,
    )];
    app.assert_not_found_for(&thief.access, routes, "secret")
        .await;
    let theirs = app
        .get_json("/api/interview/favorites", &thief.access)
        .await;
    assert_eq!(theirs["items"].as_array().expect("items").len(), 0);
    // Nothing changed for the owner.
    let favs = app
        .get_json("/api/interview/favorites", &owner.access)
        .await;
    assert_eq!(favs["items"].as_array().expect("items").len(), 1);
}

async fn the_interview_routes_need_a_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/api/interview/sessions", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// Saves "What is the  event loop?" (difficulty given in Korean, "중") as a favourite;
/// returns it.
async fn save_the_event_loop_question(app: &TestApp, token: &str) -> Value {
    let body = json!({"field": "frontend", "difficulty": "중", "question": "What is the  event loop?",
                      "intent": "Async model", "model_answer": "The call stack, task queues …", "source": "cheatsheet"});
    let res = app
        .post_json("/api/interview/favorites", body, Some(token))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    body_json(res).await
}

fn favourite_count(list: &Value) -> usize {
    list["items"].as_array().expect("items").len()
}

async fn saving_a_favourite_normalises_the_difficulty_and_keeps_the_question_as_written(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("starrer").await;
    let first = save_the_event_loop_question(&app, &me.access).await;
    assert_eq!(first["difficulty"], "medium");
    assert_eq!(first["question"], "What is the  event loop?");
}

async fn the_same_question_again_case_and_spacing_aside_is_the_same_favourite(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("starrer").await;
    let first = save_the_event_loop_question(&app, &me.access).await;
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
    let list = app.get_json("/api/interview/favorites", &me.access).await;
    assert_eq!(favourite_count(&list), 1);
}

async fn each_bad_favourite_body_is_a_400_naming_its_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("starrer").await;
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
    let list = app.get_json("/api/interview/favorites", &me.access).await;
    assert_eq!(favourite_count(&list), 0);
}

async fn a_favourite_body_naming_an_owner_is_a_400(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("starrer").await;
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
    assert_eq!(favourite_count(&list), 0);
}

async fn a_deleted_favourite_leaves_the_list_and_deleting_it_again_is_404(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("starrer").await;
    let first = save_the_event_loop_question(&app, &me.access).await;
    let list = app.get_json("/api/interview/favorites", &me.access).await;
    assert_eq!(favourite_count(&list), 1);
    let id = first["id"].as_str().expect("id");
    let path = format!("/api/interview/favorites/{id}");
    let res = app.delete(&path, &me.access).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.delete(&path, &me.access).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let list = app.get_json("/api/interview/favorites", &me.access).await;
    assert_eq!(favourite_count(&list), 0);
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
