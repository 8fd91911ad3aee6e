#![allow(dead_code)]
//! A fake LLM upstream speaking real HTTP on a local port, for integration tests and the
//! benchmark (`examples/fake_upstream.rs`).
//!
//! Endpoints:
//! - OpenAI-compatible `POST /v1/chat/completions` (plain JSON or SSE with `"stream": true`);
//! - Gemini native `POST /v1beta/models/{model}:generateContent` and
//!   `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`.
//!
//! What every call answers is a [`Behavior`]: the reply text, a latency before the response
//! headers, a delay between stream chunks and a [`Fault`]. It can be changed at runtime with
//! [`FakeUpstream::set`]. Counters ([`FakeUpstream::calls`], [`FakeUpstream::open_streams`],
//! [`FakeUpstream::cancelled_streams`]) let tests observe what the server under test did.
//!
//! Self-contained: included with `#[path = ...] mod fake_upstream;` by the test binary and the
//! example, so it only uses crates from Cargo.toml.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::stream;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpSocket};
use tokio::task::JoinHandle;

/// How long "forever" is for the hanging faults.
const HANG: Duration = Duration::from_secs(3600);

/// A pause before aborting a body, so hyper has flushed what was sent before.
const FLUSH_PAUSE: Duration = Duration::from_millis(5);

/// What goes wrong with a call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fault {
    /// Everything works.
    #[default]
    None,
    /// Every call answers this status with a JSON error body.
    Status(u16),
    /// Every call answers 429 with a `Retry-After` header.
    RateLimited { retry_after_secs: u64 },
    /// The first `times` calls (since start or the last [`FakeUpstream::set`]) fail with
    /// `status`, later ones succeed.
    FailFirst { times: usize, status: u16 },
    /// Never sends response headers (sleeps an hour).
    HangBeforeHeaders,
    /// Streams: `n` tokens, then silence with the connection kept open. Non-stream: hangs.
    StallAfter(usize),
    /// Streams: `n` tokens, then the body ends abruptly (connection aborted, no final chunk,
    /// no `[DONE]`). Non-stream: 200 headers, then the body is aborted.
    DisconnectAfter(usize),
    /// Streams: `n` tokens, then the body ends cleanly but without the end marker (no
    /// `[DONE]`, no finish reason). Non-stream: as [`Fault::None`].
    EndWithoutMarker(usize),
    /// Streams: `n` good tokens, then `data: {not json`, then the rest of the stream as usual.
    /// Non-stream: 200 with a body that is not valid JSON.
    MalformedChunk(usize),
    /// Streams: as usual, but the body's end (HTTP/1.1's last chunk) comes [`SLOW_END`]
    /// after the end marker, as from a server that flushes each write on its own.
    /// Non-stream: as [`Fault::None`].
    SlowEnd,
}

/// How long [`Fault::SlowEnd`] holds the body's end back.
pub const SLOW_END: Duration = Duration::from_millis(100);

/// What every call answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Behavior {
    /// The assistant's whole reply; streams split it into word pieces (see [`split_tokens`]).
    pub reply: String,
    /// Sleep before the response headers (also before error responses).
    pub latency: Duration,
    /// Sleep between two content chunks of a stream.
    pub token_delay: Duration,
    pub fault: Fault,
}

impl Default for Behavior {
    fn default() -> Self {
        Self {
            reply: "Hello from the fake upstream.".to_owned(),
            latency: Duration::ZERO,
            token_delay: Duration::ZERO,
            fault: Fault::None,
        }
    }
}

impl Behavior {
    /// The default behaviour with this reply.
    pub fn reply(reply: impl Into<String>) -> Self {
        Self {
            reply: reply.into(),
            ..Self::default()
        }
    }

    /// The default behaviour with this fault.
    pub fn fault(fault: Fault) -> Self {
        Self {
            fault,
            ..Self::default()
        }
    }
}

/// Splits `text` into word pieces that keep their whitespace: every piece but the first
/// starts with the whitespace before its word, trailing whitespace stays on the last piece,
/// so the concatenation of the pieces is `text` exactly. `"a b  c"` → `["a", " b", "  c"]`.
pub fn split_tokens(text: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_is_space = false;
    for ch in text.chars() {
        let is_space = ch.is_whitespace();
        if is_space && !prev_is_space && !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        current.push(ch);
        prev_is_space = is_space;
    }
    if !current.is_empty() {
        match pieces.last_mut() {
            Some(last) if current.chars().all(char::is_whitespace) => last.push_str(&current),
            _ => pieces.push(current),
        }
    }
    pieces
}

