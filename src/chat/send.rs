//! Sending a message: validate → in one transaction reserve the quota slot, store the
//! question, a `streaming` answer and the slot's hold → a server task writes the answer
//! (`answers/`) → the client gets it whole, or streamed over SSE. The answer belongs to
//! the server: a client that goes away does not stop it. Also: stop, re-attach and
//! regenerate.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use futures::StreamExt as _;

use super::answers::{self, Answers, NewAnswer};
use super::repo::{self, NewMessage, RoomRow};
use super::{MessageView, assistants, input, owned_room, render};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{AppJson, IdPath};
use crate::llm::{ChatMessage, ChatRequest, Role};
use crate::quota::{self, Scope};
use crate::state::AppState;

/// Most past messages looked at when building the model's context.
const HISTORY_LIMIT: i64 = 200;

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

/// A regenerated answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Regenerated {
    pub assistant_message: MessageView,
}

/// Send a message and get the answer; with `Accept: text/event-stream` the answer streams
/// as SSE events `user_message` {message}, `answer_started` `{message}` (status
/// `streaming`), `delta` `{text}`, then `done` `{message}` or `error` `{code, message}`.
/// The answer is the server's: a client that goes away does not stop it (see `…/events`
/// and `…/stop`).
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
    let now = crate::db::now();
    let question_id = Uuid::now_v7();
    let html = render::markdown_to_html(&content);
    let question = NewMessage {
        room_id: room.id,
        owner_id: room.owner_id,
        role: "user",
        content: &content,
        html: &html,
        status: "complete",
        model: None,
        preview: "",
        title_if_empty: None,
    };
    let title = render::title_from(&content);
    let with = vec![
        repo::insert_message_stmt(question_id, &question, now),
        repo::touch_room_stmt(&room, now, &answers::preview_of(&content), title.as_deref()),
    ];
    let (live, reservation) = begin_answer(&state, &room, with).await?;
    let user_message = MessageView {
        id: question_id,
        room_id: room.id,
        role: "user".into(),
        content: content.clone(),
        html,
        status: "complete".into(),
        created_at: now,
    };
    let limits = reservation.headers();
    if wants_stream(&headers) {
        let first = answers::event_of("user_message", &user_message);
        let events = futures::stream::once(async move { first }).chain(answers::follow(live));
        let mut response = answers::sse(events);
        response.headers_mut().extend(limits);
        return Ok(response);
    }
    let answer = answers::whole(&live).await?;
    let body = Exchange {
        user_message,
        assistant_message: answer,
    };
    Ok((limits, Json(body)).into_response())
}

/// Reserves a `chat` slot and stores, in the same transaction, `with` (what the slot pays
/// for besides the answer), the `streaming` answer and the hold; then starts the answer.
async fn begin_answer(
    state: &AppState,
    room: &RoomRow,
    mut with: Vec<crate::db::Stmt>,
) -> Result<(std::sync::Arc<answers::Live>, quota::Reservation)> {
    let answer_id = Uuid::now_v7();
    let started = crate::db::now();
    with.push(repo::insert_message_stmt(
        answer_id,
        &NewMessage {
            room_id: room.id,
            owner_id: room.owner_id,
            role: "assistant",
            content: "",
            html: "",
            status: "streaming",
            model: None,
            preview: "",
            title_if_empty: None,
        },
        started,
    ));
    let reservation =
        quota::reserve_with(state, room.owner_id, Scope::Chat, Some(answer_id), with).await?;
    let request = build_request(state, room).await;
    let message = MessageView {
        id: answer_id,
        room_id: room.id,
        role: "assistant".into(),
        content: String::new(),
        html: String::new(),
        status: "streaming".into(),
        created_at: started,
    };
    let live = answers::start(
        state,
        NewAnswer {
            room: room.clone(),
            message,
            reservation: reservation.clone(),
        },
        request,
    );
    Ok((live, reservation))
}

/// Re-attach to an answer: SSE `answer_started` `{message}`, the text so far as one
/// `delta`, live `delta`s, then `done` `{message}` or `error`; for an answer that already
/// ended, just `done` `{message}`.
#[utoipa::path(get, path = "/api/rooms/{id}/messages/{message_id}/events", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("message_id" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", description = "the answer's events"),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn answer_events(
    State(state): State<AppState>,
    user: AuthUser,
    Path((room_id, message_id)): Path<(String, String)>,
) -> Result<Response> {
    let (room, message) = owned_answer(&state, &user, &room_id, &message_id).await?;
    if let Some(live) = running_here(&state, &user, message.id) {
        return Ok(answers::sse(answers::follow(live)));
    }
    let _ = room;
    Ok(answers::sse(answers::follow_stored(state, message)))
}

