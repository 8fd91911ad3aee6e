//! A standalone fake LLM upstream (OpenAI-compatible and Gemini endpoints) for manual runs and
//! the benchmark: `cargo run --release --example fake_upstream -- --port 18999 --tokens 50`.

#[path = "../tests/support/fake_upstream.rs"]
mod fake_upstream;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use fake_upstream::{Behavior, FakeUpstream, Fault};

/// Fake LLM upstream: OpenAI-compatible `POST /v1/chat/completions` and Gemini
/// `POST /v1beta/models/{model}:generateContent|streamGenerateContent`.
#[derive(Debug, Parser)]
#[command(name = "fake_upstream")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one (printed on startup).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The assistant's reply.
    #[arg(long)]
    reply: Option<String>,
    /// Reply with N words "token1 token2 …" (overrides --reply).
    #[arg(long, value_name = "N")]
    tokens: Option<usize>,
    /// Delay before the response headers, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Delay between stream chunks, in milliseconds.
    #[arg(long, default_value_t = 0)]
    token_delay_ms: u64,
    /// none | STATUS (e.g. 500) | 429 | fail-first:N[:STATUS] | hang | stall-after:N |
    /// disconnect-after:N | malformed-after:N | slow-end
    #[arg(long, default_value = "none", value_parser = parse_fault)]
    fault: Fault,
    /// Retry-After seconds sent with --fault 429.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
}

fn parse_fault(text: &str) -> Result<Fault, String> {
    let number = |value: &str| {
        value
            .parse::<usize>()
            .map_err(|_| format!("`{value}` is not a number"))
    };
    let status = |value: &str| match value.parse::<u16>() {
        Ok(code) if (100..=999).contains(&code) => Ok(code),
        _ => Err(format!("`{value}` is not an HTTP status")),
    };
    let (name, arg) = text.split_once(':').unwrap_or((text, ""));
    match (name, arg) {
        ("none", "") => Ok(Fault::None),
        ("hang", "") => Ok(Fault::HangBeforeHeaders),
        ("slow-end", "") => Ok(Fault::SlowEnd),
        ("429", "") => Ok(Fault::RateLimited {
            retry_after_secs: 1,
        }),
        ("stall-after", n) => Ok(Fault::StallAfter(number(n)?)),
        ("disconnect-after", n) => Ok(Fault::DisconnectAfter(number(n)?)),
        ("malformed-after", n) => Ok(Fault::MalformedChunk(number(n)?)),
        ("fail-first", rest) => {
            let (times, code) = rest.split_once(':').unwrap_or((rest, "500"));
            Ok(Fault::FailFirst {
                times: number(times)?,
                status: status(code)?,
            })
        }
        (code, "") if code.starts_with(|c: char| c.is_ascii_digit()) => {
            Ok(Fault::Status(status(code)?))
        }
        _ => Err(format!(
            "unknown fault `{text}`: expected none, a status such as 500, 429, fail-first:N[:STATUS], \
             hang, stall-after:N, disconnect-after:N, malformed-after:N or slow-end"
        )),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mut behavior = Behavior::default();
    if let Some(reply) = args.reply {
        behavior.reply = reply;
    }
    if let Some(n) = args.tokens {
        behavior.reply = (1..=n)
            .map(|i| format!("token{i}"))
            .collect::<Vec<_>>()
            .join(" ");
    }
    behavior.latency = Duration::from_millis(args.latency_ms);
    behavior.token_delay = Duration::from_millis(args.token_delay_ms);
    behavior.fault = match args.fault {
        Fault::RateLimited { .. } => Fault::RateLimited {
            retry_after_secs: args.retry_after,
        },
        fault => fault,
    };

    let upstream = FakeUpstream::start_on(SocketAddr::new(args.host, args.port), behavior).await?;
    println!(
        "fake upstream listening on {} (OpenAI base {}, Gemini base {})",
        upstream.base_url(),
        upstream.openai_base(),
        upstream.gemini_base()
    );
    tokio::signal::ctrl_c().await?;
    drop(upstream);
    Ok(())
}
