//! Reading an upstream's Server-Sent Events body into a [`TextStream`] with idle and
//! total deadlines. Dropping the stream drops the HTTP response, which cancels the call.
//!
//! The framing is parsed here rather than by a general SSE library because this is the
//! hottest path of a streamed answer: one event per token. Bytes are appended to one
//! buffer, complete lines are read in place, and a `data:` payload is collected into one
//! reused string, so reading an event allocates nothing; only the text a provider's
//! `parse` takes out of it is a new `String`. The idle deadline is one timer per stream,
//! re-armed only when it fires (not reset per chunk).
//!
//! After the end marker the body is still read to its end (what follows is ignored), so an
//! HTTP/1.1 connection goes back to the client's pool instead of being closed: the chunked
//! body's terminator often arrives just after `[DONE]`, and a response dropped before it is
//! seen cannot be reused. When it is not there yet, a background task reads it (bounded in
//! time and bytes) once the stream is dropped.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use tokio::time::{Instant, Sleep};

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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum At {
    Reading,
    /// The end marker came: the stream ends after what was returned. The body may still
    /// have to be read to its end.
    Done,
    /// An error was returned, or the stream ended: nothing more.
    Over,
}

/// A body as chunks of bytes (reqwest's `bytes_stream`, or anything else in tests).
type Body = Pin<Box<dyn Stream<Item = Result<Bytes, LlmError>> + Send>>;

/// How long, and how many bytes, a body is read after its end marker before it is dropped
/// (and its connection with it).
const DRAIN_TIME: Duration = Duration::from_secs(2);
const DRAIN_BYTES: usize = 64 * 1024;

/// Turns an SSE response into text pieces using `parse` for each `data:` payload. A body
/// that ends before the provider's end marker is an `Incomplete` error, not a finished
/// answer: the connection was cut, the answer may be too.
pub fn text_stream(
    response: reqwest::Response,
    idle: Duration,
    deadline: Instant,
    parse: fn(&str) -> Result<Piece, LlmError>,
) -> TextStream {
    use futures::TryStreamExt as _;
    let body = response
        .bytes_stream()
        .map_err(|err| super::retry::body_error(&err));
    Box::pin(SseText::new(Box::pin(body), idle, deadline, parse))
}

/// The SSE reader: framing, deadlines and the provider's payload parser.
struct SseText {
    body: Body,
    /// Bytes received and not yet read as lines; `start` is where the unread part begins.
    buf: Vec<u8>,
    start: usize,
    /// The `data:` lines of the event being read, joined by `\n`.
    data: String,
    /// Whether the event being read has a `data` field (an empty one counts).
    has_data: bool,
    idle: Duration,
    deadline: Instant,
    /// When the body last sent something.
    last: Instant,
    /// Fires at the earliest moment the stream could be late; looked at (and moved on)
    /// only when it fires.
    timer: Pin<Box<Sleep>>,
    parse: fn(&str) -> Result<Piece, LlmError>,
    at: At,
    /// Whether the body has ended (or failed): nothing is left to read from it.
    body_over: bool,
    /// Bytes read after the end marker.
    drained: usize,
}

impl SseText {
    fn new(
        body: Body,
        idle: Duration,
        deadline: Instant,
        parse: fn(&str) -> Result<Piece, LlmError>,
    ) -> SseText {
        let now = Instant::now();
        SseText {
            body,
            buf: Vec::with_capacity(4096),
            start: 0,
            data: String::new(),
            has_data: false,
            idle,
            deadline,
            last: now,
            timer: Box::pin(tokio::time::sleep_until((now + idle).min(deadline))),
            parse,
            at: At::Reading,
            body_over: false,
            drained: 0,
        }
    }

    /// Reads complete lines from the buffer until an event is complete; returns its
    /// verdict, or `None` when the buffer holds no complete event.
    fn next_event(&mut self) -> Option<Result<Piece, LlmError>> {
        loop {
            let unread = &self.buf[self.start..];
            let end = unread.iter().position(|&b| b == b'\n' || b == b'\r')?;
            // A `\r` at the very end may be the first half of `\r\n`: wait for the next byte.
            let mut next = end + 1;
            if unread[end] == b'\r' {
                match unread.get(end + 1) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => return None,
                }
            }
            let line_start = self.start;
            self.start += next;
            let line = &self.buf[line_start..line_start + end];
            if line.is_empty() {
                if !self.has_data {
                    continue;
                }
                self.has_data = false;
                if self.data.ends_with('\n') {
                    self.data.pop();
                }
                let verdict = (self.parse)(&self.data);
                self.data.clear();
                return Some(verdict);
            }
            let (field, value) = match line.iter().position(|&b| b == b':') {
                Some(0) => continue, // a comment
                Some(colon) => {
                    let value = &line[colon + 1..];
                    (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
                }
                None => (line, &line[line.len()..]),
            };
            if field == b"data" {
                let Ok(value) = std::str::from_utf8(value) else {
                    return Some(Err(LlmError::Malformed));
                };
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
        }
    }

    /// Drops the lines already read from the buffer once they are most of it.
    fn compact(&mut self) {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// After the end marker: reads what the body already has, without waiting, until it
    /// ends, is pending or has given more than [`DRAIN_BYTES`].
    fn drain_ready(&mut self, cx: &mut Context<'_>) {
        while !self.body_over && self.drained <= DRAIN_BYTES {
            match self.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => self.drained += chunk.len(),
                Poll::Ready(Some(Err(_)) | None) => self.body_over = true,
                Poll::Pending => return,
            }
        }
    }

    /// Whether a deadline has passed; re-arms the timer for the next possible one.
    fn late(&mut self, cx: &mut Context<'_>) -> bool {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return false;
            }
            let now = Instant::now();
            let due = (self.last + self.idle).min(self.deadline);
            if now >= due {
                return true;
            }
            self.timer.as_mut().reset(due);
        }
    }
}

