//! LLM providers behind one trait, and the registry that picks one per app.
//!
//! This module never imports axum: handlers turn [`LlmError`] into HTTP errors. Providers:
//! `offline` (built in, deterministic, no network), `openai` (any OpenAI-compatible Chat
//! Completions endpoint) and `gemini` (Google's native API).

pub mod gemini;
pub mod offline;
pub mod openai;
mod retry;
mod sse;

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

/// Who said a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One message of the conversation sent to a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        ChatMessage {
            role,
            content: content.into(),
        }
    }
}

/// Ask for JSON matching a schema (OpenAI `response_format: json_schema`, Gemini
/// `responseSchema`); the offline provider answers such requests itself.
#[derive(Clone, Debug)]
pub struct JsonSchema {
    pub name: String,
    pub schema: serde_json::Value,
}

/// A request to a provider.
#[derive(Clone, Debug)]
pub struct ChatRequest {
    /// The app or assistant asking: `general`, `tech-interview`, `naming`, `travel`,
    /// `interview`, `tarot`, … The offline provider answers by it.
    pub assistant: String,
    /// The room's settings (e.g. `{"language": "python", "convention": "snake_case"}`).
    pub settings: serde_json::Value,
    /// UI language hint, `ko` or `en`; `None` means: follow the user's text.
    pub locale: Option<String>,
    /// System prompt first, then the history, oldest first, ending with the user's turn.
    pub messages: Vec<ChatMessage>,
    /// Structured output, when the app needs it.
    pub json_schema: Option<JsonSchema>,
    pub max_tokens: Option<u32>,
}

impl ChatRequest {
    /// The text of the last user message (empty when there is none).
    pub fn last_user_text(&self) -> &str {
        self.messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map_or("", |m| m.content.as_str())
    }
}

/// A whole answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    /// The model that answered (`offline` for the built-in assistant).
    pub model: String,
}

/// Answer text as it arrives. Ends with `None` after the last piece; an `Err` item means
/// the stream broke after it started.
pub type TextStream = Pin<Box<dyn Stream<Item = Result<String, LlmError>> + Send>>;

/// Why a provider call failed. Messages never contain keys or upstream URLs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// No answer within the deadline, or the stream went quiet for too long.
    #[error("the language model did not answer in time")]
    Timeout,
    /// The upstream answered with an error status.
    #[error("the language model service returned an error (HTTP {status})")]
    Status { status: u16 },
    /// The upstream limited us and retries ran out.
    #[error("the language model service is rate-limiting requests")]
    RateLimited,
    /// The upstream could not be reached or dropped the connection.
    #[error("could not reach the language model service")]
    Connect,
    /// The upstream sent something we could not read.
    #[error("the language model service sent a malformed response")]
    Malformed,
    /// The upstream's stream ended before its end marker: the answer may be cut short.
    #[error("the language model's answer ended before it was finished")]
    Incomplete,
    /// The provider is misconfigured (e.g. no API key).
    #[error("the language model is not configured: {0}")]
    Config(String),
}

/// A provider failure as the HTTP layer reports it (502, or 504 on a timeout).
impl From<LlmError> for crate::error::Error {
    fn from(err: LlmError) -> Self {
        crate::error::Error::Upstream {
            timeout: err == LlmError::Timeout,
            message: err.to_string(),
        }
    }
}

impl LlmError {
    /// A short label for metrics: `timeout`, `status_<code>`-like classes, `rate_limited`, …
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Timeout => "timeout",
            LlmError::Status { status } if *status >= 500 => "status_5xx",
            LlmError::Status { .. } => "status_4xx",
            LlmError::RateLimited => "rate_limited",
            LlmError::Connect => "connect",
            LlmError::Malformed => "malformed",
            LlmError::Incomplete => "incomplete",
            LlmError::Config(_) => "config",
        }
    }

    /// Whether a retry before the first token may help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, LlmError::Connect | LlmError::RateLimited)
            || matches!(self, LlmError::Status { status } if *status >= 500)
    }
}

