//! Sending a message: validate → reserve quota → store the user's message → call the
//! model (whole answer, or streamed over SSE) → store the answer. A call that fails before
//! any output refunds the quota and leaves a `failed` answer; a stream cut after output
//! keeps the partial answer as `incomplete` and stays counted.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use utoipa::ToSchema;

use super::repo::{self, NewMessage, RoomRow};
use super::{MessageView, assistants, input, owned_room, render};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{AppJson, IdPath};
use crate::llm::{ChatMessage, ChatRequest, LlmError, Role, TextStream};
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
        (status = 502, body = ErrorBody), (status = 504, body = ErrorBody)))]
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
        let mut response = stream_answer(state, room, reservation, prepared).into_response();
        response.headers_mut().extend(limits);
        response
            .headers_mut()
            .insert("x-accel-buffering", header::HeaderValue::from_static("no"));
        return Ok(response);
    }
    let provider = state.llm.for_app(&room.assistant);
    match provider.complete(&prepared.request).await {
        Ok(answer) => {
            let stored = settle(
                &state,
                &room,
                &reservation,
                &answer.text,
                true,
                Some(&answer.model),
            )
            .await?;
            let body = Exchange {
                user_message: prepared.user_message,
                assistant_message: MessageView::from(stored),
            };
            Ok((limits, Json(body)).into_response())
        }
        Err(err) => {
            settle(&state, &room, &reservation, "", false, None).await?;
            Err(Error::from(err))
        }
    }
}

/// Stores how an answer ended and settles its quota slot, the one place that decides both:
/// `complete` when the model finished; else `incomplete` when some text arrived (it stays
/// counted), or `failed` with the slot refunded when none did.
async fn settle(
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

struct Prepared {
    user_message: MessageView,
    request: ChatRequest,
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

async fn refund(state: &AppState, reservation: &Reservation) {
    if let Err(err) = quota::refund(state, reservation).await {
        tracing::error!(error = %err, "quota refund failed");
    }
}

fn event(name: &str, data: &impl Serialize) -> Event {
    Event::default()
        .event(name)
        .data(serde_json::to_string(data).unwrap_or_else(|_| "{}".to_owned()))
}

#[derive(Serialize)]
struct ErrorEvent {
    code: &'static str,
    message: String,
}

fn error_event(err: &LlmError) -> Event {
    let code = if *err == LlmError::Timeout {
        "upstream_timeout"
    } else {
        "upstream_error"
    };
    event(
        "error",
        &ErrorEvent {
            code,
            message: err.to_string(),
        },
    )
}

/// How a relayed stream ended.
enum Ending {
    /// The model finished.
    Finished,
    /// The client went away; the upstream call was dropped.
    ClientLeft,
    /// The upstream broke after it started.
    Broke(LlmError),
}

/// Runs the model call in its own task feeding a channel; the SSE body reads the channel.
/// When the client goes away the channel closes, the task drops the upstream stream
/// (cancelling the HTTP call) and keeps what arrived so far.
fn stream_answer(
    state: AppState,
    room: RoomRow,
    reservation: Reservation,
    prepared: Prepared,
) -> impl IntoResponse {
    let (tx, rx) = mpsc::channel::<Event>(64);
    tokio::spawn(async move {
        let Prepared {
            user_message,
            request,
        } = prepared;
        let _ = tx.send(event("user_message", &user_message)).await;
        drop(user_message);
        let provider = state.llm.for_app(&room.assistant);
        let upstream = tokio::select! {
            result = provider.stream(&request) => result,
            () = tx.closed() => {
                refund(&state, &reservation).await;
                return;
            }
        };
        // The history is in the upstream's hands now; do not hold it for the whole answer.
        drop(request);
        let (text, ending) = match upstream {
            Ok(upstream) => relay(upstream, &tx).await,
            Err(err) => (String::new(), Ending::Broke(err)),
        };
        let finished = matches!(ending, Ending::Finished);
        let stored = settle(
            &state,
            &room,
            &reservation,
            &text,
            finished,
            Some(provider.name()),
        )
        .await;
        if let Some(last) = final_event(&room, &text, ending, stored) {
            let _ = tx.send(last).await;
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    Sse::new(body).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Relays the upstream's pieces to the client as `delta` events until the model finishes,
/// the stream breaks, or the client leaves (noticed at once, even while the upstream is
/// silent). Returns the text that arrived and how it ended; the upstream is dropped here.
async fn relay(mut upstream: TextStream, tx: &mpsc::Sender<Event>) -> (String, Ending) {
    let mut text = String::new();
    let ending = loop {
        tokio::select! {
            biased;
            () = tx.closed() => break Ending::ClientLeft,
            item = upstream.next() => match item {
                None => break Ending::Finished,
                Some(Ok(piece)) => {
                    text.push_str(&piece);
                    if tx.send(event("delta", &serde_json::json!({ "text": piece }))).await.is_err() {
                        break Ending::ClientLeft;
                    }
                }
                Some(Err(err)) => break Ending::Broke(err),
            },
        }
    };
    (text, ending)
}

/// The stream's last event: `done` with the stored answer, `error`, or none for a client
/// that left.
fn final_event(
    room: &RoomRow,
    text: &str,
    ending: Ending,
    stored: Result<repo::MessageRow>,
) -> Option<Event> {
    match (ending, stored) {
        (Ending::Finished, Ok(row)) => Some(event(
            "done",
            &serde_json::json!({ "message": MessageView::from(row) }),
        )),
        (Ending::Broke(err), _) => Some(error_event(&err)),
        (Ending::ClientLeft, _) => {
            tracing::info!(room_id = %room.id, kept = text.len(), "client left mid-stream; upstream cancelled");
            None
        }
        (Ending::Finished, Err(err)) => {
            tracing::error!(error = %err, "could not store the answer");
            Some(event(
                "error",
                &ErrorEvent {
                    code: "internal_error",
                    message: "the answer could not be saved".into(),
                },
            ))
        }
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
