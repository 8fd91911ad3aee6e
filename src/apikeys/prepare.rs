//! Checking an OpenAI chat-completions request and turning it into a provider request.

use serde_json::{Value, json};

use super::v1::{MAX_MESSAGES, Target, V1Result, find_target};
use super::wire::{CompletionRequest, Content, OpenAiError, estimate_tokens};
use crate::chat::assistants;
use crate::llm::{ChatMessage, ChatRequest, JsonSchema, Role};
use crate::state::AppState;

/// A checked request, ready for the provider.
pub(super) struct Prepared {
    pub(super) target: Target,
    pub(super) request: ChatRequest,
    pub(super) stream: bool,
    pub(super) include_usage: bool,
    pub(super) prompt_tokens: u64,
}

pub(super) fn role_of(raw: &str, i: usize) -> V1Result<Role> {
    match raw {
        "system" | "developer" => Ok(Role::System),
        "user" => Ok(Role::User),
        "assistant" => Ok(Role::Assistant),
        _ => Err(OpenAiError::invalid(
            format!("messages[{i}].role"),
            "invalid_value",
            format!("role `{raw}` is not supported here; use system, user or assistant"),
        )),
    }
}

pub(super) fn text_of(content: Option<Content>, i: usize) -> V1Result<String> {
    match content {
        None => Ok(String::new()),
        Some(Content::Text(text)) => Ok(text),
        Some(Content::Parts(parts)) => {
            let mut text = String::new();
            for (j, part) in parts.into_iter().enumerate() {
                match (part.kind.as_str(), part.text) {
                    ("text", Some(t)) => text.push_str(&t),
                    _ => {
                        return Err(OpenAiError::invalid(
                            format!("messages[{i}].content[{j}]"),
                            "invalid_value",
                            "only text content parts are supported",
                        ));
                    }
                }
            }
            Ok(text)
        }
    }
}

/// Checks a request against OpenAI's rules and confab's bounds. Nothing is spent yet.
pub(super) fn prepare(state: &AppState, req: CompletionRequest) -> V1Result<Prepared> {
    let model = req.model.filter(|m| !m.trim().is_empty()).ok_or_else(|| {
        OpenAiError::invalid(
            "model",
            "missing_required_parameter",
            "you must provide a model parameter",
        )
    })?;
    let messages = req.messages.filter(|m| !m.is_empty()).ok_or_else(|| {
        OpenAiError::invalid(
            "messages",
            "missing_required_parameter",
            "you must provide at least one message",
        )
    })?;
    if messages.len() > MAX_MESSAGES {
        return Err(OpenAiError::invalid(
            "messages",
            "array_above_max_length",
            format!("at most {MAX_MESSAGES} messages are accepted"),
        ));
    }
    if let Some(t) = req.temperature
        && !(0.0..=2.0).contains(&t)
    {
        return Err(OpenAiError::invalid(
            "temperature",
            "decimal_above_max_value",
            "temperature must be between 0 and 2",
        ));
    }
    if let Some(p) = req.top_p
        && !(0.0..=1.0).contains(&p)
    {
        return Err(OpenAiError::invalid(
            "top_p",
            "decimal_above_max_value",
            "top_p must be between 0 and 1",
        ));
    }
    if req.n.is_some_and(|n| n != 1) {
        return Err(OpenAiError::invalid(
            "n",
            "invalid_value",
            "only n = 1 is supported",
        ));
    }
    let max_tokens = req.max_completion_tokens.or(req.max_tokens);
    if max_tokens == Some(0) {
        return Err(OpenAiError::invalid(
            "max_tokens",
            "integer_below_min_value",
            "max_tokens must be at least 1",
        ));
    }
    let json_schema = match req.response_format {
        None => None,
        Some(format) => match format.kind.as_str() {
            "text" => None,
            "json_object" => Some(JsonSchema {
                name: "response".into(),
                schema: json!({"type": "object"}),
            }),
            "json_schema" => {
                let spec = format.json_schema.ok_or_else(|| {
                    OpenAiError::invalid(
                        "response_format.json_schema",
                        "missing_required_parameter",
                        "json_schema is required for this type",
                    )
                })?;
                Some(JsonSchema {
                    name: spec.name.unwrap_or_else(|| "response".into()),
                    schema: spec.schema.unwrap_or_else(|| json!({"type": "object"})),
                })
            }
            other => {
                return Err(OpenAiError::invalid(
                    "response_format.type",
                    "invalid_value",
                    format!(
                        "response_format type `{other}` is not supported; use text, json_object or json_schema"
                    ),
                ));
            }
        },
    };
    let target = find_target(state, &model)?;
    let mut out = Vec::with_capacity(messages.len() + 1);
    if let Some(assistant) = target.assistant {
        out.push(ChatMessage::new(
            Role::System,
            assistants::system_prompt(assistant, &Value::Null),
        ));
    }
    for (i, message) in messages.into_iter().enumerate() {
        let role = role_of(&message.role, i)?;
        out.push(ChatMessage::new(role, text_of(message.content, i)?));
    }
    let budget = usize::try_from(state.config.llm_context_chars).unwrap_or(usize::MAX);
    let chars: usize = out.iter().map(|m| m.content.chars().count()).sum();
    if chars > budget {
        return Err(OpenAiError::invalid(
            "messages",
            "context_length_exceeded",
            format!(
                "the messages are {chars} characters long; at most {budget} fit this server's context"
            ),
        ));
    }
    let prompt_tokens = out
        .iter()
        .map(|m| estimate_tokens(&m.content) + 4)
        .sum::<u64>()
        + 3;
    let stream = req.stream.unwrap_or(false);
    let include_usage = stream
        && req
            .stream_options
            .and_then(|o| o.include_usage)
            .unwrap_or(false);
    let request = ChatRequest {
        assistant: target.assistant.map_or("general", |a| a.id).to_owned(),
        settings: json!({}),
        locale: None,
        messages: out,
        json_schema,
        max_tokens,
    };
    Ok(Prepared {
        target,
        request,
        stream,
        include_usage,
        prompt_tokens,
    })
}