impl Stream for SseText {
    type Item = Result<String, LlmError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match this.at {
                At::Reading => {}
                At::Done => {
                    this.drain_ready(cx);
                    return Poll::Ready(None);
                }
                At::Over => return Poll::Ready(None),
            }
            if let Some(verdict) = this.next_event() {
                match verdict {
                    Ok(Piece::Text(text)) if !text.is_empty() => {
                        return Poll::Ready(Some(Ok(text)));
                    }
                    Ok(Piece::Text(_) | Piece::Nothing) => continue,
                    Ok(Piece::Done) => {
                        this.at = At::Done;
                        continue;
                    }
                    Ok(Piece::TextThenDone(text)) => {
                        this.at = At::Done;
                        if text.is_empty() {
                            continue;
                        }
                        return Poll::Ready(Some(Ok(text)));
                    }
                    Err(err) => {
                        this.at = At::Over;
                        return Poll::Ready(Some(Err(err)));
                    }
                }
            }
            this.compact();
            match this.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.buf.extend_from_slice(&chunk);
                    this.last = Instant::now();
                }
                Poll::Ready(Some(Err(err))) => {
                    this.at = At::Over;
                    return Poll::Ready(Some(Err(err)));
                }
                Poll::Ready(None) => {
                    this.at = At::Over;
                    this.body_over = true;
                    return Poll::Ready(Some(Err(LlmError::Incomplete)));
                }
                Poll::Pending => {
                    if this.late(cx) {
                        this.at = At::Over;
                        return Poll::Ready(Some(Err(LlmError::Timeout)));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl Drop for SseText {
    /// A finished answer whose body has not ended yet is read to its end in the background,
    /// so its connection can be reused; any other stream is dropped with its response
    /// (which cancels the call).
    fn drop(&mut self) {
        if self.at != At::Done || self.body_over || self.drained > DRAIN_BYTES {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut body: Body = std::mem::replace(&mut self.body, Box::pin(futures::stream::empty()));
        let mut drained = self.drained;
        runtime.spawn(async move {
            use futures::StreamExt as _;
            let _ = tokio::time::timeout(DRAIN_TIME, async {
                while let Some(Ok(chunk)) = body.next().await {
                    drained += chunk.len();
                    if drained > DRAIN_BYTES {
                        break;
                    }
                }
            })
            .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;

    use super::*;

    fn text_or_done(data: &str) -> Result<Piece, LlmError> {
        match data {
            "[DONE]" => Ok(Piece::Done),
            "bad" => Err(LlmError::Malformed),
            "" => Ok(Piece::Nothing),
            text => Ok(Piece::Text(text.to_owned())),
        }
    }

    fn reader(chunks: Vec<&'static [u8]>) -> SseText {
        let body = futures::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from_static(c))));
        SseText::new(
            Box::pin(body),
            Duration::from_secs(5),
            Instant::now() + Duration::from_secs(10),
            text_or_done,
        )
    }

    async fn read(chunks: Vec<&'static [u8]>) -> Vec<Result<String, LlmError>> {
        reader(chunks).collect().await
    }

    #[tokio::test]
    async fn events_split_anywhere_read_the_same() {
        let whole: &'static [u8] =
            b": hello\n\ndata: one\n\nevent: x\ndata: t\xc3\xa9\r\ndata: two\r\n\r\ndata:three\r\rdata: [DONE]\n\n";
        let expected = vec![
            Ok("one".to_owned()),
            Ok("té\ntwo".to_owned()),
            Ok("three".to_owned()),
        ];
        assert_eq!(read(vec![whole]).await, expected);
        for cut in 1..whole.len() {
            let (a, b) = whole.split_at(cut);
            assert_eq!(read(vec![a, b]).await, expected, "cut at {cut}");
        }
        let bytes: Vec<&'static [u8]> = whole.chunks(1).collect();
        assert_eq!(read(bytes).await, expected);
    }

    #[tokio::test]
    async fn a_body_that_ends_before_the_end_marker_is_incomplete() {
        assert_eq!(
            read(vec![b"data: one\n\ndata: tw"]).await,
            vec![Ok("one".to_owned()), Err(LlmError::Incomplete)]
        );
    }

    #[tokio::test]
    async fn nothing_is_read_after_the_end_marker_or_an_error() {
        assert_eq!(
            read(vec![b"data: [DONE]\n\ndata: after\n\n"]).await,
            Vec::<Result<String, LlmError>>::new()
        );
        assert_eq!(
            read(vec![b"data: bad\n\ndata: after\n\n"]).await,
            vec![Err(LlmError::Malformed)]
        );
        assert_eq!(
            read(vec![b"data: \xff\n\n"]).await,
            vec![Err(LlmError::Malformed)]
        );
    }

    /// A body fed by hand that records whether it was read to its end.
    struct Watched {
        rx: futures::channel::mpsc::UnboundedReceiver<Result<Bytes, LlmError>>,
        ended: std::sync::Arc<std::sync::atomic::AtomicBool>,
    }

    impl Stream for Watched {
        type Item = Result<Bytes, LlmError>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let next = self.rx.poll_next_unpin(cx);
            if let Poll::Ready(None) = next {
                self.ended.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            next
        }
    }

    type Feed = futures::channel::mpsc::UnboundedSender<Result<Bytes, LlmError>>;

    fn watched() -> (Feed, SseText, std::sync::Arc<std::sync::atomic::AtomicBool>) {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let ended = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let body = Watched {
            rx,
            ended: ended.clone(),
        };
        let stream = SseText::new(
            Box::pin(body),
            Duration::from_secs(5),
            Instant::now() + Duration::from_secs(60),
            text_or_done,
        );
        (tx, stream, ended)
    }

    fn send(tx: &Feed, bytes: &'static [u8]) {
        tx.unbounded_send(Ok(Bytes::from_static(bytes)))
            .expect("the body is still read");
    }

    #[tokio::test]
    async fn after_the_end_marker_the_body_is_read_to_its_end_so_its_connection_is_reused() {
        use std::sync::atomic::Ordering::SeqCst;
        // The end of the body is already there: read at once, before the stream is dropped.
        let (tx, mut stream, ended) = watched();
        send(&tx, b"data: one\n\ndata: [DONE]\n\n");
        send(&tx, b"trailing bytes are ignored");
        drop(tx);
        assert_eq!(stream.next().await, Some(Ok("one".to_owned())));
        assert_eq!(stream.next().await, None);
        assert!(ended.load(SeqCst));

        // The end comes later: the dropped stream's body is read to it in the background.
        let (tx, mut stream, ended) = watched();
        send(&tx, b"data: one\n\ndata: [DONE]\n\n");
        assert_eq!(stream.next().await, Some(Ok("one".to_owned())));
        assert_eq!(stream.next().await, None);
        drop(stream);
        assert!(!ended.load(SeqCst) && !tx.is_closed(), "still being read");
        send(&tx, b"late");
        drop(tx);
        for _ in 0..100 {
            if ended.load(SeqCst) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(ended.load(SeqCst));
    }

    #[tokio::test]
    async fn a_stream_dropped_before_its_end_marker_lets_go_of_the_body_at_once() {
        let (tx, mut stream, ended) = watched();
        send(&tx, b"data: one\n\n");
        assert_eq!(stream.next().await, Some(Ok("one".to_owned())));
        drop(stream);
        assert!(tx.is_closed(), "a stopped answer cancels its call");
        assert!(!ended.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_never_ends_after_the_end_marker_is_dropped_after_a_while() {
        let (tx, mut stream, _ended) = watched();
        send(&tx, b"data: [DONE]\n\n");
        assert_eq!(stream.next().await, None);
        drop(stream);
        tokio::time::sleep(DRAIN_TIME - Duration::from_millis(10)).await;
        assert!(!tx.is_closed());
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(tx.is_closed(), "given up on after {DRAIN_TIME:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_body_times_out_after_the_idle_limit_however_often_it_spoke_before() {
        let (tx, rx) = futures::channel::mpsc::unbounded::<Result<Bytes, LlmError>>();
        let mut stream = SseText::new(
            Box::pin(rx),
            Duration::from_secs(5),
            Instant::now() + Duration::from_secs(60),
            text_or_done,
        );
        for i in 0..20 {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let _ = tx.unbounded_send(Ok(Bytes::from(format!("data: t{i}\n\n"))));
            assert_eq!(stream.next().await, Some(Ok(format!("t{i}"))));
        }
        let before = Instant::now();
        assert_eq!(stream.next().await, Some(Err(LlmError::Timeout)));
        assert_eq!(before.elapsed(), Duration::from_secs(5));
        assert_eq!(stream.next().await, None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_whole_call_deadline_holds_even_when_the_body_keeps_talking() {
        let (tx, rx) = futures::channel::mpsc::unbounded::<Result<Bytes, LlmError>>();
        let started = Instant::now();
        let mut stream = SseText::new(
            Box::pin(rx),
            Duration::from_secs(5),
            started + Duration::from_secs(12),
            text_or_done,
        );
        let feeder = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                // Comments only: the body talks, but no text comes.
                if tx
                    .unbounded_send(Ok(Bytes::from_static(b": ping\n\n")))
                    .is_err()
                {
                    return;
                }
            }
        });
        assert_eq!(stream.next().await, Some(Err(LlmError::Timeout)));
        assert_eq!(started.elapsed(), Duration::from_secs(12));
        feeder.abort();
    }
}
