//! Interview sessions: start (one `interview` quota slot), answer each question once,
//! finish with an overall score, list, reopen and delete.
//!
//! The overall score is the mean over *all* questions with skipped ones counting 0,
//! rounded to one decimal; answering and finishing never cost quota.
//!
//! This file holds the views, listing, reopening and deleting, and the helpers the steps
//! share; each step has its own file: [`start`], [`answer`], [`finish`].

pub(super) mod answer;
pub(super) mod finish;
pub(super) mod start;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::bank::{self, KeyPoint};
use super::repo::{self, QuestionRow, SessionRow};
use super::{CatalogItem, Language};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::Page;
use crate::extract::{IdPath, Pagination};
use crate::state::AppState;

/// Feedback on an answer: each side as text (one `- ` bullet a line from the offline
/// grader, free text from a model) and as the list of its items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Feedback {
    /// What the answer got right; empty when nothing was.
    pub good: String,
    /// What it missed.
    pub missing: String,
    /// `good` as a list: its lines without their bullets.
    pub good_items: Vec<String>,
    /// `missing` as a list.
    pub missing_items: Vec<String>,
}

impl Feedback {
    pub fn new(good: String, missing: String) -> Feedback {
        Feedback {
            good_items: bank::items(&good),
            missing_items: bank::items(&missing),
            good,
            missing,
        }
    }
}

/// A question of a session. The model answer and key points stay hidden until the
/// question is answered or the session is finished.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: Uuid,
    /// 1-based.
    pub position: i64,
    pub question: String,
    pub intent: String,
    /// `easy`, `medium` or `hard` (하/중/상).
    pub difficulty: String,
    pub answered: bool,
    pub answer: Option<String>,
    pub score: Option<i64>,
    pub feedback: Option<Feedback>,
    pub model_answer: Option<String>,
    pub key_points: Option<Vec<String>>,
}

/// One line of the final breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownItem {
    pub question_id: Uuid,
    pub position: i64,
    pub question: String,
    pub difficulty: String,
    /// `null` when skipped.
    pub score: Option<i64>,
    pub skipped: bool,
}

/// The result of a finished session.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinishResult {
    /// 0–10, one decimal; skipped questions count 0.
    pub score: f64,
    /// What to work on.
    pub complement: String,
    pub breakdown: Vec<BreakdownItem>,
}

/// A session with its questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub field: String,
    pub career: String,
    pub language: String,
    /// `bank`, `llm` or `mixed`: where the questions came from.
    pub source: String,
    /// `in_progress` or `finished`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub questions: Vec<QuestionView>,
    /// Present once finished.
    pub result: Option<FinishResult>,
}

/// A session in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummary {
    pub id: Uuid,
    pub field: String,
    pub career: String,
    pub language: String,
    pub status: String,
    pub question_count: i64,
    pub answered_count: i64,
    pub score: Option<f64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

fn key_points_of(row: &QuestionRow) -> Vec<KeyPoint> {
    serde_json::from_str(&row.key_points).unwrap_or_default()
}

fn tenths_to_score(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

fn question_view(q: QuestionRow, finished: bool) -> QuestionView {
    let answered = q.answer.is_some();
    let reveal = answered || finished;
    let points = key_points_of(&q).into_iter().map(|k| k.text).collect();
    QuestionView {
        id: q.id,
        position: q.position,
        question: q.question,
        intent: q.intent,
        difficulty: q.difficulty,
        answered,
        answer: q.answer,
        score: q.score,
        feedback: match (q.feedback_good, q.feedback_missing) {
            (Some(good), Some(missing)) => Some(Feedback::new(good, missing)),
            _ => None,
        },
        model_answer: reveal.then_some(q.model_answer),
        key_points: reveal.then_some(points),
    }
}

fn breakdown(questions: &[QuestionRow]) -> Vec<BreakdownItem> {
    questions
        .iter()
        .map(|q| BreakdownItem {
            question_id: q.id,
            position: q.position,
            question: q.question.clone(),
            difficulty: q.difficulty.clone(),
            score: q.score,
            skipped: q.answer.is_none(),
        })
        .collect()
}

fn session_view(s: SessionRow, questions: Vec<QuestionRow>) -> SessionView {
    let finished = s.status == "finished";
    let result = match (finished, s.score_tenths, s.complement.clone()) {
        (true, Some(tenths), Some(complement)) => Some(FinishResult {
            score: tenths_to_score(tenths),
            complement,
            breakdown: breakdown(&questions),
        }),
        _ => None,
    };
    SessionView {
        id: s.id,
        field: s.field,
        career: s.career,
        language: s.language,
        source: s.source,
        status: s.status,
        created_at: s.created_at,
        finished_at: s.finished_at,
        questions: questions
            .into_iter()
            .map(|q| question_view(q, finished))
            .collect(),
        result,
    }
}

fn label(items: &[CatalogItem], id: &str, lang: Language) -> String {
    items
        .iter()
        .find(|i| i.id == id)
        .map(|i| match lang {
            Language::Ko => i.label.ko,
            Language::En => i.label.en,
        })
        .unwrap_or(id)
        .to_owned()
}

/// Your sessions, newest first.
#[utoipa::path(get, path = "/api/interview/sessions", tag = "interview", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<SessionSummary>), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
) -> Result<Json<Page<SessionSummary>>> {
    let rows =
        repo::list_sessions(&state.db, user.id, page.id_cursor()?, page.fetch_limit()).await?;
    Ok(Json(page.page(
        rows,
        |r| r.id.to_string(),
        |r| SessionSummary {
            id: r.id,
            field: r.field,
            career: r.career,
            language: r.language,
            status: r.status,
            question_count: r.question_count,
            answered_count: r.answered_count,
            score: r.score_tenths.map(tenths_to_score),
            created_at: r.created_at,
            finished_at: r.finished_at,
        },
    )))
}

/// The caller's session with this id; anyone else's is not found.
async fn owned_session(state: &AppState, user: &AuthUser, id: Uuid) -> Result<SessionRow> {
    repo::get_session(&state.db, user.id, id)
        .await?
        .ok_or(Error::NotFound)
}

/// A session with its questions, answers and (when finished) result.
#[utoipa::path(get, path = "/api/interview/sessions/{id}", tag = "interview", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SessionView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get_session(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<Json<SessionView>> {
    let session = owned_session(&state, &user, id).await?;
    let questions = repo::questions(&state.db, session.id).await?;
    Ok(Json(session_view(session, questions)))
}

/// Delete a session.
#[utoipa::path(delete, path = "/api/interview/sessions/{id}", tag = "interview", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn delete_session(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    if repo::delete_session(&state.db, user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}
