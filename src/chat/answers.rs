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

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::pin::Pin;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use futures::{FutureExt as _, Stream, StreamExt as _};
use serde::Serialize;
use tokio::sync::watch;
use uuid::Uuid;

use super::repo::{self, MessageRow, RoomRow};
use super::{MessageView, render};
use crate::error::{Error, Result};
use crate::llm::{ChatRequest, LlmError, TextStream};
use crate::quota::Reservation;
use crate::state::AppState;

/// How often a running answer saves its partial text (for clients of other instances)
/// and looks for a stop asked elsewhere; only on PostgreSQL, where there can be other
/// instances.
pub const SAVE_EVERY: Duration = Duration::from_millis(250);
/// Text arriving within this long after clients were last told goes out in one event.
pub const COALESCE: Duration = Duration::from_millis(5);
/// How often a client following a stored answer looks at it again.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);
/// Room-list preview length.
pub const PREVIEW_CHARS: usize = 120;

/// The running answers of this process, by message id.
#[derive(Default)]
pub struct Answers {
    running: Mutex<HashMap<Uuid, Arc<Live>>>,
    idle: tokio::sync::Notify,
}

impl Answers {
    /// The running answer with this id, if this process runs it.
    pub fn get(&self, id: Uuid) -> Option<Arc<Live>> {
        self.running.lock().ok()?.get(&id).cloned()
    }

    fn insert(&self, live: Arc<Live>) {
        if let Ok(mut running) = self.running.lock() {
            running.insert(live.message.id, live);
        }
    }

    fn remove(&self, id: Uuid) {
        if let Ok(mut running) = self.running.lock() {
            running.remove(&id);
            if running.is_empty() {
                self.idle.notify_waiters();
            }
        }
    }

    /// How many answers this process is writing.
    pub fn len(&self) -> usize {
        self.running.lock().map_or(0, |r| r.len())
    }

    /// True when no answer is being written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stops every answer of a room (it is being deleted).
    pub fn stop_room(&self, room: Uuid) {
        if let Ok(running) = self.running.lock() {
            for live in running.values().filter(|l| l.message.room_id == room) {
                live.stop();
            }
        }
    }

    /// At shutdown: waits up to `grace` for running answers to finish, then stops the rest
    /// and waits (briefly) until they are stored.
    pub async fn drain(&self, grace: Duration) {
        let wait_idle = async {
            loop {
                let idle = self.idle.notified();
                if self.is_empty() {
                    return;
                }
                idle.await;
            }
        };
        if tokio::time::timeout(grace, wait_idle).await.is_ok() {
            return;
        }
        let left: Vec<Arc<Live>> = self
            .running
            .lock()
            .map(|r| r.values().cloned().collect())
            .unwrap_or_default();
        tracing::warn!(
            answers = left.len(),
            "stopping answers still running at shutdown"
        );
        for live in &left {
            live.stop();
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            for live in &left {
                live.ended().await;
            }
        })
        .await;
    }
}

/// How a running answer is doing: how much text there is, and how it ended.
#[derive(Clone, Debug, Default)]
struct Progress {
    len: usize,
    end: Option<Arc<Outcome>>,
}

/// How an answer ended.
#[derive(Debug)]
pub struct Outcome {
    /// The answer as stored (`None` when it could not be stored).
    pub message: Option<MessageView>,
    /// Why it ended early, if it did and that is an error (a stop is not).
    pub failure: Option<Failure>,
}

/// Why an answer ended early.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The upstream failed or broke off.
    Upstream(LlmError),
    /// The answer reached the size cap and was cut there.
    TooLong,
    /// The answer could not be stored.
    Storage,
}

/// A running answer: its text so far, its progress and its stop switch.
pub struct Live {
    /// The answer as announced (`streaming`, no text).
    pub message: MessageView,
    pub owner: Uuid,
    text: Mutex<String>,
    progress: watch::Sender<Progress>,
    stop: watch::Sender<bool>,
}

impl Live {
    fn new(message: MessageView, owner: Uuid) -> Arc<Live> {
        Arc::new(Live {
            message,
            owner,
            text: Mutex::new(String::new()),
            progress: watch::Sender::new(Progress::default()),
            stop: watch::Sender::new(false),
        })
    }

    /// Asks the generation task to stop: it cancels the upstream call and keeps the
    /// partial answer.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Adds text without telling the clients yet (see [`Live::publish`]).
    fn append(&self, piece: &str) {
        if let Ok(mut text) = self.text.lock() {
            text.push_str(piece);
        }
    }

    /// Tells the attached clients about the text appended so far.
    fn publish(&self) {
        let len = self.text.lock().map_or(0, |t| t.len());
        self.progress.send_if_modified(|p| {
            let grew = len > p.len;
            p.len = p.len.max(len);
            grew
        });
    }

    #[cfg(test)]
    fn push(&self, piece: &str) {
        self.append(piece);
        self.publish();
    }

