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
pub(super) enum Ending {
    /// The model finished.
    Finished,
    /// The answer reached the size cap; the upstream call was dropped there.
    Capped,
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
        let (text, ending, stored) = read_and_settle(
            &state,
            &room,
            &reservation,
            upstream,
            provider.name(),
            Some(&tx),
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

/// Reads the model's answer (to the client too, with `tx`) within the size cap, then
/// stores it and settles the quota slot ([`settle`]). Returns the text, how it ended and
/// the stored answer.
pub(super) async fn read_and_settle(
    state: &AppState,
    room: &RoomRow,
    reservation: &Reservation,
    upstream: std::result::Result<TextStream, LlmError>,
    model: &str,
    tx: Option<&mpsc::Sender<Event>>,
) -> (String, Ending, Result<repo::MessageRow>) {
    let cap = super::send::answer_cap(state);
    let (text, ending) = match upstream {
        Ok(upstream) => relay(upstream, tx, cap).await,
        Err(err) => (String::new(), Ending::Broke(err)),
    };
    let finished = matches!(ending, Ending::Finished);
    let stored = settle(state, room, reservation, &text, finished, Some(model)).await;
    (text, ending, stored)
}

/// Reads the upstream's pieces until the model finishes, the stream breaks, the answer
/// reaches `cap` bytes, or (with a client, `tx`) the client leaves, noticed at once even
/// while the upstream is silent; each piece also goes to the client as a `delta` event.
/// Returns the text and how it ended; the upstream is dropped here, which cancels it.
pub(super) async fn relay(
    mut upstream: TextStream,
    tx: Option<&mpsc::Sender<Event>>,
    cap: usize,
) -> (String, Ending) {
    let mut text = String::new();
    let client_left = async {
        match tx {
            Some(tx) => tx.closed().await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(client_left);
    let ending = loop {
        tokio::select! {
            biased;
            () = &mut client_left => break Ending::ClientLeft,
            item = upstream.next() => match item {
                None => break Ending::Finished,
                Some(Ok(piece)) => {
                    let room = cap.saturating_sub(text.len());
                    let kept = prefix_within(&piece, room);
                    text.push_str(kept);
                    if let Some(tx) = tx
                        && !kept.is_empty()
                        && tx.send(event("delta", &serde_json::json!({ "text": kept }))).await.is_err()
                    {
                        break Ending::ClientLeft;
                    }
                    if kept.len() < piece.len() {
                        break Ending::Capped;
                    }
                }
                Some(Err(err)) => break Ending::Broke(err),
            },
        }
    };
    (text, ending)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix_within(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
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
        (Ending::Capped, _) => Some(event(
            "error",
            &ErrorEvent {
                code: "answer_too_long",
                message: "the answer reached the longest size kept and was stopped there".into(),
            },
        )),
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
    fn a_capped_piece_is_cut_on_a_character_boundary() {
        assert_eq!(prefix_within("hello", 10), "hello");
        assert_eq!(prefix_within("hello", 3), "hel");
        assert_eq!(prefix_within("가나다", 4), "가");
        assert_eq!(prefix_within("가나다", 2), "");
        assert_eq!(prefix_within("", 0), "");
    }

    #[tokio::test]
    async fn relaying_stops_at_the_cap_and_drops_the_upstream() {
        let pieces = ["abc ", "def ", "ghi ", "jkl"].map(|p| Ok(p.to_owned()));
        let upstream: TextStream = Box::pin(futures::stream::iter(pieces));
        let (text, ending) = relay(upstream, None, 6).await;
        assert_eq!(text, "abc de");
        assert!(matches!(ending, Ending::Capped));
        let upstream: TextStream = Box::pin(futures::stream::iter([Ok("ab".to_owned())]));
        let (text, ending) = relay(upstream, None, 6).await;
        assert_eq!(
            (text.as_str(), matches!(ending, Ending::Finished)),
            ("ab", true)
        );
    }
}
