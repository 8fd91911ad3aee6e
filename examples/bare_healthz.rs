//! The floors under confab's hot paths, on confab's own accept loop
//! (`confab::app::serve`) with no middleware at all:
//!
//! - `GET /healthz`: the same handler body as confab's. `bench/run` (S0 and S0 bare)
//!   measures both in one run, so the difference is what the middleware stack costs.
//! - `POST /sse?tokens=N`: the SSE events a streamed send writes (`answer_started`, N
//!   `delta`s of one token each, `done`), through the same SSE response type, one token
//!   every `--token-delay-ms`, made up here instead of relayed from a model. `bench/run`
//!   (S4 floor) streams it to the same load client as confab's streams, so its CPU per
//!   token is what writing a token to a client costs any relay on this machine (the
//!   loopback write, the HTTP/1.1 framing, one task wake-up), and confab's CPU above it is
//!   what relaying costs.
//! - `POST /relay` (with `--upstream URL`): what a non-streamed send must do at least, with
//!   no account, quota, storage or history: read a `{"content": …}` request, send the
//!   upstream the request confab would send it for one of S3's answers (a system prompt and
//!   200 turns, streamed; made once here, not per request), read its SSE answer to the end
//!   and answer the text as JSON. `bench/run` (S3 floor) loads it like S3, so its CPU per
//!   answer is what the HTTP on both sides costs, and confab's CPU above it is what
//!   accounts, the quota, the stored turns and the history cost.
//! - `POST /relay` with `--store FILE` as well: the same, and the question and the answer
//!   stored as durably as confab stores them, with as little as that takes: one row each
//!   in a table with no other index, each in its own transaction through confab's own
//!   SQLite writer (`confab::db::Lite`: group commit, WAL, `synchronous=full`), the
//!   question before the upstream is called and the answer after. `bench/run` (S3 durable
//!   floor) loads it like S3, so its CPU per answer is what any relay that keeps both turns
//!   through a crash pays on this machine.
//!
//! `cargo run --release --example bare_healthz -- --port 18490`

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use clap::Parser;
use confab::app::serve::{Limits, serve};
use confab::chat::answers::{event_of, sse};
use futures::StreamExt as _;
use serde_json::json;

/// The same body as confab's `/healthz`.
#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
}

#[derive(Parser)]
struct Args {
    /// Port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 18490)]
    port: u16,
    /// The OpenAI-compatible base URL `POST /relay` sends to (e.g. http://127.0.0.1:P/v1).
    #[arg(long)]
    upstream: Option<String>,
    /// Store each question and answer in this SQLite file (created), durably.
    #[arg(long)]
    store: Option<std::path::PathBuf>,
    /// Time between two tokens of `POST /sse`.
    #[arg(long, default_value_t = 20)]
    token_delay_ms: u64,
}

#[derive(serde::Deserialize)]
struct Tokens {
    tokens: Option<usize>,
}

/// The most tokens one `POST /sse` streams.
const MAX_TOKENS: usize = 1000;

/// What the routes share: the frames of `POST /sse` and the upstream of `POST /relay`.
struct Bare {
    frames: Frames,
    relay: Option<Relay>,
}

/// Where `POST /relay` sends, and what.
struct Relay {
    client: reqwest::Client,
    url: String,
    body: Bytes,
    /// Where the turns are stored (`--store`).
    store: Option<confab::db::Lite>,
}

/// Creates `path` (WAL mode, one table) and starts confab's writer on it.
fn open_store(path: &std::path::Path) -> std::io::Result<confab::db::Lite> {
    let setup = rusqlite::Connection::open(path).map_err(std::io::Error::other)?;
    setup
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS turns (
                 id INTEGER PRIMARY KEY, question INTEGER, content TEXT NOT NULL);",
        )
        .map_err(std::io::Error::other)?;
    drop(setup);
    confab::db::Lite::open(path, "full").map_err(|e| std::io::Error::other(e.to_string()))
}

