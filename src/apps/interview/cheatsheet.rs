//! The cheat sheet: expected questions of a field with intent, difficulty and model
//! answer. Shares the `interview` quota with sessions.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::input::{CheatsheetInput, Sheet};
use super::{CAREERS, FIELDS, Language, bank, llm};
use crate::auth::extract::AuthUser;
use crate::error::{ErrorBody, Result};
use crate::extract::AppJson;
use crate::quota::{self, Scope};
use crate::state::AppState;

/// One expected question.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheatsheetItem {
    pub question: String,
    pub intent: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    pub model_answer: String,
    pub key_points: Vec<String>,
}

/// A cheat sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cheatsheet {
    pub field: String,
    pub language: String,
    /// `bank`, `llm` or `mixed`.
    pub source: String,
    pub items: Vec<CheatsheetItem>,
}

/// Expected questions for a field with model answers. Costs one `interview` quota slot.
#[utoipa::path(post, path = "/api/interview/cheatsheet", tag = "interview", security(("bearer" = [])),
    request_body = CheatsheetInput,
    responses((status = 200, body = Cheatsheet), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 502, body = ErrorBody), (status = 504, body = ErrorBody)))]
pub async fn cheatsheet(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    AppJson(input): AppJson<CheatsheetInput>,
) -> Result<Response> {
    let Sheet {
        field,
        count,
        language: lang,
    } = Sheet::parse(&input, &headers)?;

    let reservation = quota::reserve(&state, user.id, Scope::Interview).await?;
    let mut items = Vec::with_capacity(count);
    if llm::online(&state) {
        let field_label = FIELDS
            .iter()
            .find(|f| f.id == field)
            .map_or(field, |f| match lang {
                Language::Ko => f.label.ko,
                Language::En => f.label.en,
            });
        let any_level = CAREERS
            .iter()
            .map(|c| match lang {
                Language::Ko => c.label.ko,
                Language::En => c.label.en,
            })
            .collect::<Vec<_>>()
            .join(", ");
        for g in llm::generate_questions(&state, lang, field_label, &any_level, count, &[]).await {
            items.push(CheatsheetItem {
                question: g.question,
                intent: g.intent,
                difficulty: g.difficulty.as_str().to_owned(),
                model_answer: g.model_answer,
                key_points: g.key_points.into_iter().map(|k| k.text).collect(),
            });
        }
    }
    let from_model = items.len();
    if items.len() < count {
        for e in bank::sample(field, count - items.len(), &mut rand::rng()) {
            items.push(CheatsheetItem {
                question: e.question.get(lang).to_owned(),
                intent: e.intent.get(lang).to_owned(),
                difficulty: e.difficulty().as_str().to_owned(),
                model_answer: e.model_answer.get(lang).to_owned(),
                key_points: e.key_points_in(lang).into_iter().map(|k| k.text).collect(),
            });
        }
    }
    let source = match from_model {
        0 => "bank",
        n if n == items.len() => "llm",
        _ => "mixed",
    };
    let sheet = Cheatsheet {
        field: field.to_owned(),
        language: lang.as_str().to_owned(),
        source: source.to_owned(),
        items,
    };
    quota::keep(&state, &reservation).await;
    Ok((reservation.headers(), Json(sheet)).into_response())
}
