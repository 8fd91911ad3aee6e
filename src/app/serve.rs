//! The accept loop: hyper's HTTP/1 and HTTP/2 with the limits `axum::serve` does not set.
//!
//! - **At most `max_connections` connections.** Past that the loop stops accepting (the
//!   kernel's backlog holds the rest) until one closes; every connection counts, streams
//!   included.
//! - **A header read timeout** (`header_read_timeout_secs`): a client that does not send a
//!   whole request head in time, including an idle keep-alive connection that sends no next
//!   request, is disconnected. hyper starts this timer only while it waits for a request
//!   head, so a response streaming over SSE is never cut by it.
//! - **HTTP/1.1 or HTTP/2 (h2c, prior knowledge)**, told apart by peeking at a new
//!   connection's first bytes (within the header read timeout).
//! - **A body read timeout** is a layer in the router (`RequestBodyTimeoutLayer`): it bounds
//!   reading the request body, not writing the response, so SSE is exempt there too.
//! - **Graceful shutdown**: on the signal the loop takes the connections already waiting in
//!   the kernel's backlog (closing the listener would reset them after their clients sent a
//!   request), closes the listener so new connections are refused at once (a load balancer
//!   retries those elsewhere), waits a moment so connections opened just before the signal
//!   send their first request (hyper closes a connection with none at once), and every open
//!   connection finishes its in-flight requests
//!   (answers being streamed included) and closes. `serve` returns when they are all closed
//!   or when the drain time (`shutdown_drain_secs`) is up, whichever comes first.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

/// The connection preface an HTTP/2 client without TLS (h2c, prior knowledge) starts with.
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Whether a new connection speaks HTTP/2, told from its first bytes without reading them
/// (HTTP/1.1 otherwise). hyper-util's auto builder reads them instead and hands them back:
/// hyper's first read then returns a partial request head, and its read buffer grows to
/// 16 KB for every connection; peeking leaves it at 8 KB.
async fn speaks_http2(stream: &tokio::net::TcpStream) -> std::io::Result<bool> {
    let mut first = [0_u8; HTTP2_PREFACE.len()];
    loop {
        let n = stream.peek(&mut first).await?;
        if n == 0 || first[..n] != HTTP2_PREFACE[..n] {
            return Ok(false);
        }
        if n == HTTP2_PREFACE.len() {
            return Ok(true);
        }
        // Part of the preface so far: `peek` returns at once while those bytes wait, so
        // look again a moment later.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// How long a stopping server waits before telling its connections to close, so those
/// accepted just before the signal get their first request in.
const FIRST_REQUEST_GRACE: Duration = Duration::from_millis(750);

/// Connection limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    /// How long open connections may take to finish after the shutdown signal.
    pub drain: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open connections
/// finish within `limits.drain`. Returns the drain deadline, so what else must finish at
/// shutdown (answers no client watches) shares the same bound.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Instant> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http1 = http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // hyper otherwise reads from a connection whose request is being answered, to see
        // its client hang up; while the handler still holds the request head that read
        // takes a second 8 KB buffer per connection (thousands of sends waiting for the
        // writer at once). A client that goes away is seen at the next write instead (an
        // answer goes on without its clients either way).
        .half_close(true);
    let mut http2 = http2::Builder::new(TokioExecutor::new());
    http2.timer(TokioTimer::new());
    let (http1, http2) = (Arc::new(http1), Arc::new(http2));
    // Set when open connections are told to close: one still waiting for its first bytes
    // then closes instead of holding the shutdown back.
    let (closing, closing_rx) = watch::channel(false);
    let header_read_timeout = limits.header_read_timeout;
    let spawn = |stream: tokio::net::TcpStream,
                 peer: std::net::SocketAddr,
                 permit: Option<tokio::sync::OwnedSemaphorePermit>| {
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        ));
        let watcher = graceful.watcher();
        let (http1, http2) = (http1.clone(), http2.clone());
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let sniffed = tokio::select! {
                sniffed = tokio::time::timeout(header_read_timeout, speaks_http2(&stream)) => sniffed,
                _ = closing.wait_for(|closing| *closing) => return,
            };
            let io = TokioIo::new(stream);
            let ended = match sniffed {
                Ok(Ok(true)) => watcher.watch(http2.serve_connection(io, service)).await,
                Ok(Ok(false)) => watcher.watch(http1.serve_connection(io, service)).await,
                // No first bytes within the header read timeout, or the socket failed.
                Ok(Err(_)) | Err(_) => Ok(()),
            };
            if let Err(err) = ended {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    };
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        spawn(stream, peer, Some(permit));
    }
    let deadline = Instant::now() + limits.drain;
    // Connections the kernel completed before the signal have clients that may already have
    // sent a request: take them with plain non-blocking `accept` calls (the reactor may not
    // have seen them yet) rather than reset them by closing the listener.
    let mut picked_up = 0_usize;
    let listener = listener.into_std()?;
    while let Ok((stream, peer)) = listener.accept() {
        let stream = stream
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpStream::from_std(stream));
        if let Ok(stream) = stream {
            spawn(stream, peer, None);
            picked_up += 1;
        }
    }
    drop(listener);
    let open =
        (limits.max_connections.max(1)).saturating_sub(permits.available_permits()) + picked_up;
    tracing::info!(
        open_connections = open,
        drain_secs = limits.drain.as_secs(),
        "shutting down: no longer accepting, letting open connections finish"
    );
    // hyper closes a connection at once when told to shut down before its first request
    // has arrived, so a client that connected just before the signal would see its request
    // fail. Give such connections a moment to send it (they are served, then closed).
    if open > 0 {
        tokio::time::sleep(FIRST_REQUEST_GRACE.min(limits.drain)).await;
    }
    closing.send_replace(true);
    if tokio::time::timeout_at(deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open when the drain time was up; closing them");
    }
    Ok(deadline)
}
