//! The running answers of this process ([`Answers`]) and what a running answer is
//! ([`Live`]): its text so far, its progress and its stop switch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;
use uuid::Uuid;

use super::MessageView;
use super::events::delta_frame;
use crate::llm::LlmError;

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

    pub(super) fn insert(&self, live: Arc<Live>) {
        if let Ok(mut running) = self.running.lock() {
            running.insert(live.message.id, live);
        }
    }

    pub(super) fn remove(&self, id: Uuid) {
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
pub(super) struct Progress {
    pub(super) len: usize,
    pub(super) end: Option<Arc<Outcome>>,
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
    pub(super) progress: watch::Sender<Progress>,
    pub(super) stop: watch::Sender<bool>,
}

impl Live {
    pub(super) fn new(message: MessageView, owner: Uuid) -> Arc<Live> {
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
    pub(super) fn append(&self, piece: &str) {
        if let Ok(mut text) = self.text.lock() {
            text.push_str(piece);
        }
    }

    /// Tells the attached clients about the text appended so far.
    pub(super) fn publish(&self) {
        let len = self.text.lock().map_or(0, |t| t.len());
        self.progress.send_if_modified(|p| {
            let grew = len > p.len;
            p.len = p.len.max(len);
            grew
        });
    }

    #[cfg(test)]
    pub(super) fn push(&self, piece: &str) {
        self.append(piece);
        self.publish();
    }

    pub(super) fn text(&self) -> String {
        self.text.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// The `delta` event of the text between two lengths, serialised straight from the
    /// shared text (one buffer, no intermediate string or JSON value).
    pub(super) fn delta_between(&self, from: usize, to: usize) -> Bytes {
        match self.text.lock() {
            Ok(text) => delta_frame(text.get(from..to).unwrap_or_default()),
            Err(_) => delta_frame(""),
        }
    }

    pub(super) fn finish(&self, outcome: Outcome) {
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
