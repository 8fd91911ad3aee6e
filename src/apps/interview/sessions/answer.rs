//! Answering a question: once, graded 0–10 by the model or the key-point grader. Never
//! costs quota.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Feedback, key_points_of, owned_session};
use crate::apps::interview::bank;
use crate::apps::interview::input::{AnswerInput, AnswerText};
use crate::apps::interview::{Language, llm, repo};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::AppJson;
use crate::state::AppState;

/// The grade of an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResult {
    pub question_id: Uuid,
    /// 0–10.
    pub score: i64,
    pub feedback: Feedback,
    pub model_answer: String,
    pub intent: String,
    pub key_points: Vec<String>,
}

/// One of the route's two path ids, which [`crate::extract::IdPath`] cannot take:
/// like it, anything that is not an id is simply not found (404).
fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

fn already_answered() -> Error {
    Error::Conflict {
        code: "already_answered",
        message: "this question has already been answered".into(),
    }
}

fn session_finished() -> Error {
    Error::Conflict {
        code: "session_finished",
        message: "this session is finished; start a new one to practise more".into(),
    }
}

/// Answer a question once: graded 0–10 with feedback; reveals the model answer. Never
/// costs quota.
#[utoipa::path(post, path = "/api/interview/sessions/{id}/questions/{qid}/answer", tag = "interview",
    security(("bearer" = [])), params(("id" = String, Path), ("qid" = String, Path)),
    request_body = AnswerInput,
    responses((status = 200, body = AnswerResult), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn answer_question(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, qid)): Path<(String, String)>,
    AppJson(input): AppJson<AnswerInput>,
) -> Result<Json<AnswerResult>> {
    let session = owned_session(&state, &user, parse_id(&id)?).await?;
    let qid = parse_id(&qid)?;
    let questions = repo::questions(&state.db, session.id).await?;
    let question = questions
        .into_iter()
        .find(|q| q.id == qid)
        .ok_or(Error::NotFound)?;
    let answer = AnswerText::parse(&input.answer)?.as_str();
    if session.status == "finished" {
        return Err(session_finished());
    }
    if question.answer.is_some() {
        return Err(already_answered());
    }
    let lang = Language::parse(&session.language).unwrap_or(Language::Ko);
    let points = key_points_of(&question);
    // The answer is claimed first, with the key-point grade: of any number of requests
    // racing for this question exactly one wins, and only the winner asks the model.
    let offline = bank::grade(answer, &points, lang);
    let claim = repo::GradedAnswer {
        answer,
        score: offline.score,
        good: &offline.good,
        missing: &offline.missing,
    };
    let Some(row) = repo::record_answer(&state.db, user.id, session.id, qid, &claim).await? else {
        // Someone else got there first: tell which.
        return match repo::get_session(&state.db, user.id, session.id).await? {
            None => Err(Error::NotFound),
            Some(s) if s.status == "finished" => Err(session_finished()),
            Some(_) => Err(already_answered()),
        };
    };
    let graded = llm::grade(
        &state,
        lang,
        &question.question,
        &question.model_answer,
        &points,
        answer,
    )
    .await;
    let (score, good, missing) = match graded {
        Some((score, good, missing)) => {
            repo::regrade(&state.db, qid, score, &good, &missing).await?;
            (score, good, missing)
        }
        None => (offline.score, offline.good, offline.missing),
    };
    Ok(Json(AnswerResult {
        question_id: row.id,
        score,
        feedback: Feedback::new(good, missing),
        key_points: points.into_iter().map(|k| k.text).collect(),
        model_answer: row.model_answer,
        intent: row.intent,
    }))
}
