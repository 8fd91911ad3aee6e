//! Storing how an answer ended: [`settle`] for the generation task, [`recover`] for the
//! answers of processes that are gone.

use std::time::Duration;

use uuid::Uuid;

use super::live::{Failure, Live, Outcome};
use super::{Ending, preview_of};
use crate::chat::repo::{self, RoomRow};
use crate::chat::{MessageView, render};
use crate::error::Result;
use crate::quota::Reservation;
use crate::state::AppState;

/// Stores how an answer ended and settles its hold, in one transaction: `complete` when the
/// model finished; otherwise `incomplete` with the text so far (the slot stays spent), or,
/// with no text at all, the slot is refunded and the answer is `failed` (or `incomplete`
/// when the user stopped it). A `free` reply (the offline assistant only saying that no
/// model is connected) is refunded too.
#[allow(clippy::too_many_arguments)]
pub(super) async fn settle(
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

/// How long after its hold was taken an answer (or any held work) must have ended: the
/// upstream's whole-call deadline twice over, plus a minute for storing.
pub fn stale_after(state: &AppState) -> Duration {
    Duration::from_secs(state.config.llm_timeout_secs.saturating_mul(2) + 60)
}
