//! A send answered over SSE: the model call runs in its own task that relays pieces to the
//! client and then settles the answer (`send.rs`).

use std::convert::Infallible;
use std::time::Duration;

use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::StreamExt as _;
use serde::Serialize;
use tokio::sync::mpsc;

use super::MessageView;
use super::repo::{self, RoomRow};
use super::send::{Prepared, refund, settle};
use crate::error::Result;
use crate::llm::{LlmError, TextStream};
use crate::quota::Reservation;
use crate::state::AppState;

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
pub(super) fn stream_answer(
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
