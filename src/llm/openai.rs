//! Any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure-style gateways, Ollama,
//! vLLM, llama.cpp server, LM Studio, OpenRouter, Gemini's compatible endpoint).

use std::borrow::Cow;

use futures::future::BoxFuture;
use serde::Deserialize;
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

    /// The request body, written straight from the request (no JSON value tree, so the
    /// history is copied once, into the bytes sent). It is what serde_json makes of the
    /// test-only `Body` struct (a test and two properties hold them to it), written by hand
    /// so that a text with nothing to escape, as most turns are, is copied as it is instead
    /// of escaped byte by byte.
    fn body(&self, req: &ChatRequest, stream: bool) -> Vec<u8> {
        // Sized up front for the usual case (texts with few escapes), so a long history is
        // written once instead of through a doubling buffer's copies.
        let estimate = 128
            + req
                .messages
                .iter()
                .map(|m| m.content.len() + 40)
                .sum::<usize>();
        let mut out = Vec::with_capacity(estimate);
        out.extend_from_slice(b"{\"model\":");
        json_str(&mut out, &self.model);
        out.extend_from_slice(b",\"messages\":[");
        for (i, m) in req.messages.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(match m.role {
                Role::System => b"{\"role\":\"system\",\"content\":",
                Role::User => b"{\"role\":\"user\",\"content\":",
                Role::Assistant => b"{\"role\":\"assistant\",\"content\":",
            });
            json_str(&mut out, &m.content);
            out.push(b'}');
        }
        out.extend_from_slice(if stream {
            b"],\"stream\":true"
        } else {
            b"],\"stream\":false"
        });
        if let Some(max) = req.max_tokens {
            out.extend_from_slice(b",\"max_tokens\":");
            out.extend_from_slice(max.to_string().as_bytes());
        }
        if let Some(format) = response_format(req) {
            out.extend_from_slice(b",\"response_format\":");
            if serde_json::to_writer(&mut out, &format).is_err() {
                out.extend_from_slice(b"null");
            }
        }
        out.push(b'}');
        out
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

/// The `response_format` asking for the request's JSON schema, if it has one.
fn response_format(req: &ChatRequest) -> Option<Value> {
    req.json_schema.as_ref().map(|schema| {
        json!({
            "type": "json_schema",
            "json_schema": {"name": schema.name, "schema": schema.schema, "strict": true}
        })
    })
}

/// Appends `text` as a JSON string, as serde_json writes it: a text with no control
/// character, quote or backslash (the only bytes serde_json escapes) is copied between
/// quotes in one go; the check reads every byte without branching, so it runs many bytes
/// at a time.
fn json_str(out: &mut Vec<u8>, text: &str) {
    let plain = !text.bytes().fold(false, |escape, b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, text).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

/// The request body as serde_json writes it: what [`OpenAiProvider::body`] must write.
#[cfg(test)]
#[derive(serde::Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: Vec<Message<'a>>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<Value>,
}

#[cfg(test)]
#[derive(serde::Serialize)]
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

    fn provider() -> OpenAiProvider {
        let settings = ProviderSettings {
            kind: "openai".into(),
            base_url: Some("http://127.0.0.1:9/v1".into()),
            api_key: None,
            model: Some("model \"q\" \u{1}".into()),
            timeouts: crate::llm::Timeouts {
                connect: std::time::Duration::from_secs(1),
                idle: std::time::Duration::from_secs(1),
                total: std::time::Duration::from_secs(1),
            },
        };
        OpenAiProvider::new(&settings, reqwest::Client::new())
    }

    /// The body as serde_json writes it from [`Body`].
    fn serde_body(provider: &OpenAiProvider, req: &ChatRequest, stream: bool) -> Vec<u8> {
        let body = Body {
            model: &provider.model,
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
            response_format: response_format(req),
        };
        serde_json::to_vec(&body).expect("serialisable")
    }

    fn request(texts: &[&str]) -> ChatRequest {
        let roles = [Role::System, Role::User, Role::Assistant];
        ChatRequest {
            assistant: "general".into(),
            settings: Value::Null,
            locale: None,
            messages: texts
                .iter()
                .enumerate()
                .map(|(i, t)| crate::llm::ChatMessage::new(roles[i % 3], *t))
                .collect(),
            json_schema: None,
            max_tokens: None,
        }
    }

    #[test]
    fn the_body_is_byte_for_byte_what_serde_json_writes() {
        let texts = [
            "You are a helpful assistant.",
            "What is the difference between a process and a thread?",
            "",
            "quotes \" and backslashes \\ and / slashes",
            "line one\nline two\r\n\ttabbed \u{1} \u{1f} \u{7f}",
            "한국어 문장입니다. 😀 \u{2028} </script>",
        ];
        let provider = provider();
        let mut req = request(&texts);
        for stream in [true, false] {
            assert_eq!(
                String::from_utf8(provider.body(&req, stream)).expect("utf-8"),
                String::from_utf8(serde_body(&provider, &req, stream)).expect("utf-8")
            );
        }
        req.max_tokens = Some(512);
        req.json_schema = Some(crate::llm::JsonSchema {
            name: "plan".into(),
            schema: json!({"type": "object", "properties": {"a": {"type": "string", "description": "\"x\"\n"}}}),
        });
        assert_eq!(
            provider.body(&req, false),
            serde_body(&provider, &req, false)
        );
        req.messages.clear();
        assert_eq!(provider.body(&req, true), serde_body(&provider, &req, true));
    }

    proptest::proptest! {
        /// Any text, escapes or not, is written as serde_json writes it.
        #[test]
        fn any_text_is_written_as_serde_json_writes_it(text in "(?s).{0,64}") {
            let mut out = Vec::new();
            json_str(&mut out, &text);
            proptest::prop_assert_eq!(out, serde_json::to_vec(&text).expect("a string"));
        }

        /// Every request body is byte for byte serde_json's.
        #[test]
        fn any_request_body_is_serde_json_s(texts in proptest::collection::vec("[ -~가-힣\n\t\"\\\\\u{0}-\u{1f}]{0,24}", 0..6)) {
            let provider = provider();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let req = request(&texts);
            proptest::prop_assert_eq!(provider.body(&req, true), serde_body(&provider, &req, true));
        }
    }

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
