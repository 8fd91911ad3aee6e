//! What clients of an answer are told: SSE frames serialised once (`event_of`, `delta`
//! frames), following a running answer of this process ([`follow`]) or one stored by
//! another ([`follow_stored`]), and the SSE response with its keep-alive ([`sse`]).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use futures::{Stream, StreamExt as _};
use serde::Serialize;

use super::live::{Failure, Live, Outcome};
use super::settle::stale_after;
use crate::chat::MessageView;
use crate::chat::repo::{self, MessageRow};
use crate::llm::LlmError;
use crate::state::AppState;

/// How often a client following a stored answer looks at it again.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

/// One SSE event with a JSON payload, serialised: `event: NAME\ndata: JSON\n\n`.
pub fn event_of(name: &str, data: &impl Serialize) -> Bytes {
    let mut frame = Vec::with_capacity(256);
    frame.extend_from_slice(b"event: ");
    frame.extend_from_slice(name.as_bytes());
    frame.extend_from_slice(b"\ndata: ");
    if serde_json::to_writer(&mut frame, data).is_err() {
        frame.truncate(name.len() + 14);
        frame.extend_from_slice(b"{}");
    }
    frame.extend_from_slice(b"\n\n");
    Bytes::from(frame)
}

/// A `delta` event `{"text": …}`. JSON escapes every line break, so the payload is one
/// `data:` line.
pub(super) fn delta_frame(text: &str) -> Bytes {
    const HEAD: &[u8] = b"event: delta\ndata: {\"text\":";
    let mut frame = Vec::with_capacity(HEAD.len() + text.len() + 8);
    frame.extend_from_slice(HEAD);
    if serde_json::to_writer(&mut frame, text).is_err() {
        frame.truncate(HEAD.len());
        frame.extend_from_slice(b"\"\"");
    }
    frame.extend_from_slice(b"}\n\n");
    Bytes::from(frame)
}

#[derive(Serialize)]
struct ErrorEvent {
    code: &'static str,
    message: String,
}

/// The event that ends a stream: `done` with the stored answer, or `error`.
fn final_event(outcome: &Outcome) -> Bytes {
    let error = |code, message: String| event_of("error", &ErrorEvent { code, message });
    match (&outcome.failure, &outcome.message) {
        (None, Some(message)) => event_of("done", &serde_json::json!({ "message": message })),
        (Some(Failure::Upstream(LlmError::Timeout)), _) => {
            error("upstream_timeout", LlmError::Timeout.to_string())
        }
        (Some(Failure::Upstream(err)), _) => error("upstream_error", err.to_string()),
        (Some(Failure::TooLong), _) => error(
            "answer_too_long",
            "the answer reached the longest size kept and was stopped there".into(),
        ),
        (Some(Failure::Storage), _) | (None, None) => {
            error("internal_error", "the answer could not be saved".into())
        }
    }
}

fn started_event(message: &MessageView) -> Bytes {
    event_of("answer_started", &serde_json::json!({ "message": message }))
}

/// What a client attached to a running answer is told.
#[derive(Debug)]
enum Told {
    Started(MessageView),
    /// The `delta` event, serialised.
    Delta(Bytes),
    End(Arc<Outcome>),
}

impl Told {
    fn event(self) -> Bytes {
        match self {
            Told::Started(message) => started_event(&message),
            Told::Delta(frame) => frame,
            Told::End(outcome) => final_event(&outcome),
        }
    }
}

/// Events for a client attached to a running answer of this process: `answer_started`,
/// the text so far as one `delta`, live `delta`s (whatever arrived since the client last
/// read, in one event), then `done` or `error`. A client that goes away only drops this.
pub fn follow(live: Arc<Live>) -> impl Stream<Item = Bytes> + Send {
    told(live).map(Told::event)
}

