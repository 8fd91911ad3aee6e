//! Rooms: list, create, read, rename, delete; and a room's messages, page by page.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::assistants::{self, ASSISTANTS};
use super::{MessageView, Page, RoomView, input, owned_room, repo};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppJson, IdPath, Pagination};
use crate::pages::{PageCache, PageScope};
use crate::state::AppState;

/// Your rooms, most recent activity first.
#[utoipa::path(get, path = "/api/rooms", tag = "chat", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<RoomView>), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn list_rooms(
    State(state): State<AppState>,
    user: AuthUser,
    cache: PageCache,
    page: Pagination,
) -> Result<Response> {
    let after =
        input::room_cursor(page.cursor.as_deref()).map_err(|p| Error::field("cursor", p))?;
    let inputs = page.cache_key();
    cache
        .json(&state, PageScope::Rooms, &inputs, async {
            let rows = repo::list_rooms(&state.db, user.id, after, page.fetch_limit()).await?;
            Ok(page.page(
                rows,
                |r| format!("{}_{}", r.last_activity_us, r.id),
                RoomView::from,
            ))
        })
        .await
}

/// A new room.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoom {
    /// `general`, `tech-interview`, `naming` or `travel`.
    pub assistant: String,
    /// Optional; derived from the first message when absent.
    pub title: Option<String>,
    /// The assistant's room settings (naming: `language` required, `convention` optional).
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Value>,
}

/// Open a room with an assistant.
#[utoipa::path(post, path = "/api/rooms", tag = "chat", security(("bearer" = [])), request_body = CreateRoom,
    responses((status = 201, body = RoomView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn create_room(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(req): AppJson<CreateRoom>,
) -> Result<(StatusCode, Json<RoomView>)> {
    let assistant = assistants::find(req.assistant.trim()).ok_or_else(|| {
        let ids: Vec<&str> = ASSISTANTS.iter().map(|a| a.id).collect();
        Error::field("assistant", Problem::not_one_of(&ids))
    })?;
    let mut fields = FieldErrors::new();
    let title = fields
        .check("title", input::room_title(req.title.as_deref()))
        .flatten();
    let settings = fields.take(assistants::validate_settings(
        assistant,
        req.settings.as_ref(),
    ))?;
    fields.finish()?;
    let Some(settings) = settings else {
        return Err(Error::internal(
            "settings failed validation without a field problem",
        ));
    };
    let settings = Value::Object(settings).to_string();
    let row = repo::insert_room(
        &state.db,
        user.id,
        assistant.id,
        title.as_deref().unwrap_or(""),
        &settings,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(RoomView::from(row))))
}

/// One of your rooms.
#[utoipa::path(get, path = "/api/rooms/{id}", tag = "chat", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = RoomView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get_room(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<Json<RoomView>> {
    Ok(Json(RoomView::from(owned_room(&state, &user, id).await?)))
}

/// Room changes; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoom {
    pub title: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Value>,
}

/// Rename a room or change its settings.
#[utoipa::path(patch, path = "/api/rooms/{id}", tag = "chat", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = UpdateRoom, responses((status = 200, body = RoomView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn update_room(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    AppJson(req): AppJson<UpdateRoom>,
) -> Result<Json<RoomView>> {
    let room = owned_room(&state, &user, id).await?;
    let title = input::rename_title(req.title.as_deref()).map_err(|p| Error::field("title", p))?;
    let settings = match &req.settings {
        None => None,
        Some(value) => {
            let assistant = assistants::find(&room.assistant).ok_or(Error::NotFound)?;
            Some(Value::Object(assistants::validate_settings(assistant, Some(value))?).to_string())
        }
    };
    let row = repo::update_room(
        &state.db,
        user.id,
        room.id,
        title.as_deref(),
        settings.as_deref(),
    )
    .await?
    .ok_or(Error::NotFound)?;
    Ok(Json(RoomView::from(row)))
}

/// Delete a room and its messages (answers in progress in it are stopped).
#[utoipa::path(delete, path = "/api/rooms/{id}", tag = "chat", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn delete_room(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    if repo::delete_room(&state.db, user.id, id).await? {
        // Its answers in progress have nowhere to go: stop them.
        if let Ok(answers) = state.part::<super::answers::Answers>() {
            answers.stop_room(id);
        }
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

/// A room's messages in chronological order; the first page is the newest, `next_cursor`
/// reaches older ones.
#[utoipa::path(get, path = "/api/rooms/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<MessageView>), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    user: AuthUser,
    cache: PageCache,
    IdPath(room_id): IdPath,
    page: Pagination,
) -> Result<Response> {
    let before = page.id_cursor()?;
    let inputs = page.cache_key();
    cache
        .json(&state, PageScope::Messages(room_id), &inputs, async {
            let rows = repo::list_messages(&state.db, user.id, room_id, before, page.fetch_limit())
                .await?;
            // Messages carry their owner, so a page with any is the caller's room; only an
            // empty page needs the room itself looked up, to tell an empty room from someone
            // else's.
            if rows.is_empty() {
                owned_room(&state, &user, room_id).await?;
            }
            // Fetched newest first; a page reads oldest first.
            let mut messages = page.page(rows, |m| m.id.to_string(), MessageView::from);
            messages.items.reverse();
            Ok(messages)
        })
        .await
}
