//! Assistants, rooms and messages: CRUD, sending (plain or streamed over SSE), search and
//! export. Rooms and messages are private: another user's room is a 404.

pub mod assistants;
pub mod render;
pub mod repo;
mod send;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppJson, AppQuery, Pagination, not_a_cursor};
use crate::pages::{PageCache, PageScope};
use crate::state::AppState;
use assistants::{ASSISTANTS, Assistant};
use repo::{MessageRow, RoomRow};

/// Longest room title.
const MAX_TITLE_CHARS: usize = 100;
/// Longest search query.
const MAX_QUERY_CHARS: usize = 200;

/// Routes for assistants, rooms, messages, export and search.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_assistants))
        .routes(routes!(list_rooms, create_room))
        .routes(routes!(get_room, update_room, delete_room))
        .routes(routes!(list_messages, send::send_message))
        .routes(routes!(export_room))
        .routes(routes!(search_messages))
}

pub use crate::extract::Page;

/// The assistants you can open a room with.
#[utoipa::path(get, path = "/api/assistants", tag = "chat", responses((status = 200, body = [Assistant])))]
async fn list_assistants() -> Json<&'static [Assistant]> {
    Json(ASSISTANTS)
}

/// A room as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomView {
    pub id: Uuid,
    pub assistant: String,
    /// `null` until the room has a title (the first message gives it one).
    pub title: Option<String>,
    #[schema(value_type = Object)]
    pub settings: Value,
    /// The last message, shortened.
    pub preview: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_activity_at: OffsetDateTime,
}

impl From<RoomRow> for RoomView {
    fn from(r: RoomRow) -> Self {
        let last = OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.last_activity_us) * 1000)
            .unwrap_or(r.updated_at);
        RoomView {
            id: r.id,
            assistant: r.assistant,
            title: Some(r.title).filter(|t| !t.is_empty()),
            settings: serde_json::from_str(&r.settings)
                .unwrap_or_else(|_| Value::Object(Default::default())),
            preview: r.last_message_preview,
            created_at: r.created_at,
            last_activity_at: last,
        }
    }
}

/// A message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub room_id: Uuid,
    /// `user` or `assistant`.
    pub role: String,
    /// The text as written (Markdown for the assistant).
    pub content: String,
    /// `content` rendered to sanitised HTML.
    pub html: String,
    /// `complete`, `incomplete` (the stream was cut; the partial answer is kept) or `failed`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<MessageRow> for MessageView {
    fn from(m: MessageRow) -> Self {
        MessageView {
            id: m.id,
            room_id: m.room_id,
            role: m.role,
            content: m.content,
            html: m.html,
            status: m.status,
            created_at: m.created_at,
        }
    }
}

/// Opaque ids: anything that is not one of ours is simply not found.
fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

/// Loads the caller's room or 404s.
async fn owned_room(state: &AppState, user: &AuthUser, raw_id: &str) -> Result<RoomRow> {
    repo::get_room(&state.db, user.id, parse_id(raw_id)?)
        .await?
        .ok_or(Error::NotFound)
}

fn clean_title(raw: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    let title = raw.trim();
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::field("title", Problem::too_long(MAX_TITLE_CHARS)));
    }
    if title.chars().any(char::is_control) {
        return Err(Error::field(
            "title",
            Problem::new("single_line", "must be a single line"),
        ));
    }
    Ok(Some(title.to_owned()))
}

fn room_cursor(after: Option<&str>) -> Result<Option<(i64, Uuid)>> {
    let Some(raw) = after else { return Ok(None) };
    let bad = || Error::field("cursor", not_a_cursor());
    let (activity, id) = raw.split_once('_').ok_or_else(bad)?;
    Ok(Some((
        activity.parse().map_err(|_| bad())?,
        Uuid::parse_str(id).map_err(|_| bad())?,
    )))
}

