//! The router, the server's lifecycle and start-up wiring: [`FEATURES`] lists every
//! feature's routes and `init`.

mod build;
mod cors;
mod ops;
pub mod serve;

pub use build::build_state;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate as _};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::db::{Db, DbOptions, ServerLock};
use crate::error::{Error, ErrorBody, Result};
use crate::state::{AppState, Setup};

/// One feature: its routes and its start-up. Adding an app is one line in [`FEATURES`].
struct Feature {
    router: fn() -> OpenApiRouter<AppState>,
    init: fn(&mut Setup) -> Result<()>,
}

/// No routes (a feature that only sets something up).
fn no_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// No start-up work.
fn no_init(_: &mut Setup) -> Result<()> {
    Ok(())
}

/// Every feature, in start-up order (earlier apps' offline asides win on `general`).
const FEATURES: &[Feature] = &[
    Feature {
        router: crate::auth::router,
        init: crate::auth::init,
    },
    Feature {
        router: crate::me::router,
        init: no_init,
    },
    Feature {
        router: crate::quota::router,
        init: no_init,
    },
    Feature {
        router: crate::admin::router,
        init: no_init,
    },
    Feature {
        router: crate::apikeys::router,
        init: crate::apikeys::init,
    },
    Feature {
        router: crate::chat::router,
        init: crate::chat::init,
    },
    Feature {
        router: no_routes,
        init: crate::apps::naming::init,
    },
    Feature {
        router: crate::apps::interview::router,
        init: crate::apps::interview::init,
    },
    Feature {
        router: crate::apps::travel::router,
        init: crate::apps::travel::init,
    },
    Feature {
        router: crate::apps::board::router,
        init: crate::apps::board::init,
    },
    Feature {
        router: crate::apps::tarot::router,
        init: crate::apps::tarot::init,
    },
];

#[derive(OpenApi)]
#[openapi(
    info(title = "confab API", description = "Self-hosted AI assistant service. Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}`."),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody)),
    tags((name = "auth", description = "Sign-up, login, sessions"), (name = "me", description = "Your account and quota"),
        (name = "admin", description = "Administration: users, roles, quota overrides, usage, audit log (admins only)"),
        (name = "chat", description = "Assistants, rooms, messages, search, export"), (name = "interview", description = "Mock technical interview: sessions, grading, cheat sheet, favourites"),
        (name = "board", description = "Community board: posts, comments, thumbnails"),
        (name = "tarot", description = "Tarot: the card encyclopedia, shuffles, readings and nearby shops"),
        (name = "travel", description = "Singapore travel planner: options, attractions, plans"),
        (name = "ops", description = "Health"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document and the routes it describes.
fn api_router() -> OpenApiRouter<AppState> {
    FEATURES
        .iter()
        .fold(OpenApiRouter::with_openapi(ApiDoc::openapi()), |api, f| {
            api.merge((f.router)())
        })
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
}

/// The OpenAPI document (for `/api/openapi.json` and tools).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Builds the whole HTTP application.
pub fn build_router(state: AppState) -> Router {
    let (api, openapi) = api_router().split_for_parts();
    let config = state.config.clone();
    // The UI's text files go compressed (gzip or br, as the browser asks); JSON stays as it
    // is (API answers are small and their CPU is the hot path), and SSE and images never are
    // (tower-http's default predicate). The layer wraps only the UI's routes: its response
    // body holds a brotli encoder's state inline (~5 KB), which every API response and every
    // open SSE stream would otherwise carry.
    let ui = Router::new()
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .route("/v/{version}/{*path}", get(crate::web::versioned_asset))
        .fallback(crate::web::fallback)
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/json")),
        ));
    let router = Router::new()
        .merge(api)
        .route("/metrics", get(ops::metrics))
        .nest("/v1", crate::apikeys::v1_router())
        .merge(ui)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::telemetry::track_metrics))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            Duration::from_secs(config.body_read_timeout_secs),
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            config.json_body_limit as usize,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            Error::Internal("handler panicked".into()).into_response()
        }));
    // Behind https, browsers are told to keep to https.
    let router = if config.public_url.starts_with("https://") {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    };
    let router = match cors::cors_layer(&config) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    let request_id = HeaderName::from_static("x-request-id");
    router
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), route, path = %req.uri().path(), request_id = id)
        }))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
}

