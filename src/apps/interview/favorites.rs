//! Favourites ("나만 보기"): questions a user starred from a session or cheat sheet.
//! The owner is always the caller; starring the same question again returns the
//! existing favourite (questions compare case-insensitively, whitespace collapsed).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::repo::{self, FavoriteRow, NewFavorite};
use super::{Difficulty, parse_field};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result, required_text};
use crate::extract::Page;
use crate::extract::{AppJson, Pagination};
use crate::state::AppState;

const MAX_QUESTION: usize = 500;
const MAX_INTENT: usize = 2000;
const MAX_MODEL_ANSWER: usize = 10_000;
const MAX_SOURCE: usize = 200;

/// A question to star.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddFavorite {
    /// A field id from the catalog.
    pub field: String,
    /// `easy`, `medium`, `hard` (or 하, 중, 상).
    pub difficulty: String,
    /// 1–500 characters.
    pub question: String,
    pub intent: String,
    pub model_answer: String,
    /// Where it came from, e.g. `session:<id>` or `cheatsheet`.
    pub source: Option<String>,
}

/// A starred question.
#[derive(Debug, Serialize, ToSchema)]
pub struct Favorite {
    pub id: Uuid,
    pub field: String,
    pub difficulty: String,
    pub question: String,
    pub intent: String,
    pub model_answer: String,
    pub source: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<FavoriteRow> for Favorite {
    fn from(r: FavoriteRow) -> Self {
        Favorite {
            id: r.id,
            field: r.field,
            difficulty: r.difficulty,
            question: r.question,
            intent: r.intent,
            model_answer: r.model_answer,
            source: r.source,
            created_at: r.created_at,
        }
    }
}

/// The key two stars of one question share.
fn question_key(question: &str) -> String {
    question
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Star a question. 201 when new; 200 with the existing favourite when already starred.
#[utoipa::path(post, path = "/api/interview/favorites", tag = "interview", security(("bearer" = [])),
    request_body = AddFavorite,
    responses((status = 201, body = Favorite), (status = 200, body = Favorite),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn add_favorite(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<AddFavorite>,
) -> Result<(StatusCode, Json<Favorite>)> {
    let mut fields = FieldErrors::new();
    let field = fields.take(parse_field(&input.field))?;
    let difficulty = fields.check(
        "difficulty",
        Difficulty::parse(&input.difficulty)
            .ok_or_else(|| Problem::not_one_of(&["easy", "medium", "hard", "하", "중", "상"])),
    );
    fields.check("question", required_text(&input.question, MAX_QUESTION));
    fields.check("intent", required_text(&input.intent, MAX_INTENT));
    fields.check(
        "model_answer",
        required_text(&input.model_answer, MAX_MODEL_ANSWER),
    );
    let source = input
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(s) = source
        && (s.chars().count() > MAX_SOURCE || s.chars().any(char::is_control))
    {
        fields.add("source", Problem::too_long(MAX_SOURCE));
    }
    fields.finish()?;
    let (Some(field), Some(difficulty)) = (field, difficulty) else {
        return Err(Error::internal(
            "favourite input failed without a field problem",
        ));
    };
    let key = question_key(&input.question);
    let (row, created) = repo::add_favorite(
        &state.db,
        user.id,
        &NewFavorite {
            field,
            difficulty: difficulty.as_str(),
            question: input.question.trim(),
            question_key: &key,
            intent: input.intent.trim(),
            model_answer: input.model_answer.trim(),
            source,
        },
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(row.into())))
}

/// Your favourites, newest first.
#[utoipa::path(get, path = "/api/interview/favorites", tag = "interview", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<Favorite>), (status = 401, body = ErrorBody)))]
pub async fn list_favorites(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
) -> Result<Json<Page<Favorite>>> {
    let rows =
        repo::list_favorites(&state.db, user.id, page.id_cursor()?, page.fetch_limit()).await?;
    Ok(Json(page.page(rows, |r| r.id.to_string(), Favorite::from)))
}

/// Remove a favourite.
#[utoipa::path(delete, path = "/api/interview/favorites/{id}", tag = "interview", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_favorite(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound)?;
    if repo::delete_favorite(&state.db, user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}
