//! OpenAI's wire format for `/v1`: request and response shapes, and errors as
//! `{"error": {"message", "type", "code", "param"}}` with OpenAI's status codes.
//!
//! Requests follow OpenAI's rules, not confab's: unknown fields are ignored.

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{Error, rate_limit_headers};

/// An error as OpenAI sends it.
#[derive(Debug)]
pub struct OpenAiError {
    pub status: StatusCode,
    pub message: String,
    pub kind: &'static str,
    pub code: Option<&'static str>,
    pub param: Option<String>,
    /// Extra response headers (boxed: errors travel in `Result`s and stay small).
    pub headers: Box<HeaderMap>,
}

impl OpenAiError {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        OpenAiError {
            status,
            message: message.into(),
            kind,
            code: Some(code),
            param: None,
            headers: Box::default(),
        }
    }

    /// A 400 about one request parameter.
    pub fn invalid(
        param: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        OpenAiError {
            param: Some(param.into()),
            ..OpenAiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                code,
                message,
            )
        }
    }

    /// 401 for a missing, malformed, revoked or unknown key (or its owner is inactive).
    pub fn bad_key(code: &'static str, message: impl Into<String>) -> Self {
        OpenAiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            code,
            message,
        )
    }

    /// 404 `model_not_found`.
    pub fn model_not_found(model: &str) -> Self {
        OpenAiError {
            param: Some("model".into()),
            ..OpenAiError::new(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                "model_not_found",
                format!(
                    "The model `{model}` does not exist; GET /v1/models lists the models you can use."
                ),
            )
        }
    }

    /// The body of a mid-stream error chunk.
    pub fn body(&self) -> Value {
        json!({"error": {
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "param": self.param,
        }})
    }
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(error = %self.message, "v1 request failed");
        }
        let mut response = (self.status, Json(self.body())).into_response();
        response.headers_mut().extend(*self.headers);
        response
    }
}

impl From<Error> for OpenAiError {
    fn from(err: Error) -> Self {
        let status = err.status_code();
        let message = err.public_message();
        let mut out = match &err {
            Error::QuotaExceeded {
                limit, resets_at, ..
            } => {
                let mut out = OpenAiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "insufficient_quota",
                    "quota_exceeded",
                    message,
                );
                let retry = (*resets_at - time::OffsetDateTime::now_utc())
                    .whole_seconds()
                    .max(1);
                out.headers
                    .extend(rate_limit_headers(*limit, *limit, *resets_at));
                out.headers
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry));
                // The SDKs retry 429s unless told not to; the quota is back only at midnight.
                out.headers.insert(
                    HeaderName::from_static("x-should-retry"),
                    HeaderValue::from_static("false"),
                );
                return out;
            }
            Error::Validation { fields } => {
                let param = fields.names().next().unwrap_or("").to_owned();
                return OpenAiError::invalid(param, "invalid_value", message);
            }
            Error::Unauthorized { .. } => {
                OpenAiError::new(status, "invalid_request_error", "invalid_api_key", message)
            }
            Error::NotFound => {
                OpenAiError::new(status, "invalid_request_error", "not_found", message)
            }
            Error::PayloadTooLarge => OpenAiError::new(
                status,
                "invalid_request_error",
                "request_too_large",
                message,
            ),
            Error::UnsupportedMediaType(_) => OpenAiError::new(
                status,
                "invalid_request_error",
                "unsupported_media_type",
                message,
            ),
            Error::Upstream { timeout: true, .. } => {
                OpenAiError::new(status, "api_error", "upstream_timeout", message)
            }
            Error::Upstream { .. } => {
                OpenAiError::new(status, "api_error", "upstream_error", message)
            }
            Error::Busy | Error::Unavailable => {
                OpenAiError::new(status, "api_error", "server_busy", message)
            }
            Error::NotConfigured { code, .. } => {
                OpenAiError::new(status, "api_error", code, message)
            }
            Error::TooManyRequests { retry_after, .. } => {
                let mut out = OpenAiError::new(status, "rate_limit_error", "rate_limited", message);
                out.headers
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
                return out;
            }
            Error::Internal(_) => {
                OpenAiError::new(status, "server_error", "internal_error", message)
            }
            Error::BadRequest { code, .. }
            | Error::Forbidden { code, .. }
            | Error::Conflict { code, .. } => {
                OpenAiError::new(status, "invalid_request_error", code, message)
            }
            Error::MethodNotAllowed => OpenAiError::new(
                status,
                "invalid_request_error",
                "method_not_allowed",
                message,
            ),
        };
        out.status = status;
        out
    }
}

impl From<crate::llm::LlmError> for OpenAiError {
    fn from(err: crate::llm::LlmError) -> Self {
        OpenAiError::from(Error::from(err))
    }
}

/// A chat completion request. Unknown fields are ignored; `model` and `messages` are
/// checked by the handler so their absence is a 400 naming them.
#[derive(Debug, Default, Deserialize)]
pub struct CompletionRequest {
    pub model: Option<String>,
    pub messages: Option<Vec<WireMessage>>,
    pub stream: Option<bool>,
    pub stream_options: Option<StreamOptions>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub response_format: Option<ResponseFormat>,
    pub n: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StreamOptions {
    pub include_usage: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct ResponseFormat {
    #[serde(rename = "type")]
    pub kind: String,
    pub json_schema: Option<WireJsonSchema>,
}

#[derive(Debug, Deserialize)]
pub struct WireJsonSchema {
    pub name: Option<String>,
    pub schema: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub struct WireMessage {
    pub role: String,
    pub content: Option<Content>,
}

/// A message's content: text, or a list of parts of which only text parts are taken.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Debug, Deserialize)]
pub struct Part {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<String>,
}

/// `usage` in responses and the last stream chunk.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl Usage {
    pub fn new(prompt_tokens: u64, completion_tokens: u64) -> Usage {
        Usage {
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens + completion_tokens,
        }
    }
}

/// Tokens in `text`, estimated offline (no tokenizer is shipped): about four bytes of
/// ASCII per token, one token per other character (Hangul syllables are about one each).
pub fn estimate_tokens(text: &str) -> u64 {
    let (ascii, other) = text.chars().fold((0u64, 0u64), |(a, o), c| {
        if c.is_ascii() { (a + 1, o) } else { (a, o + 1) }
    });
    ascii.div_ceil(4) + other
}

/// The body extractor of `/v1`: any JSON body (the content type is not insisted on, as
/// OpenAI does not), rejections in OpenAI's shape.
pub struct V1Json<T>(pub T);

impl<S, T> FromRequest<S> for V1Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = OpenAiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    OpenAiError::from(Error::PayloadTooLarge)
                } else {
                    OpenAiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_request_error",
                        "invalid_body",
                        "the request body could not be read",
                    )
                }
            })?;
        serde_json::from_slice(&bytes).map(V1Json).map_err(|err| {
            let code = if err.is_syntax() || err.is_eof() {
                "invalid_json"
            } else {
                "invalid_type"
            };
            OpenAiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                code,
                format!("We could not parse the JSON body of your request: {err}"),
            )
        })
    }
}