/// Streams one HTTP/2 connection may carry at once (hyper's default is 200; the benchmark
/// runs 10,000 streams over a handful of connections).
const H2_MAX_STREAMS: u32 = 100_000;

/// Serves HTTP/1.1 and HTTP/2 with prior knowledge (h2c) on every connection: hyper's
/// automatic builder tells them apart by the HTTP/2 preface.
async fn serve(listener: TcpListener, router: Router, shared: Arc<Shared>) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let mut builder = Builder::new(TokioExecutor::new());
    // Thousands of requests at once share one connection: with hyper's 1 MB connection
    // window their bodies arrive in small DATA frames as the window frees, and h2 closes a
    // connection that sends too many of those (ENHANCE_YOUR_CALM). A busy model server
    // sizes its windows for its load; so does this one.
    builder
        .http2()
        .max_concurrent_streams(H2_MAX_STREAMS)
        .initial_connection_window_size(64 << 20)
        .initial_stream_window_size(4 << 20);
    let builder = Arc::new(builder);
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            Err(err) => {
                // Out of descriptors, most likely: wait for some to close.
                eprintln!("fake upstream: accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Small SSE chunks must not wait for Nagle.
        let _ = tcp.set_nodelay(true);
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let service = TowerToHyperService::new(router.clone());
        let builder = builder.clone();
        tokio::spawn(async move {
            if let Err(err) = builder.serve_connection(TokioIo::new(tcp), service).await {
                eprintln!("fake upstream: connection ended with an error: {err:?}");
            }
        });
    }
}

/// A running fake upstream; the server stops when this is dropped.
pub struct FakeUpstream {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl FakeUpstream {
    /// Binds 127.0.0.1:0 and serves on the current tokio runtime.
    pub async fn start(behavior: Behavior) -> FakeUpstream {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        match Self::start_on(addr, behavior).await {
            Ok(upstream) => upstream,
            Err(err) => panic!("fake upstream: cannot listen on 127.0.0.1:0: {err}"),
        }
    }

    /// Binds `addr` (port 0 picks a free port) and serves on the current tokio runtime.
    pub async fn start_on(addr: SocketAddr, behavior: Behavior) -> io::Result<FakeUpstream> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        // A deep backlog: the benchmark opens thousands of connections at once.
        let listener = socket.listen(8192)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(behavior));
        let router = Router::new()
            .route("/v1/chat/completions", post(openai_chat))
            .route("/v1beta/models/{*rest}", post(gemini))
            .fallback(not_found)
            .layer(DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let server = tokio::spawn(serve(listener, router, shared.clone()));
        Ok(FakeUpstream {
            addr,
            shared,
            server,
        })
    }

