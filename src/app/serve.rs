//! The accept loop: hyper's HTTP/1 and HTTP/2 with the limits `axum::serve` does not set.
//!
//! - **At most `max_connections` connections.** Past that the loop stops accepting (the
//!   kernel's backlog holds the rest) until one closes; every connection counts, streams
//!   included.
//! - **A header read timeout** (`header_read_timeout_secs`): a client that does not send a
//!   whole request head in time, including an idle keep-alive connection that sends no next
//!   request, is disconnected. hyper starts this timer only while it waits for a request
//!   head, so a response streaming over SSE is never cut by it.
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
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

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
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let spawn = |stream: tokio::net::TcpStream,
                 peer: std::net::SocketAddr,
                 permit: Option<tokio::sync::OwnedSemaphorePermit>| {
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = watched.await {
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
    if tokio::time::timeout_at(deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open when the drain time was up; closing them");
    }
    Ok(deadline)
}