/// A UUIDv4 request id from the thread's RNG (tower-http's `MakeRequestUuid` asks the
/// kernel for randomness: a `getrandom` system call per request).
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let text = id.hyphenated().encode_lower(&mut text);
        HeaderValue::from_str(text).ok().map(RequestId::new)
    }
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}

/// A bound, migrated, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    _lock: Option<ServerLock>,
}

impl Application {
    /// Connects to the configured database, takes the SQLite lock, migrates, loads or
    /// generates the JWT secret and binds the listener.
    pub async fn build(config: Config) -> Result<Application> {
        let db = Db::connect(&DbOptions {
            url: config.database_url(),
            max_connections: config.db_max_connections as u32,
            sqlite_synchronous: config.sqlite_synchronous.clone(),
        })
        .await?;
        Application::build_with_db(config, db).await
    }

    /// Like [`Application::build`] on an already connected database.
    pub async fn build_with_db(config: Config, db: Db) -> Result<Application> {
        let lock = db.lock_for_server()?;
        db.migrate().await?;
        let state = build_state(config, db).await?;
        recover_held_work(&state, true).await?;
        crate::telemetry::metrics_handle();
        let listener = TcpListener::bind(&state.config.listen).await.map_err(|e| {
            Error::internal(format!("cannot listen on {}: {e}", state.config.listen))
        })?;
        let router = build_router(state.clone());
        Ok(Application {
            listener,
            router,
            state,
            _lock: lock,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The shared state (tests use its database).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let addr = self.listener.local_addr()?;
        tracing::info!(%addr, backend = self.state.db.backend(), "confab is listening");
        let db = self.state.db.clone();
        let sweeper = (db.backend() == "postgres").then(|| {
            let state = self.state.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(SWEEP_EVERY);
                every.tick().await;
                loop {
                    every.tick().await;
                    if let Err(err) = recover_held_work(&state, false).await {
                        tracing::warn!(error = %err, "sweeping stale quota holds failed");
                    }
                }
            })
        });
        let config = &self.state.config;
        let drain = Duration::from_secs(config.shutdown_drain_secs);
        let limits = serve::Limits {
            max_connections: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
            header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
            drain,
        };
        let deadline = serve::serve(self.listener, self.router, limits, shutdown).await?;
        if let Some(sweeper) = sweeper {
            sweeper.abort();
        }
        // Answers belong to the server: let the running ones finish and be stored.
        if let Ok(answers) = self.state.part::<crate::chat::answers::Answers>() {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            answers.drain(left).await;
        }
        db.close().await;
        tracing::info!("confab stopped");
        Ok(())
    }
}

/// How often an instance on PostgreSQL settles work whose process died (any instance may).
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Settles quota holds left by a process that stopped between reserving a slot and
/// settling it (docs/architecture.md, "Answers and holds"). A SQLite server is the only
/// process on its file, so at start-up every hold is left over; on PostgreSQL other
/// instances may be working, so only holds older than the longest held work can run are.
async fn recover_held_work(state: &AppState, at_start: bool) -> Result<()> {
    let before = match (state.db.backend(), at_start) {
        ("sqlite", true) => None,
        _ => {
            let age = crate::chat::answers::stale_after(state);
            let age_us = i64::try_from(age.as_micros()).unwrap_or(i64::MAX);
            Some(crate::db::micros(crate::db::now()).saturating_sub(age_us))
        }
    };
    crate::chat::answers::recover(state, before).await?;
    crate::quota::recover(state, before).await?;
    Ok(())
}

/// Completes on SIGINT or SIGTERM. The handlers are installed here, before the server
/// says it is listening, so a signal that comes at once is never the default (a kill).
fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        let ctrl_c = async move {
            if ctrl_c.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutdown signal received; finishing in-flight requests");
    }
}
