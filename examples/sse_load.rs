//! Opens many concurrent streamed sends (`Accept: text/event-stream`) against a running
//! confab and reports completed streams and time to first token. Used by `bench/run` (S4).
//!
//! `cargo run --release --example sse_load -- --base http://127.0.0.1:18480 --streams 1000`
//! With `--upstream URL` it instead streams straight from an OpenAI-compatible endpoint
//! (the fake upstream), which measures the upstream's own time to first token; with
//! `--bare URL` it reads the same events as confab's from the bare handler's `/sse`
//! (`examples/bare_healthz.rs`), which measures what writing them costs on their own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

#[derive(Parser)]
struct Args {
    /// confab's base URL.
    #[arg(long, default_value = "http://127.0.0.1:18480")]
    base: String,
    /// Stream straight from this OpenAI-compatible base URL (e.g. http://127.0.0.1:P/v1).
    #[arg(long)]
    upstream: Option<String>,
    /// Stream confab's SSE events from this URL instead of sending messages to confab: the
    /// bare handler's `/sse` (bench S4's floor).
    #[arg(long, conflicts_with = "upstream")]
    bare: Option<String>,
    /// How many streams to hold open at once.
    #[arg(long, default_value_t = 1000)]
    streams: usize,
    /// Spread the streams over this many rooms.
    #[arg(long, default_value_t = 100)]
    rooms: usize,
    /// Open the streams over this many seconds.
    #[arg(long, default_value_t = 2.0)]
    ramp_secs: f64,
    /// The model asked for with `--upstream` (a proxy such as LiteLLM routes by it).
    #[arg(long, default_value = "fake")]
    model: String,
    /// Bearer key sent with `--upstream` (LiteLLM's master key).
    #[arg(long)]
    api_key: Option<String>,
    /// Give up on a stream after this many seconds.
    #[arg(long, default_value_t = 120)]
    timeout_secs: u64,
}

struct Outcome {
    ttft: Option<Duration>,
    done: bool,
    /// Why a stream did not complete: `connect`/`timeout`/`request` (no response),
    /// `status_<code>`, `error_event_<code>` (the stream ended with an `error` event) or `cut`
    /// (the body ended or broke without `done`).
    failure: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(args.timeout_secs))
        .build()?;
    let (token, rooms) = if args.upstream.is_some() || args.bare.is_some() {
        (String::new(), vec![String::new()])
    } else {
        setup(&client, &args).await?
    };
    let token = Arc::new(token);
    let rooms = Arc::new(rooms);
    let gate = Arc::new(Semaphore::new(args.streams));
    let (open, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let start = Instant::now();
    let ramp = Duration::from_secs_f64(args.ramp_secs);
    let mut tasks = Vec::with_capacity(args.streams);
    for i in 0..args.streams {
        // Stream i is due at i/n of the ramp. Tokio's timer ticks in milliseconds, so
        // sleeping once per stream would stretch a 2 s ramp of 10,000 streams to over 10 s;
        // instead every stream already due starts at once.
        let due = start + ramp.mul_f64(i as f64 / args.streams.max(1) as f64);
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let (client, token, rooms, gate) =
            (client.clone(), token.clone(), rooms.clone(), gate.clone());
        let (open, peak) = (open.clone(), peak.clone());
        let (base, upstream, model) =
            (args.base.clone(), args.upstream.clone(), args.model.clone());
        let api_key = args.api_key.clone();
        let bare = args.bare.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await;
            let request = match &upstream {
                Some(url) => {
                    let request = client
                        .post(format!("{url}/chat/completions"))
                        .json(&json!({"model": model, "stream": true, "messages": [{"role": "user", "content": "hi"}]}));
                    match &api_key {
                        Some(key) => request.bearer_auth(key),
                        None => request,
                    }
                }
                None => client
                    .post(match &bare {
                        Some(url) => url.clone(),
                        None => format!("{base}/api/rooms/{}/messages", rooms[i % rooms.len()]),
                    })
                    .bearer_auth(token.as_str())
                    .header("accept", "text/event-stream")
                    .json(&json!({"content": format!("load message {i}")})),
            };
            peak.fetch_max(open.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            let outcome = one_stream(request, upstream.is_some()).await;
            open.fetch_sub(1, Ordering::SeqCst);
            outcome
        }));
    }
    let ramp_took = start.elapsed();
    let mut ttfts = Vec::new();
    let mut done = 0usize;
    let mut failures = std::collections::BTreeMap::new();
    for task in tasks {
        if let Ok(outcome) = task.await {
            if let Some(t) = outcome.ttft {
                ttfts.push(t);
            }
            done += usize::from(outcome.done);
            if let Some(kind) = outcome.failure {
                *failures.entry(kind).or_insert(0usize) += 1;
            }
        }
    }
    ttfts.sort();
    let pct = |p: f64| {
        ttfts
            .get(((ttfts.len() as f64 * p) as usize).min(ttfts.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{}",
        json!({
            "streams": args.streams,
            "completed": done,
            "first_token": ttfts.len(),
            "ttft_p50_ms": (pct(0.50) * 10.0).round() / 10.0,
            "ttft_p99_ms": (pct(0.99) * 10.0).round() / 10.0,
            "seconds": (start.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            "ramp_seconds": (ramp_took.as_secs_f64() * 10.0).round() / 10.0,
            "peak_open": peak.load(Ordering::SeqCst),
            "failures": failures,
            "cpu_secs": own_cpu_secs(),
        })
    );
    Ok(())
}

/// Whether an OpenAI-style chunk carries text (a proxy's first chunk may carry only the
/// role, or an empty content).
fn has_content(block: &str) -> bool {
    block
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .any(|v| {
            v.pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty())
        })
}

/// CPU seconds (user + system) this process has used, from /proc (Linux; `null` elsewhere):
/// the load client shares the machine with what it measures, so its share is reported.
fn own_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // Linux reports them in USER_HZ, which is 100 on every platform it supports today.
    Some((ticks / 100.0 * 10.0).round() / 10.0)
}

