//! A room as a Markdown or JSON download.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{MessageView, RoomView, input, owned_room, repo};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{AppQuery, IdPath};
use crate::state::AppState;
use input::ExportFormat;

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

/// Download a room as Markdown or JSON.
#[utoipa::path(get, path = "/api/rooms/{id}/export", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("format" = Option<String>, Query, description = "`md` (default) or `json`")),
    responses((status = 200, description = "the room as a file"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn export_room(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    AppQuery(query): AppQuery<ExportQuery>,
) -> Result<Response> {
    let format =
        ExportFormat::parse(query.format.as_deref()).map_err(|p| Error::field("format", p))?;
    let room = owned_room(&state, &user, id).await?;
    let messages = repo::all_messages(&state.db, room.id).await?;
    let filename = format!("confab-room-{}.{}", room.id, format.extension());
    let disposition = format!("attachment; filename=\"{filename}\"");
    let view = RoomView::from(room);
    if format == ExportFormat::Json {
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
