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
    /// The end marker (OpenAI's `[DONE]`).
    Done,
    /// The last text, with the end marker (Gemini's finish reason).
    TextThenDone(String),
}

/// Where the stream is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Reading,
    /// The end marker came: the stream ends after what was returned.
    Done,
    /// An error was returned: nothing more.
    Failed,
}

/// Turns an SSE response into text pieces using `parse` for each `data:` payload. A body
/// that ends before the provider's end marker is an `Incomplete` error, not a finished
/// answer: the connection was cut, the answer may be too.
pub fn text_stream(
    response: reqwest::Response,
    idle: Duration,
    deadline: Instant,
    parse: fn(&str) -> Result<Piece, LlmError>,
) -> TextStream {
    let events = response.bytes_stream().eventsource();
    let state = (Box::pin(events), At::Reading);
    Box::pin(futures::stream::unfold(
        state,
        move |(mut events, at)| async move {
            if at != At::Reading {
                return None;
            }
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let next = match tokio::time::timeout(idle.min(left), events.next()).await {
                    Err(_) => return Some((Err(LlmError::Timeout), (events, At::Failed))),
                    Ok(next) => next,
                };
                let event = match next {
                    None => return Some((Err(LlmError::Incomplete), (events, At::Failed))),
                    Some(Err(eventsource_stream::EventStreamError::Transport(err))) => {
                        return Some((Err(super::retry::body_error(&err)), (events, At::Failed)));
                    }
                    Some(Err(_)) => return Some((Err(LlmError::Malformed), (events, At::Failed))),
                    Some(Ok(event)) => event,
                };
                match parse(&event.data) {
                    Ok(Piece::Text(text)) if !text.is_empty() => {
                        return Some((Ok(text), (events, At::Reading)));
                    }
                    Ok(Piece::Text(_) | Piece::Nothing) => continue,
                    Ok(Piece::Done) => return None,
                    Ok(Piece::TextThenDone(text)) if !text.is_empty() => {
                        return Some((Ok(text), (events, At::Done)));
                    }
                    Ok(Piece::TextThenDone(_)) => return None,
                    Err(err) => return Some((Err(err), (events, At::Failed))),
                }
            }
        },
    ))
}