async fn setup(client: &reqwest::Client, args: &Args) -> anyhow::Result<(String, Vec<String>)> {
    let email = format!("load-{}@example.com", std::process::id());
    let password = "load-test-password-42";
    client
        .post(format!("{}/api/auth/signup", args.base))
        .json(&json!({"email": email, "username": format!("load{}", std::process::id()), "password": password, "password2": password}))
        .send()
        .await?
        .error_for_status()?;
    let login: Value = client
        .post(format!("{}/api/auth/login", args.base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut rooms = Vec::new();
    for _ in 0..args.rooms.max(1) {
        let room: Value = client
            .post(format!("{}/api/rooms", args.base))
            .bearer_auth(&token)
            .json(&json!({"assistant": "general"}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        rooms.push(room["id"].as_str().unwrap_or_default().to_owned());
    }
    Ok((token, rooms))
}

/// Sends one streamed request; time to first token is measured to the first `delta`
/// event (confab) or the first content chunk (upstream).
async fn one_stream(request: reqwest::RequestBuilder, raw_upstream: bool) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome {
        ttft: None,
        done: false,
        failure: None,
    };
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) => {
            let kind = if err.is_connect() {
                "connect"
            } else if err.is_timeout() {
                "timeout"
            } else {
                "request"
            };
            outcome.failure = Some(kind.to_owned());
            return outcome;
        }
    };
    if !response.status().is_success() {
        outcome.failure = Some(format!("status_{}", response.status().as_u16()));
        return outcome;
    }
    let mut error_event: Option<String> = None;
    let mut body = response.bytes_stream();
    let mut buf = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let is_token = if raw_upstream {
                has_content(&block)
            } else {
                block.contains("event: delta")
            };
            if is_token && outcome.ttft.is_none() {
                outcome.ttft = Some(started.elapsed());
            }
            if (raw_upstream && block.contains("[DONE]")) || block.contains("event: done") {
                outcome.done = true;
            }
            if block.contains("event: error") {
                let code = block
                    .lines()
                    .find_map(|l| l.strip_prefix("data:"))
                    .and_then(|d| serde_json::from_str::<Value>(d.trim()).ok())
                    .and_then(|v| v["code"].as_str().map(str::to_owned));
                error_event = Some(code.unwrap_or_else(|| "unknown".into()));
            }
        }
    }
    if !outcome.done {
        outcome.failure = Some(match error_event {
            Some(code) => format!("error_event_{code}"),
            None => "cut".to_owned(),
        });
    }
    outcome
}