    fn text(&self) -> String {
        self.text.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// The `delta` event of the text between two lengths, serialised straight from the
    /// shared text (one buffer, no intermediate string or JSON value).
    fn delta_between(&self, from: usize, to: usize) -> Bytes {
        match self.text.lock() {
            Ok(text) => delta_frame(text.get(from..to).unwrap_or_default()),
            Err(_) => delta_frame(""),
        }
    }

    fn finish(&self, outcome: Outcome) {
        let outcome = Arc::new(outcome);
        let len = self.text.lock().map_or(0, |t| t.len());
        self.progress.send_modify(|p| {
            p.len = p.len.max(len);
            p.end = Some(outcome);
        });
    }

    /// Waits until the answer has ended and been stored; returns how.
    pub async fn ended(&self) -> Arc<Outcome> {
        let mut rx = self.progress.subscribe();
        loop {
            if let Some(end) = rx.borrow_and_update().end.clone() {
                return end;
            }
            if rx.changed().await.is_err() {
                return Arc::new(Outcome {
                    message: None,
                    failure: Some(Failure::Storage),
                });
            }
        }
    }
}

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
enum Ending {
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
    let outcome = Box::pin(settle(
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

/// Stores how an answer ended and settles its hold, in one transaction: `complete` when the
/// model finished; otherwise `incomplete` with the text so far (the slot stays spent), or,
/// with no text at all, the slot is refunded and the answer is `failed` (or `incomplete`
/// when the user stopped it). A `free` reply (the offline assistant only saying that no
/// model is connected) is refunded too.
#[allow(clippy::too_many_arguments)]
async fn settle(
    state: &AppState,
    room: &RoomRow,
    reservation: &Reservation,
    live: &Live,
    text: &str,
    ending: Ending,
    model: &str,
    free: bool,
) -> Outcome {
    let (status, failure) = match ending {
        Ending::Finished => ("complete", None),
        Ending::Capped => ("incomplete", Some(Failure::TooLong)),
        Ending::Stopped | Ending::Gone => ("incomplete", None),
        Ending::Unprepared => ("failed", Some(Failure::Storage)),
        Ending::Broke(err) if text.is_empty() => ("failed", Some(Failure::Upstream(err))),
        Ending::Broke(err) => ("incomplete", Some(Failure::Upstream(err))),
    };
    let refund = free || (text.is_empty() && status != "complete");
    let model = Some(model).filter(|_| !text.is_empty());
    let html = render::markdown_to_html(text);
    // Rows are locked in the order a send locks them (the day's quota row, then the room), so
    // an answer settling while the same user sends again cannot deadlock on PostgreSQL.
    let mut then = Vec::with_capacity(3);
    if refund {
        then.push(reservation.refund_stmt());
    }
    then.push(repo::finish_answer(
        live.message.id,
        text,
        &html,
        status,
        model,
    ));
    then.push(repo::touch_room(room, &preview_of(text)));
    let stored = state
        .db
        .hot_write_claimed::<Uuid>(reservation.claim(), then)
        .await;
    let message = MessageView {
        content: text.to_owned(),
        html,
        status: status.to_owned(),
        ..live.message.clone()
    };
    match stored {
        Ok(Some(_)) => {
            if refund {
                metrics::counter!("confab_quota_refunds_total", "scope" => reservation.scope.as_str())
                    .increment(1);
            }
            Outcome {
                message: Some(message),
                failure,
            }
        }
        Ok(None) => {
            // Settled elsewhere (a sweep after a stall) or deleted with its room: what is
            // stored is whatever that left.
            let stored = Box::pin(repo::get_message(
                &state.db,
                room.owner_id,
                room.id,
                live.message.id,
            ))
            .await
            .ok()
            .flatten()
            .map(MessageView::from);
            Outcome {
                message: stored,
                failure,
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "could not store an answer");
            Outcome {
                message: None,
                failure: Some(Failure::Storage),
            }
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

/// Settles the answers of processes that are gone: those tied to holds taken before
/// `held_before_us` (`None`: all, for a SQLite server at start-up, the only process on
/// its file). Each becomes `incomplete` with the text saved so far, or `failed` with its
/// slot refunded when none was saved. Returns how many were settled.
pub async fn recover(state: &AppState, held_before_us: Option<i64>) -> Result<u64> {
    let mut settled = 0;
    loop {
        let stale = repo::stale_answers(&state.db, held_before_us.unwrap_or(i64::MAX)).await?;
        let batch = stale.len();
        for answer in stale {
            let empty = answer.content.is_empty();
            let status = if empty { "failed" } else { "incomplete" };
            let html = render::markdown_to_html(&answer.content);
            // The quota row first, as a send locks it (see `settle`).
            let mut then = Vec::with_capacity(2);
            if empty {
                then.push(crate::quota::repo::decrement_stmt(
                    answer.user_id,
                    &answer.scope,
                    &answer.day,
                ));
            }
            then.push(repo::finish_answer(
                answer.message_id,
                &answer.content,
                &html,
                status,
                None,
            ));
            let claim = crate::quota::repo::claim_hold(answer.hold);
            if state
                .db
                .hot_write_claimed::<Uuid>(claim, then)
                .await?
                .is_some()
            {
                settled += 1;
            }
        }
        if batch < crate::quota::repo::SWEEP_BATCH as usize {
            break;
        }
    }
    if settled > 0 {
        tracing::warn!(
            settled,
            "answers cut off by a stopped process were marked incomplete"
        );
    }
    Ok(settled)
}

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
fn delta_frame(text: &str) -> Bytes {
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

/// How long after its hold was taken an answer (or any held work) must have ended: the
/// upstream's whole-call deadline twice over, plus a minute for storing.
pub fn stale_after(state: &AppState) -> Duration {
    Duration::from_secs(state.config.llm_timeout_secs.saturating_mul(2) + 60)
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
