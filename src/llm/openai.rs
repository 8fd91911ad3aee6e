//! Any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure-style gateways, Ollama,
//! vLLM, llama.cpp server, LM Studio, OpenRouter, Gemini's compatible endpoint).

use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::sse::{self, Piece};
use super::{
    ChatRequest, Completion, LlmError, LlmProvider, ProviderSettings, Role, TextStream, Timeouts,
    retry,
};

const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// The OpenAI-compatible provider.
pub struct OpenAiProvider {
    client: reqwest::Client,
    endpoint: String,
    api_key: Option<String>,
    model: String,
    timeouts: Timeouts,
}

impl OpenAiProvider {
    pub fn new(settings: &ProviderSettings, client: reqwest::Client) -> OpenAiProvider {
        let base = settings
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_BASE_URL)
            .trim_end_matches('/');
        OpenAiProvider {
            client,
            endpoint: format!("{base}/chat/completions"),
            api_key: settings.api_key.clone(),
            model: settings
                .model
                .clone()
                .unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            timeouts: settings.timeouts,
        }
    }

    fn body(&self, req: &ChatRequest, stream: bool) -> Value {
        let messages: Vec<Value> = req
            .messages
            .iter()
            .map(|m| {
                let role = match m.role {
                    Role::System => "system",
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                json!({"role": role, "content": m.content})
            })
            .collect();
        let mut body = json!({"model": self.model, "messages": messages, "stream": stream});
        if let Some(max) = req.max_tokens {
            body["max_tokens"] = json!(max);
        }
        if let Some(schema) = &req.json_schema {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": schema.name, "schema": schema.schema, "strict": true}
            });
        }
        body
    }

    fn request(&self, body: &Value) -> reqwest::RequestBuilder {
        let mut builder = self.client.post(&self.endpoint).json(body);
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        builder
    }
}

fn parse_chunk(data: &str) -> Result<Piece, LlmError> {
    if data.trim() == "[DONE]" {
        return Ok(Piece::Done);
    }
    let value: Value = serde_json::from_str(data).map_err(|_| LlmError::Malformed)?;
    match value.pointer("/choices/0/delta/content") {
        Some(Value::String(text)) => Ok(Piece::Text(text.clone())),
        _ => Ok(Piece::Nothing),
    }
}

impl LlmProvider for OpenAiProvider {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn complete<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<Completion, LlmError>> {
        Box::pin(async move {
            let deadline = Instant::now() + self.timeouts.total;
            let response = retry::send(
                self.request(&self.body(req, false)),
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
            let text = value
                .pointer("/choices/0/message/content")
                .and_then(Value::as_str)
                .ok_or(LlmError::Malformed)?;
            let model = value
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or(&self.model);
            Ok(Completion {
                text: text.to_owned(),
                model: model.to_owned(),
            })
        })
    }

    fn stream<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<TextStream, LlmError>> {
        Box::pin(async move {
            let deadline = Instant::now() + self.timeouts.total;
            let response =
                retry::send(self.request(&self.body(req, true)), self.timeouts, deadline).await?;
            Ok(sse::text_stream(
                response,
                self.timeouts.idle,
                deadline,
                parse_chunk,
            ))
        })
    }
}
