//! Starting a session: questions from the model when one is configured, the rest from
//! the bank; one `interview` quota slot, refunded when the session cannot be created.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{SessionView, label, session_view};
use crate::apps::interview::bank;
use crate::apps::interview::input::{Start, StartSession};
use crate::apps::interview::repo::{self, NewQuestion};
use crate::apps::interview::{CAREERS, FIELDS, Language, llm};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::AppJson;
use crate::quota::{self, Scope};
use crate::state::AppState;

/// How many of the user's latest sessions of a field count as "recent" when avoiding
/// repeated questions.
const RECENT_SESSIONS: i64 = 5;

/// Questions for a new session: from the model when one is configured and its output is
/// valid, the rest from the bank. Returns the questions and their source.
async fn build_questions(
    state: &AppState,
    user: &AuthUser,
    field: &str,
    career: &str,
    count: usize,
    lang: Language,
) -> Result<(Vec<NewQuestion>, &'static str)> {
    let mut out = Vec::with_capacity(count);
    if llm::online(state) {
        let avoid = repo::recent_questions(&state.db, user.id, field, 30).await?;
        let generated = llm::generate_questions(
            state,
            lang,
            &label(FIELDS, field, lang),
            &label(CAREERS, career, lang),
            count,
            &avoid,
        )
        .await;
        for g in generated {
            out.push(NewQuestion {
                bank_id: None,
                question: g.question,
                intent: g.intent,
                difficulty: g.difficulty.as_str(),
                model_answer: g.model_answer,
                key_points: serde_json::to_string(&g.key_points).map_err(Error::internal)?,
            });
        }
    }
    let from_model = out.len();
    if out.len() < count {
        let seen: HashSet<String> =
            repo::recent_bank_ids(&state.db, user.id, field, RECENT_SESSIONS)
                .await?
                .into_iter()
                .collect();
        let picked = bank::pick(field, career, count - out.len(), &seen, &mut rand::rng());
        for e in picked {
            out.push(NewQuestion {
                bank_id: Some(e.id.clone()),
                question: e.question.get(lang).to_owned(),
                intent: e.intent.get(lang).to_owned(),
                difficulty: e.difficulty().as_str(),
                model_answer: e.model_answer.get(lang).to_owned(),
                key_points: serde_json::to_string(&e.key_points_in(lang))
                    .map_err(Error::internal)?,
            });
        }
    }
    let source = match from_model {
        0 => "bank",
        n if n == out.len() => "llm",
        _ => "mixed",
    };
    Ok((out, source))
}

/// Start a session: questions with intent and difficulty; model answers stay hidden.
/// Costs one `interview` quota slot.
#[utoipa::path(post, path = "/api/interview/sessions", tag = "interview", security(("bearer" = [])),
    request_body = StartSession,
    responses((status = 201, body = SessionView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 502, body = ErrorBody), (status = 504, body = ErrorBody)))]
pub async fn start_session(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    AppJson(input): AppJson<StartSession>,
) -> Result<Response> {
    let Start {
        field,
        career,
        count,
        language: lang,
    } = Start::parse(&input, &headers)?;

    let reservation = quota::reserve(&state, user.id, Scope::Interview).await?;
    let created = async {
        let (questions, source) =
            build_questions(&state, &user, field, career, count, lang).await?;
        if questions.is_empty() {
            return Err(Error::internal("the bank has no questions for this field"));
        }
        let id = repo::insert_session(
            &state.db,
            user.id,
            field,
            career,
            lang.as_str(),
            source,
            &questions,
        )
        .await?;
        let session = repo::get_session(&state.db, user.id, id)
            .await?
            .ok_or_else(|| Error::internal("new session vanished"))?;
        let questions = repo::questions(&state.db, id).await?;
        Ok(session_view(session, questions))
    }
    .await;
    match created {
        Ok(view) => {
            quota::keep(&state, &reservation).await;
            Ok((StatusCode::CREATED, reservation.headers(), Json(view)).into_response())
        }
        Err(err) => {
            if let Err(e) = quota::refund(&state, &reservation).await {
                tracing::error!(error = %e, "quota refund failed");
            }
            Err(err)
        }
    }
}
