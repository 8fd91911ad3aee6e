//! Search over the caller's own messages.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{MessageView, Page, input, repo};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{AppQuery, Pagination};
use crate::state::AppState;

/// `?q=` of a search (the page's `cursor` and `limit` are read by [`Pagination`]).
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// A search hit: the message and where it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    pub message: MessageView,
    pub room_id: Uuid,
    /// `null` for an untitled room.
    pub room_title: Option<String>,
}

/// Search your own messages (substring, any language).
#[utoipa::path(get, path = "/api/search", tag = "chat", security(("bearer" = [])),
    params(("q" = String, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<SearchHit>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn search_messages(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
    AppQuery(query): AppQuery<SearchQuery>,
) -> Result<Json<Page<SearchHit>>> {
    let q = input::search_text(query.q.as_deref()).map_err(|p| Error::field("q", p))?;
    let rows = repo::search(
        &state.db,
        user.id,
        &q,
        page.id_cursor()?,
        page.fetch_limit(),
    )
    .await?;
    Ok(Json(page.page(
        rows,
        |r| r.message.id.to_string(),
        |r| SearchHit {
            room_id: r.message.room_id,
            room_title: Some(r.room_title).filter(|t| !t.is_empty()),
            message: MessageView::from(r.message),
        },
    )))
}
