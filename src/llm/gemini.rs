//! Google's native Gemini API (`generateContent`, `streamGenerateContent?alt=sse`).

use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::sse::{self, Piece};
use super::{
    ChatRequest, Completion, LlmError, LlmProvider, ProviderSettings, Role, TextStream, Timeouts,
    retry,
};

const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";
pub const DEFAULT_MODEL: &str = "gemini-2.5-flash";

/// The Gemini provider.
pub struct GeminiProvider {
    client: reqwest::Client,
    base: String,
    api_key: Option<String>,
    model: String,
    timeouts: Timeouts,
}

impl GeminiProvider {
    pub fn new(settings: &ProviderSettings, client: reqwest::Client) -> GeminiProvider {
        GeminiProvider {
            client,
            base: settings
                .base_url
                .as_deref()
                .unwrap_or(DEFAULT_BASE_URL)
                .trim_end_matches('/')
                .to_owned(),
            api_key: settings.api_key.clone(),
            model: settings
                .model
                .clone()
                .unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            timeouts: settings.timeouts,
        }
    }

    fn body(&self, req: &ChatRequest) -> Value {
        let system: Vec<&str> = req
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
            .collect();
        let contents: Vec<Value> = req
            .messages
            .iter()
            .filter(|m| m.role != Role::System)
            .map(|m| {
                let role = if m.role == Role::Assistant {
                    "model"
                } else {
                    "user"
                };
                json!({"role": role, "parts": [{"text": m.content}]})
            })
            .collect();
        let mut body = json!({"contents": contents});
        if !system.is_empty() {
            body["systemInstruction"] = json!({"parts": [{"text": system.join("\n\n")}]});
        }
        let mut generation = serde_json::Map::new();
        if let Some(max) = req.max_tokens {
            generation.insert("maxOutputTokens".into(), json!(max));
        }
        if let Some(schema) = &req.json_schema {
            generation.insert("responseMimeType".into(), json!("application/json"));
            generation.insert("responseJsonSchema".into(), schema.schema.clone());
        }
        if !generation.is_empty() {
            body["generationConfig"] = Value::Object(generation);
        }
        body
    }

    fn request(&self, method: &str, body: &Value) -> reqwest::RequestBuilder {
        let sse = if method.starts_with("stream") {
            "?alt=sse"
        } else {
            ""
        };
        let url = format!("{}/models/{}:{method}{sse}", self.base, self.model);
        let mut builder = self.client.post(url).json(body);
        if let Some(key) = &self.api_key {
            builder = builder.header("x-goog-api-key", key);
        }
        builder
    }
}

/// The text of all parts of the first candidate.
fn candidate_text(value: &Value) -> Option<String> {
    let parts = value.pointer("/candidates/0/content/parts")?.as_array()?;
    Some(
        parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
    )
}

/// A chunk's text; the one carrying `finishReason` is the last.
fn parse_chunk(data: &str) -> Result<Piece, LlmError> {
    let value: Value = serde_json::from_str(data).map_err(|_| LlmError::Malformed)?;
    let finished = value
        .pointer("/candidates/0/finishReason")
        .is_some_and(|r| !r.is_null());
    Ok(match (candidate_text(&value), finished) {
        (Some(text), true) => Piece::TextThenDone(text),
        (None, true) => Piece::Done,
        (Some(text), false) => Piece::Text(text),
        (None, false) => Piece::Nothing,
    })
}

impl LlmProvider for GeminiProvider {
    fn name(&self) -> &'static str {
        "gemini"
    }

    fn complete<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<Completion, LlmError>> {
        Box::pin(async move {
            let deadline = Instant::now() + self.timeouts.total;
            let response = retry::send(
                self.request("generateContent", &self.body(req)),
                self.timeouts,
                deadline,
            )
            .await?;
            let left = deadline.saturating_duration_since(Instant::now());
            let bytes = tokio::time::timeout(left, response.bytes())
                .await
                .map_err(|_| LlmError::Timeout)?
                .map_err(|e| retry::body_error(&e))?;
            let value: Value = serde_json::from_slice(&bytes).map_err(|_| LlmError::Malformed)?;
            let text = candidate_text(&value).ok_or(LlmError::Malformed)?;
            Ok(Completion {
                text,
                model: self.model.clone(),
            })
        })
    }

    fn stream(&self, req: ChatRequest) -> BoxFuture<'_, Result<TextStream, LlmError>> {
        let body = self.body(&req);
        drop(req);
        Box::pin(async move {
            let deadline = Instant::now() + self.timeouts.total;
            let response = retry::send(
                self.request("streamGenerateContent", &body),
                self.timeouts,
                deadline,
            )
            .await?;
            Ok(sse::text_stream(
                response,
                self.timeouts.idle,
                deadline,
                parse_chunk,
            ))
        })
    }
}
