//! Assistants, rooms and messages: CRUD, sending (plain or streamed over SSE), search and
//! export. Rooms and messages are private: another user's room is a 404.

pub mod answers;
pub mod assistants;
pub mod context;
mod export;
pub mod input;
pub mod render;
pub mod repo;
mod rooms;
mod search;
mod send;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extract::AuthUser;
use crate::error::{Error, Result};
use crate::state::AppState;
use assistants::{ASSISTANTS, Assistant};
use repo::{MessageRow, RoomRow};

/// Routes for assistants, rooms, messages, export and search.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_assistants))
        .routes(routes!(rooms::list_rooms, rooms::create_room))
        .routes(routes!(
            rooms::get_room,
            rooms::update_room,
            rooms::delete_room
        ))
        .routes(routes!(rooms::list_messages, send::send_message))
        .routes(routes!(send::answer_events))
        .routes(routes!(send::stop_answer))
        .routes(routes!(send::regenerate_answer))
        .routes(routes!(export::export_room))
        .routes(routes!(search::search_messages))
}

pub use crate::extract::Page;

/// An assistant, and whether it answers from built-in knowledge only.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssistantView {
    #[serde(flatten)]
    pub assistant: Assistant,
    /// `true` when no language model answers for it: its answers come from confab's
    /// built-in knowledge only.
    pub offline: bool,
}

/// The assistants you can open a room with.
#[utoipa::path(get, path = "/api/assistants", tag = "chat", responses((status = 200, body = [AssistantView])))]
async fn list_assistants(State(state): State<AppState>) -> Json<Vec<AssistantView>> {
    Json(
        ASSISTANTS
            .iter()
            .map(|a| AssistantView {
                assistant: *a,
                offline: state.llm.for_app(a.id).name() == "offline",
            })
            .collect(),
    )
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
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub room_id: Uuid,
    /// `user` or `assistant`.
    pub role: String,
    /// The text as written (Markdown for the assistant).
    pub content: String,
    /// `content` rendered to sanitised HTML.
    pub html: String,
    /// `complete`; `streaming` (an answer being written: attach to it with `…/events`);
    /// `incomplete` (cut short or stopped: the partial answer is kept); or `failed`.
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

/// Start-up: the registry of running answers.
pub fn init(setup: &mut crate::state::Setup) -> Result<()> {
    setup.parts.insert(answers::Answers::default());
    Ok(())
}

/// Loads the caller's room or 404s.
async fn owned_room(state: &AppState, user: &AuthUser, id: Uuid) -> Result<RoomRow> {
    repo::get_room(&state.db, user.id, id)
        .await?
        .ok_or(Error::NotFound)
}