/// Your rooms, most recent activity first.
#[utoipa::path(get, path = "/api/rooms", tag = "chat", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<RoomView>), (status = 401, body = ErrorBody)))]
async fn list_rooms(
    State(state): State<AppState>,
    user: AuthUser,
    cache: PageCache,
    page: Pagination,
) -> Result<Response> {
    let after = room_cursor(page.cursor.as_deref())?;
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
    responses((status = 201, body = RoomView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn create_room(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(req): AppJson<CreateRoom>,
) -> Result<(StatusCode, Json<RoomView>)> {
    let assistant = assistants::find(req.assistant.trim()).ok_or_else(|| {
        let ids: Vec<&str> = ASSISTANTS.iter().map(|a| a.id).collect();
        Error::field("assistant", Problem::not_one_of(&ids))
    })?;
    let mut fields = FieldErrors::new();
    let title = fields.take(clean_title(req.title.as_deref()))?.flatten();
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
    responses((status = 200, body = RoomView), (status = 404, body = ErrorBody)))]
async fn get_room(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<RoomView>> {
    Ok(Json(RoomView::from(owned_room(&state, &user, &id).await?)))
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
    request_body = UpdateRoom, responses((status = 200, body = RoomView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_room(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppJson(req): AppJson<UpdateRoom>,
) -> Result<Json<RoomView>> {
    let room = owned_room(&state, &user, &id).await?;
    let title = clean_title(req.title.as_deref())?;
    if title.as_deref() == Some("") {
        return Err(Error::field("title", Problem::required()));
    }
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

/// Delete a room and its messages.
#[utoipa::path(delete, path = "/api/rooms/{id}", tag = "chat", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_room(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    if repo::delete_room(&state.db, user.id, parse_id(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

/// A room's messages in chronological order; the first page is the newest, `next_cursor`
/// reaches older ones.
#[utoipa::path(get, path = "/api/rooms/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<MessageView>), (status = 404, body = ErrorBody)))]
async fn list_messages(
    State(state): State<AppState>,
    user: AuthUser,
    cache: PageCache,
    Path(id): Path<String>,
    page: Pagination,
) -> Result<Response> {
    let room_id = parse_id(&id)?;
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
                owned_room(&state, &user, &id).await?;
            }
            // Fetched newest first; a page reads oldest first.
            let mut messages = page.page(rows, |m| m.id.to_string(), MessageView::from);
            messages.items.reverse();
            Ok(messages)
        })
        .await
}

/// A room with all its messages (JSON export).
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomExport {
    pub room: RoomView,
    pub messages: Vec<MessageView>,
}

/// `?format=` of an export.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// `?q=` of a search (the page's `cursor` and `limit` are read by [`Pagination`]).
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Download a room as Markdown or JSON.
#[utoipa::path(get, path = "/api/rooms/{id}/export", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("format" = Option<String>, Query, description = "`md` (default) or `json`")),
    responses((status = 200, description = "the room as a file"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_room(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppQuery(query): AppQuery<ExportQuery>,
) -> Result<Response> {
    let format = match query.format.as_deref() {
        None | Some("md") | Some("markdown") => "md",
        Some("json") => "json",
        Some(_) => return Err(Error::field("format", Problem::not_one_of(&["md", "json"]))),
    };
    let room = owned_room(&state, &user, &id).await?;
    let messages = repo::all_messages(&state.db, room.id).await?;
    let filename = format!("confab-room-{}.{format}", room.id);
    let disposition = format!("attachment; filename=\"{filename}\"");
    let view = RoomView::from(room);
    if format == "json" {
        let body = RoomExport {
            room: view,
            messages: messages.into_iter().map(MessageView::from).collect(),
        };
        return Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(body)).into_response());
    }
    // A file, not the UI: an untitled room is named by its assistant.
    let mut md = format!("# {}\n\n", view.title.as_deref().unwrap_or(&view.assistant));
    md.push_str(&format!(
        "- Assistant: {}\n- Exported: {}\n\n",
        view.assistant,
        rfc3339(OffsetDateTime::now_utc())
    ));
    for m in messages {
        let who = if m.role == "user" { "You" } else { "Assistant" };
        let note = match m.status.as_str() {
            "incomplete" => " (incomplete)",
            "failed" => " (failed)",
            _ => "",
        };
        md.push_str(&format!(
            "## {who}{note} — {}\n\n{}\n\n",
            rfc3339(m.created_at),
            m.content.trim_end()
        ));
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        md,
    )
        .into_response())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
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
async fn search_messages(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
    AppQuery(query): AppQuery<SearchQuery>,
) -> Result<Json<Page<SearchHit>>> {
    let q = query.q.unwrap_or_default().trim().to_owned();
    if q.is_empty() {
        return Err(Error::field("q", Problem::required()));
    }
    if q.chars().count() > MAX_QUERY_CHARS || q.chars().any(char::is_control) {
        return Err(Error::field("q", Problem::too_long(MAX_QUERY_CHARS)));
    }
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