/// Stores one turn (`question`: the id of the question it answers) in its own
/// transaction; returns its id once it has committed, or a 500 saying why it could not.
async fn store_turn(
    store: &confab::db::Lite,
    question: Option<i64>,
    content: String,
) -> Result<i64, Response> {
    store
        .write(move |c| {
            c.prepare_cached("INSERT INTO turns (question, content) VALUES (?1, ?2)")?
                .execute(rusqlite::params![question, content])?;
            Ok(c.last_insert_rowid())
        })
        .await
        .map_err(|err| {
            eprintln!("bare: cannot store a turn: {err}");
            (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response()
        })
}

impl Relay {
    fn new(base: &str, store: Option<confab::db::Lite>) -> Relay {
        let user = "What is the difference between a process and a thread?";
        let assistant = "A process has its own memory; threads share it.";
        let mut messages = vec![
            json!({"role": "system", "content": "You are a helpful assistant. Answer clearly and concisely."}),
        ];
        for _ in 0..100 {
            messages.push(json!({"role": "user", "content": user}));
            messages.push(json!({"role": "assistant", "content": assistant}));
        }
        let body = json!({"model": "bench", "messages": messages, "stream": true});
        Relay {
            // confab's model client's settings (`app/build.rs`, `CONFAB_LLM_HTTP2=auto`).
            client: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .pool_idle_timeout(Duration::from_secs(90))
                .tcp_nodelay(true)
                .build()
                .unwrap_or_default(),
            url: format!("{}/chat/completions", base.trim_end_matches('/')),
            body: Bytes::from(body.to_string()),
            store,
        }
    }
}

#[derive(serde::Deserialize)]
struct Question {
    content: String,
}

#[derive(serde::Deserialize)]
struct Chunk {
    choices: Vec<Choice>,
}

#[derive(serde::Deserialize)]
struct Choice {
    delta: Delta,
}

#[derive(serde::Deserialize)]
struct Delta {
    content: Option<String>,
}

/// Sends the upstream its request, reads the SSE answer to its end and answers the text.
async fn relay(State(bare): State<Arc<Bare>>, Json(question): Json<Question>) -> Response {
    let Some(relay) = &bare.relay else {
        return (StatusCode::NOT_FOUND, "no --upstream").into_response();
    };
    if question.content.trim().is_empty() {
        return (StatusCode::BAD_REQUEST, "empty content").into_response();
    }
    let question_id = match &relay.store {
        Some(store) => match store_turn(store, None, question.content).await {
            Ok(id) => Some(id),
            Err(response) => return response,
        },
        None => None,
    };
    let answer = relay
        .client
        .post(&relay.url)
        .bearer_auth("bench")
        .header("content-type", "application/json")
        .body(relay.body.clone())
        .send()
        .await;
    let mut body = match answer {
        Ok(answer) if answer.status().is_success() => answer.bytes_stream(),
        Ok(answer) => {
            return (StatusCode::BAD_GATEWAY, answer.status().to_string()).into_response();
        }
        Err(err) => return (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    };
    let (mut buf, mut text) = (Vec::new(), String::new());
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => buf.extend_from_slice(&chunk),
            Err(err) => return (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
        }
    }
    for line in buf.split(|&b| b == b'\n') {
        let Some(data) = line.strip_prefix(b"data: ") else {
            continue;
        };
        if let Ok(chunk) = serde_json::from_slice::<Chunk>(data) {
            text.extend(chunk.choices.into_iter().filter_map(|c| c.delta.content));
        }
    }
    if let Some(store) = &relay.store
        && let Err(response) = store_turn(store, question_id, text.clone()).await
    {
        return response;
    }
    Json(json!({"role": "assistant", "status": "complete", "content": text})).into_response()
}

/// What `POST /sse` writes, serialised once: confab serialises each event once too.
struct Frames {
    delay: Duration,
    started: Bytes,
    /// `tok0`, ` tok1`, … as the fake upstream's words arrive.
    deltas: Vec<Bytes>,
    done: Bytes,
}

impl Frames {
    fn new(delay: Duration) -> Frames {
        let message = json!({"id": "0", "role": "assistant", "status": "streaming", "content": ""});
        let deltas = (0..MAX_TOKENS)
            .map(|i| {
                let text = if i == 0 {
                    "tok0".to_owned()
                } else {
                    format!(" tok{i}")
                };
                event_of("delta", &json!({ "text": text }))
            })
            .collect();
        Frames {
            delay,
            started: event_of("answer_started", &json!({ "message": message })),
            deltas,
            done: event_of(
                "done",
                &json!({ "message": {"id": "0", "status": "complete"} }),
            ),
        }
    }
}

/// `answer_started`, `tokens` deltas one every `--token-delay-ms`, then `done`: the frames
/// confab writes for such an answer.
async fn stream(State(bare): State<Arc<Bare>>, Query(q): Query<Tokens>) -> Response {
    let frames = &bare.frames;
    let tokens = q.tokens.unwrap_or(50).clamp(1, MAX_TOKENS);
    let ticks = tokio::time::interval_at(tokio::time::Instant::now() + frames.delay, frames.delay);
    let head = futures::stream::iter([frames.started.clone()]);
    let tail = futures::stream::iter([frames.done.clone()]);
    let deltas = futures::stream::unfold(
        (0usize, ticks, bare.clone()),
        move |(i, mut ticks, bare)| async move {
            if i == tokens {
                return None;
            }
            ticks.tick().await;
            let frame = bare.frames.deltas[i].clone();
            Some((frame, (i + 1, ticks, bare)))
        },
    );
    sse(head.chain(deltas).chain(tail))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let store = args.store.as_deref().map(open_store).transpose()?;
    let router = Router::new()
        .route("/healthz", get(|| async { Json(Health { status: "ok" }) }))
        .route("/sse", post(stream))
        .route("/relay", post(relay))
        .with_state(Arc::new(Bare {
            frames: Frames::new(Duration::from_millis(args.token_delay_ms.max(1))),
            relay: args.upstream.as_deref().map(|base| Relay::new(base, store)),
        }));
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    println!(
        "bare /healthz, /sse and /relay on {}",
        listener.local_addr()?
    );
    let limits = Limits {
        max_connections: 16_384,
        header_read_timeout: Duration::from_secs(30),
        drain: Duration::from_secs(1),
    };
    serve(listener, router, limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
