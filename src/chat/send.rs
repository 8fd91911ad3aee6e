//! Sending a message: validate → reserve quota → store the user's message → call the
//! model (whole answer, or streamed over SSE) → store the answer. A call that fails before
//! any output refunds the quota and leaves a `failed` answer; a stream cut after output
//! keeps the partial answer as `incomplete` and stays counted.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::{self, NewMessage, RoomRow};
use super::stream::Ending;
use super::{MessageView, assistants, input, owned_room, render};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{AppJson, IdPath};
use crate::llm::{ChatMessage, ChatRequest, Role};
use crate::quota::{self, Reservation, Scope};
use crate::state::AppState;

/// Most past messages looked at when building the model's context.
const HISTORY_LIMIT: i64 = 200;
/// Room-list preview length.
const PREVIEW_CHARS: usize = 120;

/// A message to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    pub content: String,
}

/// The stored question and answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Exchange {
    pub user_message: MessageView,
    pub assistant_message: MessageView,
}

/// Send a message and get the answer; with `Accept: text/event-stream` the answer streams
/// as SSE events `user_message`, `delta` `{text}`, `done` `{message}` or `error` `{code, message}`.
#[utoipa::path(post, path = "/api/rooms/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SendMessage,
    responses((status = 200, body = Exchange, description = "the answer; or an SSE stream when asked"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    headers: HeaderMap,
    AppJson(req): AppJson<SendMessage>,
) -> Result<Response> {
    let room = owned_room(&state, &user, id).await?;
    let content = input::message_content(&req.content).map_err(|p| Error::field("content", p))?;
    let reservation = quota::reserve(&state, user.id, Scope::Chat).await?;
    let prepared = match prepare(&state, &room, &content).await {
        Ok(prepared) => prepared,
        Err(err) => {
            refund(&state, &reservation).await;
            return Err(err);
        }
    };
    let limits = reservation.headers();
    if wants_stream(&headers) {
        let mut response =
            super::stream::stream_answer(state, room, reservation, prepared).into_response();
        response.headers_mut().extend(limits);
        response
            .headers_mut()
            .insert("x-accel-buffering", header::HeaderValue::from_static("no"));
        return Ok(response);
    }
    // The answer belongs to the server: it is made in a task of its own, so a client that
    // goes away does not stop it; it is finished, stored and counted all the same.
    let task = tokio::spawn(answer_whole(state, room, reservation, prepared.request));
    let stored = task
        .await
        .map_err(|e| Error::internal(format!("answer task: {e}")))??;
    let body = Exchange {
        user_message: prepared.user_message,
        assistant_message: MessageView::from(stored),
    };
    Ok((limits, Json(body)).into_response())
}

/// A whole answer: the model's stream read to its end (or to the size cap) and stored. A
/// failure before any text is the provider's error (502/504) with the slot refunded; after
/// some text, the answer is kept `incomplete`.
async fn answer_whole(
    state: AppState,
    room: RoomRow,
    reservation: Reservation,
    request: ChatRequest,
) -> Result<repo::MessageRow> {
    let provider = state.llm.for_app(&room.assistant);
    let upstream = provider.stream(&request).await;
    drop(request);
    let (text, ending, stored) = super::stream::read_and_settle(
        &state,
        &room,
        &reservation,
        upstream,
        provider.name(),
        None,
    )
    .await;
    let stored = stored?;
    match ending {
        Ending::Broke(err) if text.is_empty() => Err(Error::from(err)),
        _ => Ok(stored),
    }
}

/// The longest answer kept, in bytes of text.
pub(super) fn answer_cap(state: &AppState) -> usize {
    usize::try_from(state.config.llm_max_answer_bytes).unwrap_or(usize::MAX)
}

/// Stores how an answer ended and settles its quota slot, the one place that decides both:
/// `complete` when the model finished; else `incomplete` when some text arrived (it stays
/// counted), or `failed` with the slot refunded when none did.
pub(super) async fn settle(
    state: &AppState,
    room: &RoomRow,
    reservation: &Reservation,
    text: &str,
    finished: bool,
    model: Option<&str>,
) -> Result<repo::MessageRow> {
    let status = match (finished, text.is_empty()) {
        (true, _) => "complete",
        (false, false) => "incomplete",
        (false, true) => "failed",
    };
    if status == "failed" {
        refund(state, reservation).await;
    }
    store_answer(
        state,
        room,
        text,
        status,
        model.filter(|_| status != "failed"),
    )
    .await
}

fn wants_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',').any(|t| {
                t.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/event-stream"))
            })
        })
}