fn told(live: Arc<Live>) -> impl Stream<Item = Told> + Send {
    let started = Told::Started(live.message.clone());
    let rx = live.progress.subscribe();
    let rest = futures::stream::unfold(
        (live, rx, 0usize, false),
        |(live, mut rx, sent, done)| async move {
            if done {
                return None;
            }
            loop {
                let (len, end) = {
                    let progress = rx.borrow_and_update();
                    (progress.len, progress.end.clone())
                };
                if len > sent {
                    let frame = live.delta_between(sent, len);
                    return Some((Told::Delta(frame), (live, rx, len, false)));
                }
                if let Some(end) = end {
                    return Some((Told::End(end), (live, rx, sent, true)));
                }
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        },
    );
    futures::stream::once(async move { started }).chain(rest)
}

/// Events for a client following an answer run by another process (or already ended):
/// the stored row is read every [`FOLLOW_EVERY`]; new text goes out as `delta`s, and the
/// end as `done`. An answer that stays `streaming` past the longest an answer can run
/// (its process died and no sweep has settled it yet) ends with an `error`.
pub fn follow_stored(
    state: AppState,
    first: MessageRow,
) -> impl Stream<Item = Bytes> + Send + 'static {
    let id = first.id;
    let limit = tokio::time::Instant::now() + stale_after(&state) + FOLLOW_EVERY;
    let started = (first.status == "streaming").then(|| {
        started_event(&MessageView {
            content: String::new(),
            html: String::new(),
            ..MessageView::from(first.clone())
        })
    });
    // An answer that already ended is told as just its end.
    let sent = if first.status == "streaming" {
        0
    } else {
        first.content.len()
    };
    let rest = futures::stream::unfold(
        (state, Some(first), sent, false),
        move |(state, row, sent, done)| async move {
            if done {
                return None;
            }
            let mut row = row;
            loop {
                let current = match row.take() {
                    Some(row) => Some(row),
                    None => {
                        tokio::time::sleep(FOLLOW_EVERY).await;
                        repo::message_by_id(&state.db, id).await.ok().flatten()
                    }
                };
                let Some(current) = current else {
                    let gone = event_of(
                        "error",
                        &ErrorEvent {
                            code: "not_found",
                            message: "the answer was deleted".into(),
                        },
                    );
                    return Some((gone, (state, None, sent, true)));
                };
                // New text first (the same row is looked at again at once), then the end.
                if current.content.len() > sent
                    && let Some(new) = current.content.get(sent..)
                {
                    let len = current.content.len();
                    let delta = delta_frame(new);
                    let again = (current.status != "streaming").then_some(current);
                    return Some((delta, (state, again, len, false)));
                }
                if current.status != "streaming" {
                    let done = event_of(
                        "done",
                        &serde_json::json!({ "message": MessageView::from(current) }),
                    );
                    return Some((done, (state, None, sent, true)));
                }
                if tokio::time::Instant::now() > limit {
                    let lost = event_of(
                        "error",
                        &ErrorEvent {
                            code: "answer_lost",
                            message: "the server writing this answer stopped".into(),
                        },
                    );
                    return Some((lost, (state, None, sent, true)));
                }
            }
        },
    );
    futures::stream::iter(started).chain(rest)
}

