//! Personal API keys and the OpenAI-compatible endpoint under `/v1` (PRODUCT.md §2.5).
//!
//! Members make named keys (`cfk_…`, shown once, stored as SHA-256) under
//! `/api/me/api-keys`; a key authenticates `/v1/*` only, and `/v1` answers in OpenAI's wire
//! format, counting each completion against the caller's daily `chat` quota.

pub mod auth;
pub mod keys;
mod prepare;
pub mod repo;
pub mod v1;
pub mod wire;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::Result;
use crate::state::{AppState, Setup};

/// Start-up: the key cache.
pub fn init(setup: &mut Setup) -> Result<()> {
    setup.parts.insert(auth::KeyCache::default());
    Ok(())
}

/// Routes under `/api/me/api-keys`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(keys::list_keys, keys::create_key))
        .routes(routes!(keys::delete_key))
}

/// Routes under `/v1` (OpenAI's wire format, errors included; not in the OpenAPI document).
pub fn v1_router() -> Router<AppState> {
    Router::new()
        .route("/models", get(v1::list_models))
        .route("/models/{id}", get(v1::get_model))
        .route("/chat/completions", post(v1::chat_completions))
        .fallback(v1::unknown_route)
        .method_not_allowed_fallback(v1::method_not_allowed)
}
