//! Reading an upstream's Server-Sent Events body into a [`TextStream`] with idle and
//! total deadlines. Dropping the stream drops the HTTP response, which cancels the call.

use std::time::Duration;

use eventsource_stream::Eventsource as _;
use futures::StreamExt as _;
use tokio::time::Instant;

use super::{LlmError, TextStream};

/// What one SSE `data:` payload means.
pub enum Piece {
    Text(String),
    Nothing,
    Done,
}

/// Turns an SSE response into text pieces using `parse` for each `data:` payload.
pub fn text_stream(
    response: reqwest::Response,
    idle: Duration,
    deadline: Instant,
    parse: fn(&str) -> Result<Piece, LlmError>,
) -> TextStream {
    let events = response.bytes_stream().eventsource();
    let state = (Box::pin(events), false);
    Box::pin(futures::stream::unfold(
        state,
        move |(mut events, finished)| async move {
            if finished {
                return None;
            }
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let next = match tokio::time::timeout(idle.min(left), events.next()).await {
                    Err(_) => return Some((Err(LlmError::Timeout), (events, true))),
                    Ok(next) => next,
                };
                let event = match next {
                    None => return None,
                    Some(Err(eventsource_stream::EventStreamError::Transport(err))) => {
                        return Some((Err(super::retry::body_error(&err)), (events, true)));
                    }
                    Some(Err(_)) => return Some((Err(LlmError::Malformed), (events, true))),
                    Some(Ok(event)) => event,
                };
                match parse(&event.data) {
                    Ok(Piece::Text(text)) if !text.is_empty() => {
                        return Some((Ok(text), (events, false)));
                    }
                    Ok(Piece::Text(_) | Piece::Nothing) => continue,
                    Ok(Piece::Done) => return None,
                    Err(err) => return Some((Err(err), (events, true))),
                }
            }
        },
    ))
}