/// An SSE response of serialised `events`, with a keep-alive comment after
/// [`KEEP_ALIVE`] of silence and no proxy buffering.
pub fn sse(events: impl Stream<Item = Bytes> + Send + 'static) -> Response {
    let body = axum::body::Body::from_stream(KeepAlive::new(events));
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Silence after which an SSE stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Adds keep-alive comments to an event stream. Its one timer is moved only when it
/// fires (a timer reset per event would cost a timer-wheel update per token).
struct KeepAlive<S> {
    events: Pin<Box<S>>,
    timer: Pin<Box<tokio::time::Sleep>>,
    last: tokio::time::Instant,
}

impl<S> KeepAlive<S> {
    fn new(events: S) -> KeepAlive<S> {
        let now = tokio::time::Instant::now();
        KeepAlive {
            events: Box::pin(events),
            timer: Box::pin(tokio::time::sleep_until(now + KEEP_ALIVE)),
            last: now,
        }
    }
}

impl<S: Stream<Item = Bytes>> Stream for KeepAlive<S> {
    type Item = std::result::Result<Bytes, Infallible>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = &mut *self;
        match this.events.as_mut().poll_next(cx) {
            Poll::Ready(Some(frame)) => {
                this.last = tokio::time::Instant::now();
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        loop {
            if this.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let now = tokio::time::Instant::now();
            let due = this.last + KEEP_ALIVE;
            if now >= due {
                this.last = now;
                this.timer.as_mut().reset(now + KEEP_ALIVE);
                return Poll::Ready(Some(Ok(Bytes::from_static(b":\n\n"))));
            }
            this.timer.as_mut().reset(due);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn view() -> MessageView {
        MessageView {
            id: Uuid::now_v7(),
            room_id: Uuid::now_v7(),
            role: "assistant".into(),
            content: String::new(),
            html: String::new(),
            status: "streaming".into(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    async fn collect(live: Arc<Live>) -> Vec<Told> {
        told(live).collect::<Vec<_>>().await
    }

    /// The text of the `delta` frames.
    fn deltas(told: &[Told]) -> String {
        told.iter()
            .filter_map(|t| match t {
                Told::Delta(frame) => Some(delta_text(frame)),
                _ => None,
            })
            .collect()
    }

    fn delta_text(frame: &Bytes) -> String {
        let frame = std::str::from_utf8(frame).expect("utf-8 frame");
        let data = frame
            .strip_prefix("event: delta\ndata: ")
            .and_then(|f| f.strip_suffix("\n\n"))
            .expect("a delta frame");
        let value: serde_json::Value = serde_json::from_str(data).expect("json data");
        value["text"].as_str().expect("text").to_owned()
    }

    #[test]
    fn a_delta_frame_is_one_event_with_the_text_escaped_on_one_data_line() {
        let text = "line one\nline \"two\"\r\n\u{2028}가나 </script>";
        let frame = delta_frame(text);
        let frame_text = std::str::from_utf8(&frame).expect("utf-8");
        assert_eq!(frame_text.matches('\n').count(), 3, "{frame_text:?}");
        assert!(frame_text.ends_with("\n\n"));
        assert_eq!(delta_text(&frame), text);
        let started = event_of("user_message", &serde_json::json!({"a": "b\nc"}));
        assert_eq!(
            &started[..],
            b"event: user_message\ndata: {\"a\":\"b\\nc\"}\n\n"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_stream_gets_a_keep_alive_comment_every_15_seconds_and_only_then() {
        let (tx, rx) = futures::channel::mpsc::unbounded::<Bytes>();
        let mut body = KeepAlive::new(rx);
        let started = tokio::time::Instant::now();
        // Events every 10 s: never 15 s of silence, so no comment in between.
        for i in 0..5 {
            tokio::time::sleep(Duration::from_secs(10)).await;
            let _ = tx.unbounded_send(Bytes::from(format!("event: e{i}\n\n")));
            let next = body.next().await.and_then(|r| r.ok()).expect("event");
            assert!(next.starts_with(b"event:"), "{next:?}");
        }
        let quiet_from = tokio::time::Instant::now();
        let comment = body.next().await.and_then(|r| r.ok()).expect("comment");
        assert_eq!(&comment[..], b":\n\n");
        assert_eq!(quiet_from.elapsed(), KEEP_ALIVE);
        let again = body.next().await.and_then(|r| r.ok()).expect("comment");
        assert_eq!(&again[..], b":\n\n");
        assert_eq!(started.elapsed(), Duration::from_secs(50) + KEEP_ALIVE * 2);
        drop(tx);
        assert!(body.next().await.is_none(), "the body ends with its events");
    }

    #[tokio::test]
    async fn a_late_follower_gets_the_text_so_far_in_one_delta_then_the_rest_then_the_end() {
        let live = Live::new(view(), Uuid::now_v7());
        live.push("Hello, ");
        live.push("wor");
        let late = tokio::spawn(collect(live.clone()));
        tokio::task::yield_now().await;
        live.push("ld");
        live.finish(Outcome {
            message: Some(MessageView {
                content: "Hello, world".into(),
                status: "complete".into(),
                ..view()
            }),
            failure: None,
        });
        let told = late.await.expect("follower");
        assert!(matches!(told[0], Told::Started(_)), "{told:?}");
        assert!(
            matches!(&told[1], Told::Delta(t) if delta_text(t).starts_with("Hello, wor")),
            "the text so far comes in one delta: {told:?}"
        );
        assert_eq!(deltas(&told), "Hello, world", "{told:?}");
        assert!(matches!(told.last(), Some(Told::End(_))), "{told:?}");
        let ends = told.iter().filter(|t| matches!(t, Told::End(_))).count();
        assert_eq!(ends, 1);
    }

    #[tokio::test]
    async fn a_follower_of_an_ended_answer_gets_everything_and_the_end_at_once() {
        let live = Live::new(view(), Uuid::now_v7());
        live.push("abc");
        live.finish(Outcome {
            message: None,
            failure: Some(Failure::TooLong),
        });
        let told = collect(live).await;
        assert_eq!(told.len(), 3, "{told:?}");
        assert_eq!(deltas(&told), "abc");
        assert!(
            matches!(&told[2], Told::End(o) if o.failure == Some(Failure::TooLong)),
            "{told:?}"
        );
    }
}
