//! The one error type of the service and its JSON envelope.
//!
//! Every handler returns `Result<T>`; every failure becomes
//! `{"error": {"code", "message", "fields"?}}` with the status from [`Error::status_code`].
//! 5xx bodies are generic: the cause goes to the log, never to the client.

use std::collections::BTreeMap;

mod fields;
pub use fields::{FieldErrors, Problem, required_text};

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every outcome that is not a success.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input failed validation; `fields` names each bad field.
    #[error("validation failed")]
    Validation { fields: FieldErrors },
    /// A malformed request that is not about one field (bad JSON syntax, bad header).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// Missing, malformed, expired or revoked credentials.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// Authenticated, but not allowed.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The resource does not exist, or is not the caller's.
    #[error("not found")]
    NotFound,
    /// The route exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Body over the configured limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// Body of a content type the route does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Throttled; the client may retry after `retry_after` seconds.
    #[error("{message}")]
    TooManyRequests {
        code: &'static str,
        message: String,
        retry_after: u64,
    },
    /// The caller's daily quota for `scope` is used up.
    #[error("daily limit reached for {scope}")]
    QuotaExceeded {
        scope: &'static str,
        limit: i64,
        resets_at: time::OffsetDateTime,
    },
    /// The language model failed; `message` never holds keys or upstream URLs.
    #[error("{message}")]
    Upstream { timeout: bool, message: String },
    /// A dependency (the database) is not ready.
    #[error("service unavailable")]
    Unavailable,
    /// A feature that needs configuration the operator has not given (a third-party key).
    #[error("{message}")]
    NotConfigured { code: &'static str, message: String },
    /// A bounded queue is full; the client may retry in a second.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// Anything unexpected. Logged with its cause; the client sees a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A validation error on one field.
    pub fn field(name: &str, problem: Problem) -> Self {
        let mut fields = FieldErrors::new();
        fields.add(name, problem);
        Error::Validation { fields }
    }

    /// Wraps any unexpected error; the text is logged, not shown.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }

    /// 401 for a missing or bad credential.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Error::Unauthorized {
            code: "unauthorized",
            message: message.into(),
        }
    }

    /// The single status mapping.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Error::Validation { .. } | Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::TooManyRequests { .. } | Error::QuotaExceeded { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Error::Upstream { timeout: true, .. } => StatusCode::GATEWAY_TIMEOUT,
            Error::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Error::Unavailable | Error::Busy | Error::NotConfigured { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "validation_failed",
            Error::BadRequest { code, .. }
            | Error::Unauthorized { code, .. }
            | Error::Forbidden { code, .. }
            | Error::Conflict { code, .. }
            | Error::TooManyRequests { code, .. }
            | Error::NotConfigured { code, .. } => code,
            Error::NotFound => "not_found",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::PayloadTooLarge => "payload_too_large",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::QuotaExceeded { .. } => "quota_exceeded",
            Error::Upstream { timeout: true, .. } => "upstream_timeout",
            Error::Upstream { .. } => "upstream_error",
            Error::Unavailable => "unavailable",
            Error::Busy => "server_busy",
            Error::Internal(_) => "internal_error",
        }
    }

    pub(crate) fn public_message(&self) -> String {
        match self {
            Error::Validation { fields } => {
                let names: Vec<&str> = fields.names().collect();
                format!("invalid input: {}", names.join(", "))
            }
            Error::Internal(_) => "something went wrong on our side".to_owned(),
            Error::QuotaExceeded { scope, limit, .. } => {
                format!(
                    "you have used all {limit} of today's {scope} requests; the limit resets at midnight"
                )
            }
            other => other.to_string(),
        }
    }
}

/// The error envelope, as documented in the OpenAPI schema.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The inside of the error envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Field name → problem, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// Field name → stable snake_case code (`required`, `too_long`, `too_common`, …), for
    /// validation errors: what a client translates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_codes: Option<BTreeMap<String, String>>,
    /// For `quota_exceeded`: the quota scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// For `quota_exceeded`: the daily limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// For `quota_exceeded`: when the quota resets (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<String>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let retry_after = match &self {
            Error::TooManyRequests { retry_after, .. } => Some(*retry_after),
            Error::Busy => Some(1),
            Error::QuotaExceeded { resets_at, .. } => Some(
                (*resets_at - time::OffsetDateTime::now_utc())
                    .whole_seconds()
                    .max(1) as u64,
            ),
            _ => None,
        };
        let quota_headers = match &self {
            Error::QuotaExceeded {
                limit, resets_at, ..
            } => Some(rate_limit_headers(*limit, *limit, *resets_at)),
            _ => None,
        };
        let (scope, limit, resets_at) = match &self {
            Error::QuotaExceeded {
                scope,
                limit,
                resets_at,
            } => (
                Some((*scope).to_owned()),
                Some(*limit),
                resets_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok(),
            ),
            _ => (None, None, None),
        };
        let (fields, field_codes) = match &self {
            Error::Validation { fields } => {
                let (messages, codes) = fields.envelope();
                (Some(messages), Some(codes))
            }
            _ => (None, None),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.public_message(),
                fields,
                field_codes,
                scope,
                limit,
                resets_at,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(headers) = quota_headers {
            response.headers_mut().extend(headers);
        }
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

/// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds to the reset): on
/// every LLM-backed answer, the refusal (429) included.
pub fn rate_limit_headers(limit: i64, used: i64, resets_at: time::OffsetDateTime) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let reset = (resets_at - time::OffsetDateTime::now_utc())
        .whole_seconds()
        .max(0);
    for (name, value) in [
        ("ratelimit-limit", limit),
        ("ratelimit-remaining", (limit - used).max(0)),
        ("ratelimit-reset", reset),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    headers
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        match err {
            // A row that refers to a parent gone meanwhile (a message to a room deleted in
            // the same instant): the parent is simply not found.
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                tracing::error!(error = %err, "database pool unavailable");
                Error::Unavailable
            }
            other => Error::Internal(format!("database: {other}")),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Error::Internal(format!("migration: {err}"))
    }
}

/// Maps storage errors where they happen.
pub trait ResultExt<T> {
    /// Turns a unique violation on one of `columns` — `(column, field, message)` — into a
    /// 400 `taken` on that field; any other error passes through as an internal error.
    fn on_unique(self, columns: &[(&str, &str, &str)]) -> Result<T>;
}

impl<T> ResultExt<T> for std::result::Result<T, sqlx::Error> {
    fn on_unique(self, columns: &[(&str, &str, &str)]) -> Result<T> {
        self.map_err(|err| {
            if let sqlx::Error::Database(db) = &err
                && db.is_unique_violation()
            {
                let text = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
                for (column, field, message) in columns {
                    if text.contains(column) {
                        return Error::field(field, Problem::new("taken", *message));
                    }
                }
            }
            Error::from(err)
        })
    }
}