/// Stop an answer in progress: the upstream call is cancelled (within a second) and the
/// text so far is kept as an `incomplete` answer. 409 `answer_not_running` when it
/// already ended.
#[utoipa::path(post, path = "/api/rooms/{id}/messages/{message_id}/stop", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("message_id" = String, Path)),
    responses((status = 202, description = "the answer is stopping"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn stop_answer(
    State(state): State<AppState>,
    user: AuthUser,
    Path((room_id, message_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let (_, message) = owned_answer(&state, &user, &room_id, &message_id).await?;
    if let Some(live) = running_here(&state, &user, message.id) {
        live.stop();
        return Ok(StatusCode::ACCEPTED);
    }
    if message.status == "streaming"
        && repo::request_stop(&state.db, user.id, message.id).await? > 0
    {
        return Ok(StatusCode::ACCEPTED);
    }
    Err(Error::Conflict {
        code: "answer_not_running",
        message: "this answer is not being written any more".into(),
    })
}

/// Write the room's last answer again: it is replaced by a new one (which spends a `chat`
/// slot), answered like a send (JSON or SSE, without the `user_message` event).
#[utoipa::path(post, path = "/api/rooms/{id}/messages/{message_id}/regenerate", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path), ("message_id" = String, Path)),
    responses((status = 200, body = Regenerated, description = "the new answer; or an SSE stream when asked"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn regenerate_answer(
    State(state): State<AppState>,
    user: AuthUser,
    Path((room_id, message_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response> {
    let (room, message) = owned_answer(&state, &user, &room_id, &message_id).await?;
    if message.status == "streaming" {
        return Err(Error::Conflict {
            code: "answer_running",
            message: "this answer is still being written; stop it first".into(),
        });
    }
    let last = repo::last_message(&state.db, user.id, room.id).await?;
    if last.is_none_or(|last| last.id != message.id) {
        return Err(Error::Conflict {
            code: "not_last_answer",
            message: "only the room's last answer can be written again".into(),
        });
    }
    let with = vec![repo::delete_message_stmt(user.id, message.id)];
    let (live, reservation) = begin_answer(&state, &room, with).await?;
    let limits = reservation.headers();
    if wants_stream(&headers) {
        let mut response = answers::sse(answers::follow(live));
        response.headers_mut().extend(limits);
        return Ok(response);
    }
    let answer = answers::whole(&live).await?;
    Ok((
        limits,
        Json(Regenerated {
            assistant_message: answer,
        }),
    )
        .into_response())
}

/// The caller's answer `message_id` in their room `room_id`, or 404.
async fn owned_answer(
    state: &AppState,
    user: &AuthUser,
    room_id: &str,
    message_id: &str,
) -> Result<(RoomRow, repo::MessageRow)> {
    let room_id = Uuid::parse_str(room_id).map_err(|_| Error::NotFound)?;
    let message_id = Uuid::parse_str(message_id).map_err(|_| Error::NotFound)?;
    let room = owned_room(state, user, room_id).await?;
    let message = repo::get_message(&state.db, user.id, room.id, message_id)
        .await?
        .filter(|m| m.role == "assistant")
        .ok_or(Error::NotFound)?;
    Ok((room, message))
}

/// The caller's answer as this process runs it, if it does.
fn running_here(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
) -> Option<std::sync::Arc<answers::Live>> {
    state
        .part::<Answers>()
        .ok()?
        .get(id)
        .filter(|live| live.owner == user.id)
}

/// The longest answer kept, in bytes of text.
pub(super) fn answer_cap(state: &AppState) -> usize {
    usize::try_from(state.config.llm_max_answer_bytes).unwrap_or(usize::MAX)
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

/// The model request for a room's next answer: its system prompt and its history
/// (trimmed to the context budget).
async fn build_request(state: &AppState, room: &RoomRow) -> Result<ChatRequest> {
    let settings: serde_json::Value = serde_json::from_str(&room.settings).unwrap_or_default();
    let assistant = assistants::find(&room.assistant).ok_or(Error::NotFound)?;
    let budget = state.config.llm_context_chars as usize;
    let turns = repo::recent_turns(&state.db, room.id, HISTORY_LIMIT, budget).await?;
    let mut messages = Vec::with_capacity(turns.len() + 1);
    messages.push(ChatMessage::new(
        Role::System,
        assistants::system_prompt(assistant, &settings),
    ));
    messages.extend(trim_history(turns, budget));
    let mut request = ChatRequest {
        assistant: room.assistant.clone(),
        settings,
        locale: None,
        messages,
        json_schema: None,
        max_tokens: None,
    };
    if let Some(contexts) = state.parts.get::<super::context::RoomContexts>() {
        contexts.prepare(state, room, &mut request).await?;
    }
    Ok(request)
}

/// Keeps the newest turns that fit in `budget` characters (always the newest one, cut to
/// the budget if it alone is longer), oldest first.
fn trim_history(newest_first: Vec<repo::Turn>, budget: usize) -> Vec<ChatMessage> {
    let mut used = 0;
    let mut kept = Vec::with_capacity(newest_first.len());
    for turn in newest_first {
        let role = if turn.assistant {
            Role::Assistant
        } else {
            Role::User
        };
        if kept.is_empty() && turn.chars > budget {
            kept.push(ChatMessage::new(
                role,
                turn.content.chars().take(budget).collect::<String>(),
            ));
            break;
        }
        if used + turn.chars > budget {
            break;
        }
        used += turn.chars;
        kept.push(ChatMessage::new(role, turn.content));
    }
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(assistant: bool, content: String) -> repo::Turn {
        repo::Turn {
            assistant,
            chars: content.chars().count(),
            content,
        }
    }

    #[test]
    fn history_keeps_the_newest_turns_within_budget_oldest_first() {
        let turns = vec![
            turn(false, "c".repeat(10)),
            turn(true, "b".repeat(10)),
            turn(false, "a".repeat(10)),
        ];
        let kept = trim_history(turns.clone(), 25);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].content, "b".repeat(10));
        assert_eq!(kept[1].role, Role::User);
        let one = trim_history(vec![turn(false, "x".repeat(100))], 30);
        assert_eq!(one[0].content.len(), 30);
        // The budget is in characters, not bytes: ten Korean syllables are 30 bytes.
        let korean = trim_history(
            vec![turn(false, "가".repeat(10)), turn(true, "나".repeat(10))],
            20,
        );
        assert_eq!(korean.len(), 2);
    }
}
