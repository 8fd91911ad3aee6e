//! Building the shared state: every feature's `init`, the JWT secret, the LLM providers.

use std::sync::Arc;
use std::time::Duration;

use super::FEATURES;
use crate::config::Config;
use crate::crypto::jwt::JwtKeys;
use crate::crypto::password::Hasher;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::llm::offline::OfflineProvider;
use crate::llm::{ProviderSettings, Registry, Timeouts};
use crate::state::{AppState, Parts, Setup, StateInner};

/// Builds the state: runs every feature's `init`, then the JWT secret from config, or
/// generated once and kept in the database.
pub async fn build_state(config: Config, db: Db) -> Result<AppState> {
    let mut setup = Setup {
        config: &config,
        parts: Parts::default(),
        offline: Default::default(),
        llm_layers: Vec::new(),
    };
    for feature in FEATURES {
        (feature.init)(&mut setup)?;
    }
    let Setup {
        parts,
        offline,
        llm_layers,
        ..
    } = setup;
    let secret = match &config.jwt_secret {
        Some(secret) => secret.expose().to_owned(),
        None => {
            let candidate = crate::crypto::tokens::random_secret(48);
            crate::auth::repo::get_or_create_secret(&db, "jwt_secret", &candidate).await?
        }
    };
    let jwt = JwtKeys::new(secret.as_bytes(), config.access_token_ttl_secs);
    let quota_tz = jiff::tz::TimeZone::get(&config.quota_timezone)
        .map_err(|e| Error::internal(format!("CONFAB_QUOTA_TIMEZONE: {e}")))?;
    let http = llm_client(&config.llm_http2)?;
    let provider = crate::llm::build_provider(
        &ProviderSettings {
            kind: config.llm_provider.clone(),
            base_url: config.llm_base_url.clone(),
            api_key: config.llm_api_key.as_ref().map(|k| k.expose().to_owned()),
            model: config.llm_model.clone(),
            timeouts: Timeouts::from_total(Duration::from_secs(config.llm_timeout_secs)),
        },
        &http,
        OfflineProvider::new(offline),
    );
    let mut llm = Registry::new(provider);
    for (app, layer) in llm_layers {
        let inner = llm.for_app(app);
        llm = llm.with_app(app, layer(inner));
    }
    Ok(AppState::new(StateInner {
        config: Arc::new(config),
        db,
        jwt: Arc::new(jwt),
        hasher: Hasher::new()?,
        llm,
        quota_tz,
        parts: Arc::new(parts),
    }))
}

/// The HTTP client of the model providers. `CONFAB_LLM_HTTP2`: `auto` lets TLS negotiate
/// HTTP/2 by ALPN (plain http stays HTTP/1.1), `always` speaks only HTTP/2 (prior
/// knowledge on plain http: h2c, as vLLM-style servers behind an h2c proxy accept), so
/// one connection carries many answers; `never` keeps HTTP/1.1, one connection per
/// answer in flight.
pub fn llm_client(http2: &str) -> Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true);
    let builder = match http2 {
        "always" => builder
            .http2_prior_knowledge()
            // Every answer in flight shares the connection, and a model sends one small
            // DATA frame per token: h2 closes the whole connection once the small frames
            // waiting to be read use up a budget of half the connection window (2.5 MB by
            // default, about 17,000 frames), which thousands of answers on a busy machine
            // reach. A 32 MB window (a 16 MB budget) bounds that memory all the same.
            .http2_initial_connection_window_size(Some(32 << 20))
            // Every answer in flight shares the connection: a PING notices a dead one.
            .http2_keep_alive_interval(Duration::from_secs(30))
            .http2_keep_alive_while_idle(false),
        "never" => builder.http1_only(),
        _ => builder,
    };
    builder
        .build()
        .map_err(|e| Error::internal(format!("http client: {e}")))
}
