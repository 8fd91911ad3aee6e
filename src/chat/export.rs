//! A room as a Markdown or JSON download.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{MessageView, RoomView, assistants, input, owned_room, repo};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppQuery, IdPath};
use crate::lang::Language;
use crate::state::AppState;
use input::ExportFormat;

/// A room with all its messages (JSON export).
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomExport {
    pub room: RoomView,
    pub messages: Vec<MessageView>,
}

/// `?format=&lang=&tz=` of an export.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    lang: Option<String>,
    tz: Option<String>,
}

/// The words of a Markdown export.
struct Words {
    you: &'static str,
    assistant: &'static str,
    assistant_line: &'static str,
    exported: &'static str,
    incomplete: &'static str,
    failed: &'static str,
    streaming: &'static str,
}

const KO: Words = Words {
    you: "나",
    assistant: "도우미",
    assistant_line: "도우미 종류",
    exported: "내보낸 시각",
    incomplete: "중단됨",
    failed: "실패",
    streaming: "작성 중",
};

const EN: Words = Words {
    you: "You",
    assistant: "Assistant",
    assistant_line: "Assistant",
    exported: "Exported",
    incomplete: "incomplete",
    failed: "failed",
    streaming: "still being written",
};

/// Download a room as Markdown or JSON.
#[utoipa::path(get, path = "/api/rooms/{id}/export", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("format" = Option<String>, Query, description = "`md` (default) or `json`"),
        ("lang" = Option<String>, Query, description = "Markdown headings in `ko` or `en` (default: the browser's language, else English)"),
        ("tz" = Option<String>, Query, description = "IANA time zone for the Markdown's times (default: the quota time zone)")),
    responses((status = 200, description = "the room as a file"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn export_room(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    headers: HeaderMap,
    AppQuery(query): AppQuery<ExportQuery>,
) -> Result<Response> {
    let mut problems = FieldErrors::new();
    let format = problems.check("format", ExportFormat::parse(query.format.as_deref()));
    let lang = match query.lang.as_deref() {
        None => Ok(headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::from_accept_language)
            .unwrap_or(Language::En)),
        Some(raw) => Language::parse(raw).ok_or_else(|| Problem::not_one_of(&["ko", "en"])),
    };
    let lang = problems.check("lang", lang);
    let tz = match query.tz.as_deref() {
        None => Ok(state.quota_tz.clone()),
        Some(raw) if raw.len() <= 64 => jiff::tz::TimeZone::get(raw)
            .map_err(|_| Problem::invalid_format("not a known IANA time zone")),
        Some(_) => Err(Problem::too_long(64)),
    };
    let tz = problems.check("tz", tz);
    problems.finish()?;
    let (Some(format), Some(lang), Some(tz)) = (format, lang, tz) else {
        return Err(Error::internal("checked export query"));
    };
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
    let words = if lang == Language::Ko { &KO } else { &EN };
    let assistant =
        assistants::find(&view.assistant).map_or(view.assistant.as_str(), |a| a.name.get(lang));
    let zone = tz.iana_name().unwrap_or("UTC").to_owned();
    let when = |t: OffsetDateTime| local_time(t, &tz);
    let mut md = format!("# {}\n\n", view.title.as_deref().unwrap_or(assistant));
    md.push_str(&format!(
        "- {}: {assistant}\n- {}: {} ({zone})\n\n",
        words.assistant_line,
        words.exported,
        when(OffsetDateTime::now_utc()),
    ));
    for m in messages {
        let who = if m.role == "user" {
            words.you
        } else {
            words.assistant
        };
        let note = match m.status.as_str() {
            "incomplete" => format!(" ({})", words.incomplete),
            "failed" => format!(" ({})", words.failed),
            "streaming" => format!(" ({})", words.streaming),
            _ => String::new(),
        };
        md.push_str(&format!(
            "## {who}{note} — {}\n\n{}\n\n",
            when(m.created_at),
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

/// `YYYY-MM-DD HH:MM` in `tz` (24-hour: no "오전 12:00" ambiguity at midnight).
fn local_time(t: OffsetDateTime, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(t.unix_timestamp())
        .map(|ts| {
            ts.to_zoned(tz.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}
