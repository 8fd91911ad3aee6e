//! Operations endpoints: liveness, readiness, Prometheus metrics.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, ErrorBody, Result};
use crate::state::AppState;

/// Liveness.
#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>> {
    tokio::time::timeout(Duration::from_secs(2), state.db.ping())
        .await
        .map_err(|_| Error::Unavailable)?
        .map_err(|_| Error::Unavailable)?;
    Ok(Json(Health { status: "ready" }))
}

/// Prometheus metrics; with `CONFAB_METRICS_TOKEN` set, only for `Authorization: Bearer
/// <that token>` (compared in constant time).
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    if let Some(expected) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !crate::crypto::tokens::same_secret(given.trim(), expected.expose()) {
            return Error::unauthorized("metrics need the metrics bearer token").into_response();
        }
    }
    match crate::telemetry::metrics_handle() {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => Error::Unavailable.into_response(),
    }
}