/// A language model provider. Object-safe: the registry holds `Arc<dyn LlmProvider>`.
pub trait LlmProvider: Send + Sync {
    /// `offline`, `openai` or `gemini`.
    fn name(&self) -> &'static str;

    /// Whether the answer to `req` costs no quota: the offline assistant's reply that only
    /// says no model is connected. Deterministic, so it can be asked before the call.
    fn free_reply(&self, _req: &ChatRequest) -> bool {
        false
    }

    /// The whole answer at once (honours `json_schema`).
    fn complete<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<Completion, LlmError>>;

    /// The answer piece by piece. Resolves once the upstream has accepted the request
    /// (retries happen before that); dropping the stream cancels the upstream request.
    /// Takes the request by value, so a network provider frees the history as soon as it
    /// has serialised it, not when the upstream answers (a busy server holds thousands).
    fn stream(&self, req: ChatRequest) -> BoxFuture<'_, Result<TextStream, LlmError>>;
}

/// Time limits for upstream calls.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Until the response headers arrive.
    pub connect: Duration,
    /// Longest silence between two stream chunks.
    pub idle: Duration,
    /// The whole call.
    pub total: Duration,
}

impl Timeouts {
    /// Limits derived from the whole-call deadline.
    pub fn from_total(total: Duration) -> Timeouts {
        Timeouts {
            connect: total.min(Duration::from_secs(15)),
            idle: total.min(Duration::from_secs(30)),
            total,
        }
    }
}

/// Everything needed to build the network providers.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    pub kind: String,
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub model: Option<String>,
    pub timeouts: Timeouts,
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary:
/// where an answer reaching the size cap is cut.
pub fn prefix_within(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Builds a provider from settings.
/// Builds a provider from settings; `offline` (with the apps' answerers) unless a network
/// provider is configured.
pub fn build_provider(
    settings: &ProviderSettings,
    client: &reqwest::Client,
    offline: offline::OfflineProvider,
) -> Arc<dyn LlmProvider> {
    match settings.kind.as_str() {
        "openai" => Arc::new(openai::OpenAiProvider::new(settings, client.clone())),
        "gemini" => Arc::new(gemini::GeminiProvider::new(settings, client.clone())),
        _ => Arc::new(offline),
    }
}

/// The provider for each app: a default, and per-app overrides. Cloned with the
/// application state for every request, so the map is shared, not copied.
#[derive(Clone)]
pub struct Registry {
    default: Arc<dyn LlmProvider>,
    per_app: Arc<HashMap<String, Arc<dyn LlmProvider>>>,
}

impl Registry {
    /// One provider for every app.
    pub fn new(default: Arc<dyn LlmProvider>) -> Registry {
        Registry {
            default,
            per_app: Arc::new(HashMap::new()),
        }
    }

    /// Routes one app to its own provider.
    pub fn with_app(mut self, app: &str, provider: Arc<dyn LlmProvider>) -> Registry {
        Arc::make_mut(&mut self.per_app).insert(app.to_owned(), provider);
        self
    }

    /// The configured provider (apps without their own use it).
    pub fn default_provider(&self) -> Arc<dyn LlmProvider> {
        self.default.clone()
    }

    /// The provider for an app.
    pub fn for_app(&self, app: &str) -> Arc<dyn LlmProvider> {
        self.per_app
            .get(app)
            .cloned()
            .unwrap_or_else(|| self.default.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_within;

    #[test]
    fn a_capped_piece_is_cut_on_a_character_boundary() {
        assert_eq!(prefix_within("hello", 10), "hello");
        assert_eq!(prefix_within("hello", 3), "hel");
        assert_eq!(prefix_within("가나다", 4), "가");
        assert_eq!(prefix_within("가나다", 2), "");
        assert_eq!(prefix_within("", 0), "");
    }
}
