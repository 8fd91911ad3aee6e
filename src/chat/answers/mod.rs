//! Answers belong to the server, not to a connection.
//!
//! A send stores the question, a `streaming` answer row and the quota hold that pays for it
//! in one transaction, then starts a generation task that owns the upstream call. The task
//! keeps the text so far in memory ([`Live`]), tells every attached client about progress,
//! and at the end stores the answer and settles the hold in one transaction. A client that
//! goes away only stops listening; the answer is finished and stored all the same. Only
//! [`Live::stop`] (the explicit stop route) cancels the upstream call, and the partial
//! answer is kept `incomplete`.
//!
//! Any number of clients attach to a running answer ([`follow`]): the text so far in one
//! delta, then live deltas, then the end. A client of another instance (PostgreSQL) follows
//! the answer from the database ([`follow_stored`]), where the task saves the partial text
//! every [`SAVE_EVERY`]; a stop asked on another instance is a flag on the answer's hold
//! that the task reads as often. An answer whose process died is settled by [`recover`]:
//! `incomplete` with the text saved so far, or `failed` with its slot refunded when no text
//! was saved.
//!
//! - `live.rs`: the running answers of this process and what one is ([`Live`]);
//! - `events.rs`: what clients are told (SSE frames, following a live or a stored answer);
//! - `settle.rs`: storing how an answer ended, and settling the answers of dead processes.

mod events;
mod live;
mod settle;

use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt as _, StreamExt as _};
use tokio::sync::watch;

use super::repo::{self, RoomRow};
use super::{MessageView, render};
use crate::error::{Error, Result};
use crate::llm::{ChatRequest, LlmError, TextStream, prefix_within};
use crate::quota::Reservation;
use crate::state::AppState;

pub use events::{event_of, follow, follow_stored, sse};
pub use live::{Answers, Failure, Live, Outcome};
pub use settle::{recover, stale_after};

/// How often a running answer saves its partial text (for clients of other instances)
/// and looks for a stop asked elsewhere; only on PostgreSQL, where there can be other
/// instances.
pub const SAVE_EVERY: Duration = Duration::from_millis(250);
/// Text arriving within this long after clients were last told goes out in one event.
const COALESCE: Duration = Duration::from_millis(5);
/// Room-list preview length.
pub const PREVIEW_CHARS: usize = 120;

/// Everything a new answer needs, already stored: its room, its `streaming` row and the
/// quota reservation (with its hold) that pays for it.
pub struct NewAnswer {
    pub room: RoomRow,
    pub message: MessageView,
    pub reservation: Reservation,
}

/// Starts the generation task of an answer whose row and hold are stored; returns the
/// live answer clients attach to.
pub fn start(state: &AppState, answer: NewAnswer, request: Result<ChatRequest>) -> Arc<Live> {
    let live = Live::new(answer.message, answer.room.owner_id);
    if let Ok(answers) = state.part::<Answers>() {
        answers.insert(live.clone());
    }
    let task_live = live.clone();
    let state = state.clone();
    tokio::spawn(async move {
        let id = task_live.message.id;
        generate(&state, answer.room, answer.reservation, request, &task_live).await;
        if let Ok(answers) = state.part::<Answers>() {
            answers.remove(id);
        }
    });
    live
}

/// How the relay of an answer ended.
pub(super) enum Ending {
    Finished,
    Capped,
    Stopped,
    Broke(LlmError),
    /// The model request could not be built (the history could not be read).
    Unprepared,
    /// The answer's hold or row went away (its room or account was deleted, or another
    /// instance settled it).
    Gone,
}

async fn generate(
    state: &AppState,
    room: RoomRow,
    reservation: Reservation,
    request: Result<ChatRequest>,
    live: &Live,
) {
    let provider = state.llm.for_app(&room.assistant);
    let provider_label = provider.name();
    let started = std::time::Instant::now();
    let active = metrics::gauge!("confab_answers_active");
    active.increment(1.0);
    let mut stop = live.stop.subscribe();
    let mut free = false;
    let ending = match request {
        Err(err) => {
            tracing::error!(error = %err, "could not build the model request");
            Ending::Unprepared
        }
        Ok(request) => {
            free = provider.free_reply(&request);
            let upstream = tokio::select! {
                result = provider.stream(request) => Some(result),
                () = stopped(&mut stop) => None,
            };
            match upstream {
                None => Ending::Stopped,
                Some(Err(err)) => Ending::Broke(err),
                // Boxed, like `settle` below: the task of a running answer holds only the part
                // it is in (a relay is about 550 bytes; with every part inline the task took
                // the size of the largest, ~12 KB, for each of thousands of answers).
                Some(Ok(upstream)) => {
                    Box::pin(relay(state, &reservation, live, upstream, &mut stop)).await
                }
            }
        }
    };
    let kind = match &ending {
        Ending::Finished => "complete",
        Ending::Capped => "capped",
        Ending::Stopped => "stopped",
        Ending::Gone => "gone",
        Ending::Unprepared => "unprepared",
        Ending::Broke(_) => "upstream_error",
    };
    if let Ending::Broke(err) = &ending {
        metrics::counter!("confab_llm_errors_total", "provider" => provider_label, "kind" => err.kind())
            .increment(1);
    }
    metrics::histogram!("confab_llm_answer_seconds", "provider" => provider_label, "outcome" => kind)
        .record(started.elapsed().as_secs_f64());
    active.decrement(1.0);
    let text = live.text();
    let outcome = Box::pin(settle::settle(
        state,
        &room,
        &reservation,
        live,
        &text,
        ending,
        provider.name(),
        free,
    ))
    .await;
    live.finish(outcome);
}

