//! Favourites ("나만 보기"): questions a user starred from a session or cheat sheet.
//! The owner is always the caller; starring the same question again returns the
//! existing favourite (questions compare case-insensitively, whitespace collapsed).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{AddFavorite, Star};
use super::repo::{self, FavoriteRow, NewFavorite};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::Page;
use crate::extract::{AppJson, IdPath, Pagination};
use crate::state::AppState;

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
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn add_favorite(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<AddFavorite>,
) -> Result<(StatusCode, Json<Favorite>)> {
    let star = Star::parse(&input)?;
    let key = question_key(&input.question);
    let (row, created) = repo::add_favorite(
        &state.db,
        user.id,
        &NewFavorite {
            field: star.field,
            difficulty: star.difficulty.as_str(),
            question: star.question,
            question_key: &key,
            intent: star.intent,
            model_answer: star.model_answer,
            source: star.source,
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
    responses((status = 200, body = Page<Favorite>), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody)))]
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
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn delete_favorite(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    if repo::delete_favorite(&state.db, user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}