pub(super) struct Prepared {
    pub(super) user_message: MessageView,
    pub(super) request: ChatRequest,
}

/// Stores the user's message and builds the model request from the room's history.
async fn prepare(state: &AppState, room: &RoomRow, content: &str) -> Result<Prepared> {
    let title = render::title_from(content);
    let stored = repo::insert_message(
        &state.db,
        NewMessage {
            room_id: room.id,
            owner_id: room.owner_id,
            role: "user",
            content,
            html: &render::markdown_to_html(content),
            status: "complete",
            model: None,
            preview: &render::excerpt(content, PREVIEW_CHARS),
            title_if_empty: title.as_deref(),
        },
    )
    .await?;
    let settings: serde_json::Value = serde_json::from_str(&room.settings).unwrap_or_default();
    let assistant = assistants::find(&room.assistant).ok_or(Error::NotFound)?;
    let budget = state.config.llm_context_chars as usize;
    let turns = repo::recent_turns(&state.db, room.id, HISTORY_LIMIT, budget).await?;
    let mut messages = vec![ChatMessage::new(
        Role::System,
        assistants::system_prompt(assistant, &settings),
    )];
    messages.extend(trim_history(turns, budget));
    Ok(Prepared {
        user_message: MessageView::from(stored),
        request: ChatRequest {
            assistant: room.assistant.clone(),
            settings,
            locale: None,
            messages,
            json_schema: None,
            max_tokens: None,
        },
    })
}

/// Keeps the newest turns that fit in `budget` characters (always the newest one, cut to
/// the budget if it alone is longer), oldest first.
fn trim_history(newest_first: Vec<(String, String)>, budget: usize) -> Vec<ChatMessage> {
    let mut used = 0;
    let mut kept = Vec::new();
    for (role, content) in newest_first {
        let len = content.chars().count();
        if kept.is_empty() && len > budget {
            kept.push(ChatMessage::new(
                role_of(&role),
                content.chars().take(budget).collect::<String>(),
            ));
            break;
        }
        if used + len > budget {
            break;
        }
        used += len;
        kept.push(ChatMessage::new(role_of(&role), content));
    }
    kept.reverse();
    kept
}

fn role_of(stored: &str) -> Role {
    if stored == "assistant" {
        Role::Assistant
    } else {
        Role::User
    }
}

async fn store_answer(
    state: &AppState,
    room: &RoomRow,
    text: &str,
    status: &str,
    model: Option<&str>,
) -> Result<repo::MessageRow> {
    let preview = if text.is_empty() {
        String::new()
    } else {
        render::excerpt(text, PREVIEW_CHARS)
    };
    repo::insert_message(
        &state.db,
        NewMessage {
            room_id: room.id,
            owner_id: room.owner_id,
            role: "assistant",
            content: text,
            html: &render::markdown_to_html(text),
            status,
            model,
            preview: &preview,
            title_if_empty: None,
        },
    )
    .await
}

pub(super) async fn refund(state: &AppState, reservation: &Reservation) {
    if let Err(err) = quota::refund(state, reservation).await {
        tracing::error!(error = %err, "quota refund failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_newest_turns_within_budget_oldest_first() {
        let turns = vec![
            ("user".to_owned(), "c".repeat(10)),
            ("assistant".to_owned(), "b".repeat(10)),
            ("user".to_owned(), "a".repeat(10)),
        ];
        let kept = trim_history(turns.clone(), 25);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].content, "b".repeat(10));
        assert_eq!(kept[1].role, Role::User);
        let one = trim_history(vec![("user".to_owned(), "x".repeat(100))], 30);
        assert_eq!(one[0].content.len(), 30);
    }
}