    /// Changes what the following calls answer (streams already running keep theirs); also
    /// restarts the [`Fault::FailFirst`] count.
    pub fn set(&self, behavior: Behavior) {
        let mut current = lock(&self.shared.behavior);
        *current = behavior;
        self.shared.fail_counter.store(0, Ordering::SeqCst);
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the OpenAI-compatible API: `base_url() + "/v1"`.
    pub fn openai_base(&self) -> String {
        format!("{}/v1", self.base_url())
    }

    /// Base URL of the Gemini API: `base_url() + "/v1beta"`.
    pub fn gemini_base(&self) -> String {
        format!("{}/v1beta", self.base_url())
    }

    /// Requests received on the chat endpoints (counted on arrival, before any fault).
    pub fn calls(&self) -> usize {
        self.shared.calls.load(Ordering::SeqCst)
    }

    /// The last JSON body received on a chat endpoint.
    pub fn last_request(&self) -> Option<Value> {
        lock(&self.shared.last_request).clone()
    }

    /// The `Authorization` (else `x-goog-api-key`, else `?key=`) value of the last chat request.
    pub fn last_auth(&self) -> Option<String> {
        lock(&self.shared.last_auth).clone()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Chat requests that came over HTTP/2 (h2c: prior knowledge on plain TCP).
    pub fn http2_calls(&self) -> usize {
        self.shared.http2_calls.load(Ordering::SeqCst)
    }

    /// Streaming responses currently being sent.
    pub fn open_streams(&self) -> usize {
        self.shared.open_streams.load(Ordering::SeqCst)
    }

    /// Streaming responses whose body was dropped (the client went away) before it finished.
    /// Streams ended by the server itself ([`Fault::DisconnectAfter`]) do not count.
    pub fn cancelled_streams(&self) -> usize {
        self.shared.cancelled_streams.load(Ordering::SeqCst)
    }
}

impl Drop for FakeUpstream {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct Shared {
    behavior: Mutex<Behavior>,
    calls: AtomicUsize,
    connections: AtomicUsize,
    http2_calls: AtomicUsize,
    /// Calls since start or the last `set`, for `Fault::FailFirst`.
    fail_counter: AtomicUsize,
    open_streams: AtomicUsize,
    cancelled_streams: AtomicUsize,
    last_request: Mutex<Option<Value>>,
    last_auth: Mutex<Option<String>>,
}

impl Shared {
    fn new(behavior: Behavior) -> Self {
        Self {
            behavior: Mutex::new(behavior),
            calls: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            http2_calls: AtomicUsize::new(0),
            fail_counter: AtomicUsize::new(0),
            open_streams: AtomicUsize::new(0),
            cancelled_streams: AtomicUsize::new(0),
            last_request: Mutex::new(None),
            last_auth: Mutex::new(None),
        }
    }

    /// Records an arriving chat request; returns its JSON body if it has one.
    fn record(
        &self,
        version: axum::http::Version,
        headers: &HeaderMap,
        query_key: Option<String>,
        body: &[u8],
    ) -> Option<Value> {
        if version == axum::http::Version::HTTP_2 {
            self.http2_calls.fetch_add(1, Ordering::SeqCst);
        }
        let auth = [header::AUTHORIZATION.as_str(), "x-goog-api-key"]
            .iter()
            .find_map(|name| headers.get(*name))
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .or(query_key);
        *lock(&self.last_auth) = auth;
        let parsed = serde_json::from_slice::<Value>(body).ok();
        if let Some(value) = &parsed {
            *lock(&self.last_request) = Some(value.clone());
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
        parsed
    }

    /// The behaviour for one call, and how many calls came before it since the last `set`.
    fn snapshot(&self) -> (Behavior, usize) {
        let behavior = lock(&self.behavior);
        let attempt = self.fail_counter.fetch_add(1, Ordering::SeqCst);
        (behavior.clone(), attempt)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Api {
    OpenAi,
    Gemini,
}

struct Call {
    api: Api,
    model: String,
    stream: bool,
    include_usage: bool,
}

async fn openai_chat(
    State(shared): State<Arc<Shared>>,
    version: axum::http::Version,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(request) = shared.record(version, &headers, None, &body) else {
        return error_response(Api::OpenAi, 400, "fake upstream: the body is not JSON");
    };
    let call = Call {
        api: Api::OpenAi,
        model: request
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("fake-model")
            .to_owned(),
        stream: request
            .get("stream")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        include_usage: request
            .pointer("/stream_options/include_usage")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    respond(shared, call).await
}

async fn gemini(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    RawQuery(query): RawQuery,
    version: axum::http::Version,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((model, action)) = rest.rsplit_once(':') else {
        return not_found().await;
    };
    let stream = match action {
        "generateContent" => false,
        "streamGenerateContent" => true,
        _ => return not_found().await,
    };
    let query_key = query.as_deref().and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "key")
            .map(|(_, value)| value.to_owned())
    });
    if shared.record(version, &headers, query_key, &body).is_none() {
        return error_response(Api::Gemini, 400, "fake upstream: the body is not JSON");
    }
    let call = Call {
        api: Api::Gemini,
        model: model.to_owned(),
        stream,
        include_usage: false,
    };
    respond(shared, call).await
}

async fn not_found() -> Response {
    error_response(Api::OpenAi, 404, "fake upstream: no such endpoint")
}

async fn respond(shared: Arc<Shared>, call: Call) -> Response {
    let (behavior, attempt) = shared.snapshot();
    if !behavior.latency.is_zero() {
        tokio::time::sleep(behavior.latency).await;
    }
    match behavior.fault {
        Fault::Status(status) => return error_response(call.api, status, "fake failure"),
        Fault::RateLimited { retry_after_secs } => {
            let mut response = error_response(call.api, 429, "fake failure");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
        Fault::FailFirst { times, status } if attempt < times => {
            return error_response(call.api, status, "fake failure");
        }
        Fault::HangBeforeHeaders => {
            tokio::time::sleep(HANG).await;
            return error_response(call.api, 504, "fake upstream: hung");
        }
        _ => {}
    }
    if call.stream {
        return stream_response(&shared, call, behavior);
    }
    match behavior.fault {
        Fault::StallAfter(_) => {
            tokio::time::sleep(HANG).await;
            error_response(call.api, 504, "fake upstream: hung")
        }
        Fault::DisconnectAfter(_) => {
            // The headers go out first, then the body is aborted before any byte of it.
            let body = stream::once(async {
                tokio::time::sleep(FLUSH_PAUSE).await;
                Err::<Bytes, _>(io::Error::other("fake upstream: disconnect"))
            });
            json_response(StatusCode::OK, Body::from_stream(body))
        }
        Fault::MalformedChunk(_) => {
            json_response(StatusCode::OK, Body::from("{\"choices\": [{not json"))
        }
        _ => {
            let body = match call.api {
                Api::OpenAi => json!({
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": call.model,
                    "choices": [{
                        "index": 0,
                        "message": {"role": "assistant", "content": behavior.reply},
                        "finish_reason": "stop",
                    }],
                    "usage": openai_usage(),
                }),
                Api::Gemini => json!({
                    "candidates": [{
                        "content": {"role": "model", "parts": [{"text": behavior.reply}]},
                        "finishReason": "STOP",
                        "index": 0,
                    }],
                    "usageMetadata": gemini_usage(),
                    "modelVersion": call.model,
                }),
            };
            json_response(StatusCode::OK, Body::from(body.to_string()))
        }
    }
}

fn openai_usage() -> Value {
    json!({"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2})
}

fn gemini_usage() -> Value {
    json!({"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2})
}

fn json_response(status: StatusCode, body: Body) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// An error in the style of the API: OpenAI `{"error":{"message","type"}}`, Gemini
/// `{"error":{"code","message","status"}}`.
fn error_response(api: Api, status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match api {
        Api::OpenAi => {
            let kind = match status.as_u16() {
                429 => "rate_limit_error",
                401 | 403 => "authentication_error",
                404 => "not_found_error",
                400..=499 => "invalid_request_error",
                _ => "server_error",
            };
            json!({"error": {"message": message, "type": kind}})
        }
        Api::Gemini => {
            let name = match status.as_u16() {
                400 => "INVALID_ARGUMENT",
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                404 => "NOT_FOUND",
                429 => "RESOURCE_EXHAUSTED",
                500 => "INTERNAL",
                503 => "UNAVAILABLE",
                504 => "DEADLINE_EXCEEDED",
                _ => "UNKNOWN",
            };
            json!({"error": {"code": status.as_u16(), "message": message, "status": name}})
        }
    };
    json_response(status, Body::from(body.to_string()))
}

/// Counts a streaming response as open while it lives; dropped before `finished` means the
/// client went away.
struct StreamGuard {
    shared: Arc<Shared>,
    finished: bool,
}

impl StreamGuard {
    fn new(shared: &Arc<Shared>) -> Self {
        shared.open_streams.fetch_add(1, Ordering::SeqCst);
        Self {
            shared: shared.clone(),
            finished: false,
        }
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.cancelled_streams.fetch_add(1, Ordering::SeqCst);
        }
        self.shared.open_streams.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Tokens,
    Finish,
    Usage,
    Done,
    End,
}

/// The state of one SSE body.
struct SseStream {
    guard: StreamGuard,
    api: Api,
    model: String,
    pieces: Vec<String>,
    sent: usize,
    /// Content events (tokens, malformed chunk) emitted so far, to place `token_delay`.
    events: usize,
    token_delay: Duration,
    /// The stream fault and the token count it strikes after (clamped to the token count).
    fault: Option<(Fault, usize)>,
    /// Gemini: the `finishReason` already rode on the last token chunk.
    finish_sent: bool,
    include_usage: bool,
    stage: Stage,
    /// [`Fault::SlowEnd`]: wait before ending the body.
    slow_end: bool,
}

impl SseStream {
    async fn pace(&mut self) {
        if self.events > 0 && !self.token_delay.is_zero() {
            tokio::time::sleep(self.token_delay).await;
        }
        self.events += 1;
    }

    async fn next_event(&mut self) -> Option<Result<Bytes, io::Error>> {
        loop {
            match self.stage {
                Stage::Tokens => {
                    if let Some((fault, at)) = &self.fault
                        && *at == self.sent
                    {
                        let fault = fault.clone();
                        self.fault = None;
                        match fault {
                            Fault::StallAfter(_) => {
                                std::future::pending::<()>().await;
                            }
                            Fault::DisconnectAfter(_) => {
                                self.pace().await;
                                // Let hyper flush what came before, so the client sees the
                                // headers and the first tokens and only then the abort.
                                tokio::time::sleep(FLUSH_PAUSE).await;
                                // The server ends it on purpose: not a client cancellation.
                                self.guard.finished = true;
                                self.stage = Stage::End;
                                return Some(Err(io::Error::other("fake upstream: disconnect")));
                            }
                            Fault::MalformedChunk(_) => {
                                self.pace().await;
                                return Some(Ok(Bytes::from_static(b"data: {not json\n\n")));
                            }
                            Fault::EndWithoutMarker(_) => {
                                self.guard.finished = true;
                                self.stage = Stage::End;
                                return None;
                            }
                            _ => {}
                        }
                        continue;
                    }
                    let Some(piece) = self.pieces.get(self.sent).cloned() else {
                        self.stage = Stage::Finish;
                        continue;
                    };
                    self.pace().await;
                    let first = self.sent == 0;
                    self.sent += 1;
                    let last = self.sent == self.pieces.len() && self.fault.is_none();
                    let chunk = match self.api {
                        Api::OpenAi => {
                            let delta = if first {
                                json!({"role": "assistant", "content": piece})
                            } else {
                                json!({"content": piece})
                            };
                            self.openai_chunk(json!([{
                                "index": 0,
                                "delta": delta,
                                "finish_reason": null,
                            }]))
                        }
                        Api::Gemini if last => {
                            self.finish_sent = true;
                            gemini_chunk(&piece, true)
                        }
                        Api::Gemini => gemini_chunk(&piece, false),
                    };
                    return Some(Ok(sse(&chunk)));
                }
                Stage::Finish => match self.api {
                    Api::OpenAi => {
                        self.stage = if self.include_usage {
                            Stage::Usage
                        } else {
                            Stage::Done
                        };
                        let chunk = self.openai_chunk(json!([{
                            "index": 0,
                            "delta": {},
                            "finish_reason": "stop",
                        }]));
                        return Some(Ok(sse(&chunk)));
                    }
                    Api::Gemini => {
                        self.stage = Stage::End;
                        if !self.finish_sent {
                            return Some(Ok(sse(&gemini_chunk("", true))));
                        }
                    }
                },
                Stage::Usage => {
                    self.stage = Stage::Done;
                    let mut chunk = self.openai_chunk(json!([]));
                    chunk["usage"] = openai_usage();
                    return Some(Ok(sse(&chunk)));
                }
                Stage::Done => {
                    self.stage = Stage::End;
                    return Some(Ok(Bytes::from_static(b"data: [DONE]\n\n")));
                }
                Stage::End => {
                    if std::mem::take(&mut self.slow_end) {
                        tokio::time::sleep(SLOW_END).await;
                    }
                    self.guard.finished = true;
                    return None;
                }
            }
        }
    }

    fn openai_chunk(&self, choices: Value) -> Value {
        json!({
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": self.model,
            "choices": choices,
        })
    }
}

fn gemini_chunk(text: &str, last: bool) -> Value {
    let mut candidate = json!({
        "content": {"role": "model", "parts": [{"text": text}]},
        "index": 0,
    });
    if last {
        candidate["finishReason"] = json!("STOP");
        return json!({"candidates": [candidate], "usageMetadata": gemini_usage()});
    }
    json!({"candidates": [candidate]})
}

fn sse(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

fn stream_response(shared: &Arc<Shared>, call: Call, behavior: Behavior) -> Response {
    let pieces = split_tokens(&behavior.reply);
    let fault = match behavior.fault {
        Fault::StallAfter(n)
        | Fault::DisconnectAfter(n)
        | Fault::MalformedChunk(n)
        | Fault::EndWithoutMarker(n) => Some((behavior.fault.clone(), n.min(pieces.len()))),
        _ => None,
    };
    let state = SseStream {
        guard: StreamGuard::new(shared),
        api: call.api,
        model: call.model,
        pieces,
        sent: 0,
        events: 0,
        token_delay: behavior.token_delay,
        fault,
        finish_sent: false,
        include_usage: call.include_usage,
        stage: Stage::Tokens,
        slow_end: behavior.fault == Fault::SlowEnd,
    };
    let body = stream::unfold(state, |mut state| async move {
        let event = state.next_event().await?;
        Some((event, state))
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    async fn post(url: String, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(url)
            .header("authorization", "Bearer sk-test")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Concatenated content of an SSE body, in either API's format.
    fn sse_text(body: &str) -> String {
        let mut text = String::new();
        for line in body.lines() {
            let Some(data) = line.strip_prefix("data: ") else {
                continue;
            };
            if data == "[DONE]" {
                continue;
            }
            let value: Value = serde_json::from_str(data).unwrap();
            if let Some(piece) = value.pointer("/choices/0/delta/content") {
                text.push_str(piece.as_str().unwrap());
            }
            if let Some(piece) = value.pointer("/candidates/0/content/parts/0/text") {
                text.push_str(piece.as_str().unwrap());
            }
        }
        text
    }

    async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
        for _ in 0..200 {
            if check() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("timed out waiting for {what}");
    }

    #[test]
    fn tokens_concatenate_to_the_reply() {
        for text in [
            "",
            "one",
            "Hello from the fake upstream.",
            " a  b\tc \n",
            "  ",
        ] {
            assert_eq!(split_tokens(text).concat(), text);
        }
        assert_eq!(split_tokens("a b  c "), ["a", " b", "  c "]);
    }

    #[tokio::test]
    async fn non_stream_bodies_and_call_counting() {
        let up = FakeUpstream::start(Behavior::default()).await;
        assert_eq!(up.calls(), 0);
        let request = json!({"model": "gpt-test", "messages": [{"role": "user", "content": "hi"}]});
        let response = post(
            format!("{}/chat/completions", up.openai_base()),
            request.clone(),
        )
        .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["object"], "chat.completion");
        assert_eq!(body["model"], "gpt-test");
        assert_eq!(body["choices"][0]["message"]["role"], "assistant");
        assert_eq!(
            body["choices"][0]["message"]["content"],
            "Hello from the fake upstream."
        );
        assert_eq!(body["choices"][0]["finish_reason"], "stop");
        assert_eq!(body["usage"]["total_tokens"], 2);
        assert_eq!(up.calls(), 1);
        assert_eq!(up.last_request(), Some(request));
        assert_eq!(up.last_auth().as_deref(), Some("Bearer sk-test"));

        let response = reqwest::Client::new()
            .post(format!(
                "{}/models/gemini-test:generateContent",
                up.gemini_base()
            ))
            .header("x-goog-api-key", "g-key")
            .json(&json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["candidates"][0]["content"]["role"], "model");
        assert_eq!(
            body["candidates"][0]["content"]["parts"][0]["text"],
            "Hello from the fake upstream."
        );
        assert_eq!(body["candidates"][0]["finishReason"], "STOP");
        assert_eq!(up.calls(), 2);
        assert_eq!(up.last_auth().as_deref(), Some("g-key"));

        // Unknown paths are 404 and not counted.
        let response = post(format!("{}/nope", up.base_url()), json!({})).await;
        assert_eq!(response.status(), 404);
        assert_eq!(up.calls(), 2);
    }

    #[tokio::test]
    async fn faults_fail_first_then_succeed() {
        let up = FakeUpstream::start(Behavior::fault(Fault::FailFirst {
            times: 2,
            status: 503,
        }))
        .await;
        let url = format!("{}/chat/completions", up.openai_base());
        let request = json!({"model": "m", "messages": []});
        for expected in [503, 503, 200, 200] {
            assert_eq!(post(url.clone(), request.clone()).await.status(), expected);
        }
        assert_eq!(up.calls(), 4);

        up.set(Behavior::fault(Fault::RateLimited {
            retry_after_secs: 7,
        }));
        let response = post(url.clone(), request.clone()).await;
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "7");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["message"], "fake failure");

        // A hanging call does not hold up the others.
        up.set(Behavior::fault(Fault::HangBeforeHeaders));
        let hung = tokio::spawn(post(url.clone(), request.clone()));
        eventually("the hanging call to arrive", || up.calls() == 6).await;
        up.set(Behavior::default());
        assert_eq!(post(url, request).await.status(), 200);
        assert!(!hung.is_finished());
        hung.abort();
    }

    #[tokio::test]
    async fn streams_concatenate_to_the_reply() {
        let reply = "The quick  brown fox\njumps.";
        let up = FakeUpstream::start(Behavior {
            reply: reply.to_owned(),
            token_delay: Duration::from_millis(1),
            ..Behavior::default()
        })
        .await;
        let response = post(
            format!("{}/chat/completions", up.openai_base()),
            json!({"model": "m", "messages": [], "stream": true}),
        )
        .await;
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let body = response.text().await.unwrap();
        assert_eq!(sse_text(&body), reply);
        assert!(body.contains(r#""finish_reason":"stop""#));
        assert!(body.ends_with("data: [DONE]\n\n"));

        let response = post(
            format!(
                "{}/models/g:streamGenerateContent?alt=sse",
                up.gemini_base()
            ),
            json!({"contents": []}),
        )
        .await;
        let body = response.text().await.unwrap();
        assert_eq!(sse_text(&body), reply);
        let last = body.trim_end().lines().last().unwrap();
        assert!(last.contains(r#""finishReason":"STOP""#));
        assert_eq!(up.calls(), 2);
        eventually("streams to close", || up.open_streams() == 0).await;
        assert_eq!(up.cancelled_streams(), 0);
    }

    #[tokio::test]
    async fn dropped_streams_are_cancelled() {
        let reply = (1..=100).map(|i| format!("t{i} ")).collect::<String>();
        let up = FakeUpstream::start(Behavior {
            reply,
            token_delay: Duration::from_millis(20),
            ..Behavior::default()
        })
        .await;
        let url = format!("{}/chat/completions", up.openai_base());
        let request = json!({"model": "m", "messages": [], "stream": true});
        let mut chunks = post(url.clone(), request.clone()).await.bytes_stream();
        chunks.next().await.unwrap().unwrap();
        assert_eq!(up.open_streams(), 1);
        drop(chunks);
        eventually("the stream to be cancelled", || up.cancelled_streams() == 1).await;
        assert_eq!(up.open_streams(), 0);

        // Also when the stream is stalled (nothing being written).
        up.set(Behavior {
            fault: Fault::StallAfter(1),
            ..Behavior::default()
        });
        let mut chunks = post(url, request).await.bytes_stream();
        chunks.next().await.unwrap().unwrap();
        eventually("the stall", || up.open_streams() == 1).await;
        drop(chunks);
        eventually("the stalled stream to be cancelled", || {
            up.cancelled_streams() == 2
        })
        .await;
        assert_eq!(up.open_streams(), 0);
    }

    #[tokio::test]
    async fn stream_faults() {
        let up = FakeUpstream::start(Behavior {
            reply: "a b c d".to_owned(),
            fault: Fault::DisconnectAfter(2),
            ..Behavior::default()
        })
        .await;
        let url = format!("{}/chat/completions", up.openai_base());
        let request = json!({"model": "m", "messages": [], "stream": true});
        let mut chunks = post(url.clone(), request.clone()).await.bytes_stream();
        let mut received = Vec::new();
        let mut failed = false;
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(bytes) => received.extend_from_slice(&bytes),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "the body must end in an error");
        let text = String::from_utf8(received).unwrap();
        assert_eq!(sse_text(&text), "a b");
        assert!(!text.contains("[DONE]"));
        eventually("streams to close", || up.open_streams() == 0).await;
        assert_eq!(up.cancelled_streams(), 0);

        up.set(Behavior {
            reply: "a b c d".to_owned(),
            fault: Fault::MalformedChunk(1),
            ..Behavior::default()
        });
        let body = post(url, request).await.text().await.unwrap();
        assert!(body.starts_with("data: {\"choices\""));
        assert!(body.contains("\n\ndata: {not json\n\n"));
    }
}
