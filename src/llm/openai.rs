//! Any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure-style gateways, Ollama,
//! vLLM, llama.cpp server, LM Studio, OpenRouter, Gemini's compatible endpoint).

use std::borrow::Cow;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
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

    /// The request body, serialised straight from the request (no JSON value tree, so
    /// the history is copied once, into the bytes sent).
    fn body(&self, req: &ChatRequest, stream: bool) -> Vec<u8> {
        let body = Body {
            model: &self.model,
            messages: req
                .messages
                .iter()
                .map(|m| Message {
                    role: match m.role {
                        Role::System => "system",
                        Role::User => "user",
                        Role::Assistant => "assistant",
                    },
                    content: &m.content,
                })
                .collect(),
            stream,
            max_tokens: req.max_tokens,
            response_format: req.json_schema.as_ref().map(|schema| {
                json!({
                    "type": "json_schema",
                    "json_schema": {"name": schema.name, "schema": schema.schema, "strict": true}
                })
            }),
        };
        // Sized up front for the usual case (texts with few escapes), so a long history is
        // written once instead of through a doubling buffer's copies.
        let estimate = 128
            + req
                .messages
                .iter()
                .map(|m| m.content.len() + 40)
                .sum::<usize>();
        let mut bytes = Vec::with_capacity(estimate);
        match serde_json::to_writer(&mut bytes, &body) {
            Ok(()) => bytes,
            Err(_) => Vec::new(),
        }
    }

    fn request(&self, body: Vec<u8>) -> reqwest::RequestBuilder {
        let mut builder = self
            .client
            .post(&self.endpoint)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        builder
    }
}

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: Vec<Message<'a>>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<Value>,
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

/// One streamed chunk, read in place: only the first choice's `delta.content` is kept, and
/// it borrows from the payload unless it has escapes. Every other field is skipped
/// without being stored, so reading a chunk allocates nothing but its text.
#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(borrow, default, deserialize_with = "first_choice")]
    choices: Option<Choice<'a>>,
}

#[derive(Deserialize)]
struct Choice<'a> {
    #[serde(borrow, default)]
    delta: Option<Delta<'a>>,
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(borrow, default)]
    content: Option<Text<'a>>,
}

/// A string that borrows from the payload when it can (a bare `Option<Cow<str>>` would
/// always be copied).
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// The first element of `choices` (the rest are skipped); `null` or `[]` is none.
fn first_choice<'de, D>(deserializer: D) -> Result<Option<Choice<'de>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct First;
    impl<'de> serde::de::Visitor<'de> for First {
        type Value = Option<Choice<'de>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of choices")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let first = seq.next_element::<Choice<'de>>()?;
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(first)
        }
    }
    deserializer.deserialize_any(First)
}

fn parse_chunk(data: &str) -> Result<Piece, LlmError> {
    if data.trim() == "[DONE]" {
        return Ok(Piece::Done);
    }
    let chunk: Chunk<'_> = serde_json::from_str(data).map_err(|_| LlmError::Malformed)?;
    match chunk.choices.and_then(|c| c.delta).and_then(|d| d.content) {
        Some(Text(text)) => Ok(Piece::Text(text.into_owned())),
        None => Ok(Piece::Nothing),
    }
}

impl LlmProvider for OpenAiProvider {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn complete<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<Completion, LlmError>> {
        Box::pin(async move {
            let deadline = Instant::now() + self.timeouts.total;
            let response =
                retry::send(self.request(self.body(req, false)), self.timeouts, deadline).await?;
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

    fn stream(&self, req: ChatRequest) -> BoxFuture<'_, Result<TextStream, LlmError>> {
        let body = self.body(&req, true);
        drop(req);
        Box::pin(async move {
            let deadline = Instant::now() + self.timeouts.total;
            let response = retry::send(self.request(body), self.timeouts, deadline).await?;
            Ok(sse::text_stream(
                response,
                self.timeouts.idle,
                deadline,
                parse_chunk,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(data: &str) -> Option<String> {
        match parse_chunk(data) {
            Ok(Piece::Text(text)) => Some(text),
            Ok(Piece::Nothing) => None,
            Ok(_) => panic!("unexpected end marker for {data}"),
            Err(err) => panic!("{data}: {err}"),
        }
    }

    #[test]
    fn a_chunk_gives_the_first_choices_delta_text_and_skips_the_rest() {
        let chunk = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",
            "choices":[{"index":0,"delta":{"role":"assistant","content":"Hi \"you\" \u00e9"},"logprobs":null,"finish_reason":null},
                       {"index":1,"delta":{"content":"other"}}],
            "usage":{"prompt_tokens":3,"nested":[1,{"a":[]}]}}"#;
        assert_eq!(text(chunk).as_deref(), Some("Hi \"you\" é"));
        assert_eq!(
            text(r#"{"choices":[{"delta":{"content":"plain"}}]}"#).as_deref(),
            Some("plain")
        );
    }

    #[test]
    fn chunks_without_text_are_nothing_and_garbage_is_malformed() {
        for data in [
            r#"{"choices":[]}"#,
            r#"{"choices":null}"#,
            r#"{}"#,
            r#"{"choices":[{"delta":{}}]}"#,
            r#"{"choices":[{"delta":{"content":null}}]}"#,
            r#"{"choices":[{"delta":null,"finish_reason":"stop"}]}"#,
            r#"{"choices":[{"delta":{"role":"assistant","tool_calls":[{"id":"x"}]}}]}"#,
        ] {
            assert_eq!(text(data), None, "{data}");
        }
        assert!(matches!(parse_chunk(" [DONE] "), Ok(Piece::Done)));
        for data in [
            "not json",
            r#"{"choices":[{"delta":{"content":5}}]}"#,
            r#"{"choices":"x"}"#,
        ] {
            assert!(
                matches!(parse_chunk(data), Err(LlmError::Malformed)),
                "{data}"
            );
        }
    }
}