/// Completes once a stop is asked.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Reads the upstream until it ends, breaks, reaches the size cap, or a stop comes (from
/// this process at once, from another instance within [`SAVE_EVERY`]). On PostgreSQL the
/// partial text is saved every [`SAVE_EVERY`] for clients of other instances.
///
/// Text is appended as it comes, but clients are told at most once per [`COALESCE`]:
/// the first piece after a quiet spell goes out at once, pieces arriving within the
/// window after it go out together when it closes. A model that sends a burst of tiny
/// chunks then costs one event, not one per chunk; one that sends a token every 20 ms
/// is relayed token by token with no delay.
async fn relay(
    state: &AppState,
    reservation: &Reservation,
    live: &Live,
    mut upstream: TextStream,
    stop: &mut watch::Receiver<bool>,
) -> Ending {
    let cap = super::send::answer_cap(state);
    let shared = state.db.backend() == "postgres";
    let mut save = tokio::time::interval(SAVE_EVERY);
    save.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stop_asked = stopped(stop);
    tokio::pin!(stop_asked);
    // Armed only while told text is held back; far away otherwise.
    let flush = tokio::time::sleep(Duration::from_secs(3600));
    tokio::pin!(flush);
    let mut held = false;
    let mut told_at: Option<tokio::time::Instant> = None;
    let mut saved = 0;
    let mut len = 0;
    loop {
        tokio::select! {
            biased;
            () = &mut stop_asked => return Ending::Stopped,
            _ = save.tick(), if shared => {
                match Box::pin(save_progress(state, live, &mut saved)).await {
                    Ok(true) => {}
                    Ok(false) => return Ending::Gone,
                    Err(err) => tracing::warn!(error = %err, "could not save a partial answer"),
                }
                if Box::pin(stop_asked_elsewhere(state, reservation)).await {
                    return Ending::Stopped;
                }
            }
            () = &mut flush, if held => {
                held = false;
                told_at = Some(tokio::time::Instant::now());
                live.publish();
            }
            item = upstream.next() => {
                let mut item = item;
                // Whatever else the upstream already sent joins this piece.
                loop {
                    match item {
                        None => return Ending::Finished,
                        Some(Err(err)) => return Ending::Broke(err),
                        Some(Ok(piece)) => {
                            let kept = prefix_within(&piece, cap.saturating_sub(len));
                            live.append(kept);
                            len += kept.len();
                            if kept.len() < piece.len() {
                                return Ending::Capped;
                            }
                        }
                    }
                    match upstream.next().now_or_never() {
                        Some(next) => item = next,
                        None => break,
                    }
                }
                if held {
                    continue;
                }
                let now = tokio::time::Instant::now();
                match told_at {
                    Some(at) if now < at + COALESCE => {
                        held = true;
                        flush.as_mut().reset(at + COALESCE);
                    }
                    _ => {
                        told_at = Some(now);
                        live.publish();
                    }
                }
            }
        }
    }
}

/// Saves the text so far when it grew; `false` when the answer's row is no longer a
/// running answer (deleted, or settled by another instance).
async fn save_progress(state: &AppState, live: &Live, saved: &mut usize) -> Result<bool> {
    let text = live.text();
    if text.len() == *saved {
        return Ok(true);
    }
    let changed = repo::save_partial(&state.db, live.message.id, &text).await?;
    *saved = text.len();
    Ok(changed > 0)
}

async fn stop_asked_elsewhere(state: &AppState, reservation: &Reservation) -> bool {
    match repo::stop_requested(&state.db, reservation.hold).await {
        Ok(asked) => asked.unwrap_or(false),
        Err(err) => {
            tracing::warn!(error = %err, "could not look for a stop");
            false
        }
    }
}

/// A room-list preview of a text (plain, one line, shortened); empty for no text.
pub fn preview_of(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        render::excerpt(&render::plain_text(text), PREVIEW_CHARS)
    }
}

/// A whole answer for a plain (non-streamed) request: waits for the answer's end. A failure
/// before any text is the provider's error (502/504), with the slot refunded.
pub async fn whole(live: &Live) -> Result<MessageView> {
    let outcome = live.ended().await;
    match (&outcome.failure, &outcome.message) {
        (Some(Failure::Upstream(err)), Some(m)) if m.status == "failed" => {
            Err(Error::from(err.clone()))
        }
        (Some(Failure::Storage), _) | (_, None) => {
            Err(Error::internal("the answer could not be saved"))
        }
        (_, Some(message)) => Ok(message.clone()),
    }
}
