//! The floor under `GET /healthz`: the same handler body on confab's own accept loop
//! (`confab::app::serve`), with no middleware at all. `bench/run` (S0 and S0 bare) measures
//! both in one run, so the difference is what confab's middleware stack costs per request.
//!
//! `cargo run --release --example bare_healthz -- --port 18490`

use std::net::SocketAddr;
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use confab::app::serve::{Limits, serve};

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
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let router = Router::new().route("/healthz", get(|| async { Json(Health { status: "ok" }) }));
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    println!("bare /healthz on {}", listener.local_addr()?);
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
