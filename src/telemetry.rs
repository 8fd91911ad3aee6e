//! Logs, request spans and Prometheus metrics.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Installs the global tracing subscriber (`RUST_LOG` filters; default `info`).
pub fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(tracing_subscriber::fmt::layer().json())
            .try_init()
    } else {
        registry.with(tracing_subscriber::fmt::layer()).try_init()
    };
    // A second init (tests, tools) keeps the first subscriber.
    let _ = result;
}

/// The process-wide Prometheus recorder, installed on first use, with a background
/// upkeep task so histogram samples never pile up between scrapes.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .ok()?;
            let handle = builder.install_recorder().ok()?;
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .ok()?;
            Some(handle)
        })
        .clone()
}

/// Counts requests and their latency by method, matched route and status.
///
/// The metric handles are looked up once per (method, status, route) and kept: building
/// the labelled key (three strings, a label list, a hash into the recorder's registry) for
/// the counter and the histogram on every request was most of what this middleware cost.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let response = next.run(req).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let (count, latency) = request_metrics(&method, route, response.status().as_u16());
    count.increment(1);
    latency.record(start.elapsed().as_secs_f64());
    response
}

type RequestMetrics = (metrics::Counter, metrics::Histogram);

/// The handles for one (method, status, route), registered on first use. Routes are the
/// router's patterns (or `unmatched`) and methods the ones requests use, so the map stays
/// small; past a bound (a client inventing methods) handles are no longer kept.
fn request_metrics(method: &Method, route: &str, status: u16) -> RequestMetrics {
    type Routes = HashMap<String, RequestMetrics>;
    static KNOWN: LazyLock<RwLock<HashMap<(Method, u16), Routes>>> =
        LazyLock::new(Default::default);
    const MOST_KEPT: usize = 4096;
    let key = (method.clone(), status);
    if let Ok(known) = KNOWN.read()
        && let Some(handles) = known.get(&key).and_then(|routes| routes.get(route))
    {
        return handles.clone();
    }
    let labels = [
        ("method", method.as_str().to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    let handles = (
        metrics::counter!("http_requests_total", &labels),
        metrics::histogram!("http_request_duration_seconds", &labels),
    );
    if let Ok(mut known) = KNOWN.write() {
        let kept: usize = known.values().map(HashMap::len).sum();
        if kept < MOST_KEPT {
            known
                .entry(key)
                .or_default()
                .insert(route.to_owned(), handles.clone());
        }
    }
    handles
}
