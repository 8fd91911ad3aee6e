//! Sending a request to an upstream with bounded retries before the first token.
//!
//! At most two retries, only for connection failures, 429 and 5xx, with exponential
//! backoff (250 ms, 500 ms) or the upstream's `Retry-After` when it is shorter than what
//! is left of the deadline. Never for other 4xx. Errors never carry the URL or the key.

use std::time::Duration;

use tokio::time::Instant;

use super::{LlmError, Timeouts};

/// Most retries after the first attempt.
pub const MAX_RETRIES: usize = 2;
/// Longest `Retry-After` we are willing to honour.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// Sends `request` (re-cloned for each attempt) until it gets a success status, a final
/// error, or the deadline. Returns the response whose headers have arrived.
pub async fn send(
    request: reqwest::RequestBuilder,
    timeouts: Timeouts,
    deadline: Instant,
) -> Result<reqwest::Response, LlmError> {
    let mut attempt = 0;
    loop {
        let Some(this) = request.try_clone() else {
            return Err(LlmError::Config("request cannot be retried".into()));
        };
        let left = deadline.saturating_duration_since(Instant::now());
        let wait = timeouts.connect.min(left);
        let outcome: Result<(), (LlmError, Option<Duration>)> =
            match tokio::time::timeout(wait, this.send()).await {
                Err(_) => return Err(LlmError::Timeout),
                Ok(Err(err)) => {
                    tracing::warn!(
                        kind = kind(&err),
                        cause = %cause(&err),
                        attempt,
                        "LLM upstream unreachable"
                    );
                    if err.is_timeout() {
                        return Err(LlmError::Timeout);
                    }
                    Err((LlmError::Connect, None))
                }
                Ok(Ok(response)) => {
                    let status = response.status();
                    if status.is_success() {
                        return Ok(response);
                    }
                    tracing::warn!(
                        status = status.as_u16(),
                        attempt,
                        "LLM upstream answered with an error"
                    );
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    if status.as_u16() == 429 {
                        Err((LlmError::RateLimited, retry_after))
                    } else {
                        Err((
                            LlmError::Status {
                                status: status.as_u16(),
                            },
                            retry_after,
                        ))
                    }
                }
            };
        let Err((error, retry_after)) = outcome else {
            continue;
        };
        if !error.is_retryable() || attempt >= MAX_RETRIES {
            return Err(error);
        }
        let backoff = Duration::from_millis(250 << attempt);
        let pause = match retry_after {
            Some(d) if d > MAX_RETRY_AFTER => return Err(error),
            Some(d) => d.max(backoff),
            None => backoff,
        };
        if Instant::now() + pause >= deadline {
            return Err(error);
        }
        tokio::time::sleep(pause).await;
        attempt += 1;
    }
}

/// Maps a body-read error.
pub fn body_error(err: &reqwest::Error) -> LlmError {
    tracing::warn!(kind = kind(err), cause = %cause(err), "LLM upstream body failed");
    if err.is_timeout() {
        LlmError::Timeout
    } else {
        LlmError::Connect
    }
}

/// The causes under a reqwest error (hyper's, h2's, the OS's), joined; the error itself
/// is left out because its `Display` carries the URL.
fn cause(err: &reqwest::Error) -> String {
    let mut causes = Vec::new();
    let mut next = std::error::Error::source(err);
    while let Some(source) = next {
        causes.push(source.to_string());
        next = source.source();
    }
    causes.join(": ")
}

/// What went wrong, without the URL (which reqwest's `Display` would include).
fn kind(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect"
    } else if err.is_body() {
        "body"
    } else if err.is_decode() {
        "decode"
    } else {
        "request"
    }
}
