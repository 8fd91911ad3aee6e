//! Naming rooms with a model: the room's provider is wrapped so that a naming answer asks
//! the model for JSON (`{"candidates": [{"name", "reason"}]}`), validates it (3 to 5
//! distinct identifiers, one-line reasons, in Korean when the user writes Korean) and
//! writes the answer as the same numbered Markdown list the offline recommender writes (the
//! UI turns it into copyable chips). Output that does not validate gets the offline answer
//! instead; a failing upstream stays a failure (502/504), as for every room.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Value, json};

use super::offline;
use crate::llm::offline::{korean, pieces};
use crate::llm::{ChatRequest, Completion, JsonSchema, LlmError, LlmProvider, Role, TextStream};

/// The longest identifier and reason accepted from a model.
const MAX_NAME_CHARS: usize = 80;
const MAX_REASON_CHARS: usize = 200;
/// Fewest valid candidates for a model answer to be used.
const MIN_CANDIDATES: usize = 3;

/// What the system prompt adds for structured output.
const JSON_INSTRUCTIONS: &str = "Reply with JSON only, in the form {\"candidates\": [{\"name\": \"...\", \"reason\": \"...\"}]}: \
    3 to 5 candidates, best first. Each name is one identifier written in the room's language idiom and convention \
    (for example constants in SCREAMING_SNAKE_CASE where the language does that), without quotes or backticks. Each \
    reason is one short line in the language the user writes in: entirely in Korean when the user writes Korean.";

/// Wraps the naming assistant's provider (see the module documentation).
pub fn layer(inner: Arc<dyn LlmProvider>) -> Arc<dyn LlmProvider> {
    Arc::new(NamingModel { inner })
}

struct NamingModel {
    inner: Arc<dyn LlmProvider>,
}

impl NamingModel {
    /// Whether this request gets the structured treatment: a real model, a naming room,
    /// and not already a structured request of someone else.
    fn structured(&self, req: &ChatRequest) -> bool {
        self.inner.name() != "offline" && req.assistant == "naming" && req.json_schema.is_none()
    }

    async fn answer(&self, req: &ChatRequest) -> Result<Completion, LlmError> {
        let ko = korean(req);
        let mut structured = req.clone();
        if let Some(system) = structured
            .messages
            .iter_mut()
            .find(|m| m.role == Role::System)
        {
            system.content = format!("{}\n\n{JSON_INSTRUCTIONS}", system.content);
        }
        structured.json_schema = Some(JsonSchema {
            name: "naming_candidates".into(),
            schema: schema(),
        });
        let completion = self.inner.complete(&structured).await?;
        let text = match validate(&completion.text, ko) {
            Some(names) => render(&names, &req.settings, ko),
            None => {
                tracing::warn!("the naming model's output did not validate; answering offline");
                offline::answer(req.last_user_text(), &req.settings, ko)
            }
        };
        Ok(Completion {
            text,
            model: completion.model,
        })
    }
}

impl LlmProvider for NamingModel {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn free_reply(&self, req: &ChatRequest) -> bool {
        self.inner.free_reply(req)
    }

    fn complete<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<Completion, LlmError>> {
        if !self.structured(req) {
            return self.inner.complete(req);
        }
        Box::pin(self.answer(req))
    }

    fn stream(&self, req: ChatRequest) -> BoxFuture<'_, Result<TextStream, LlmError>> {
        if !self.structured(&req) {
            return self.inner.stream(req);
        }
        Box::pin(async move {
            let answer = self.answer(&req).await?;
            let stream: TextStream = Box::pin(futures::stream::iter(
                pieces(&answer.text).into_iter().map(Ok),
            ));
            Ok(stream)
        })
    }
}

fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "candidates": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "reason": {"type": "string"}
                    },
                    "required": ["name", "reason"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["candidates"],
        "additionalProperties": false
    })
}

#[derive(Deserialize)]
struct Raw {
    candidates: Vec<Value>,
}

#[derive(Deserialize)]
struct RawCandidate {
    name: String,
    reason: String,
}

/// Whether a model's name is one identifier (or file name) we can show as code.
fn identifier_ok(name: &str) -> bool {
    let n = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&n)
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$' | '?' | '!'))
}

fn reason_ok(reason: &str, ko: bool) -> bool {
    let n = reason.chars().count();
    (1..=MAX_REASON_CHARS).contains(&n)
        && !reason.contains(['\n', '\r', '`'])
        && (!ko || reason.chars().any(crate::apps::naming::offline::is_hangul))
}

/// The valid candidates of a model's output (3 to 5, distinct), or `None`.
pub fn validate(text: &str, ko: bool) -> Option<Vec<(String, String)>> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(trimmed);
    let raw: Raw = serde_json::from_str(inner.trim()).ok()?;
    let mut out: Vec<(String, String)> = Vec::new();
    for item in raw.candidates {
        let Ok(c) = serde_json::from_value::<RawCandidate>(item) else {
            continue;
        };
        let name = c.name.trim();
        let reason = c.reason.trim();
        if identifier_ok(name) && reason_ok(reason, ko) && !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_owned(), reason.to_owned()));
        }
        if out.len() == offline::MAX_CANDIDATES {
            break;
        }
    }
    (out.len() >= MIN_CANDIDATES).then_some(out)
}

/// A model answer in the offline answer's shape: a heading, then the numbered list.
fn render(names: &[(String, String)], settings: &Value, ko: bool) -> String {
    let style = offline::Style::from_settings(settings);
    let typed = settings
        .get("language")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let lang = style.lang.display().or(typed);
    let head = match (lang, ko) {
        (Some(l), true) => format!("**{l}** 이름 추천이에요."),
        (None, true) => "이름 추천이에요.".to_owned(),
        (Some(l), false) => format!("Names for **{l}**:"),
        (None, false) => "Names:".to_owned(),
    };
    let list = offline::list_markdown(names.iter().map(|(n, r)| (n.as_str(), r.as_str())));
    format!("{head}\n\n{list}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_output_keeps_three_to_five_distinct_identifiers() {
        let text = r#"```json
{"candidates": [
 {"name": "sort_users_by_signup_date", "reason": "동사와 기준이 모두 보여요"},
 {"name": "sort_users_by_signup_date", "reason": "중복"},
 {"name": "order_users", "reason": "짧은 대안이에요"},
 {"name": "bad name", "reason": "공백이 있어요"},
 {"name": "sorted_users", "reason": "새 목록을 돌려줄 때"},
 {"name": "x", "reason": "English only"}
]}
```"#;
        let names = validate(text, true).expect("valid");
        let got: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            got,
            ["sort_users_by_signup_date", "order_users", "sorted_users"]
        );
    }

    #[test]
    fn prose_too_few_or_hostile_output_is_refused() {
        assert!(validate("Here are some names: `a`, `b`", false).is_none());
        assert!(validate(r#"{"candidates": []}"#, false).is_none());
        let english_reasons = r#"{"candidates": [{"name": "a1", "reason": "one"}, {"name": "b1", "reason": "two"}, {"name": "c1", "reason": "three"}]}"#;
        assert!(validate(english_reasons, false).is_some());
        assert!(
            validate(english_reasons, true).is_none(),
            "a Korean user gets Korean reasons"
        );
        let hostile = r#"{"candidates": [{"name": "<img src=x>", "reason": "x"}, {"name": "a`b", "reason": "y"}, {"name": "ok", "reason": "line\nbreak"}]}"#;
        assert!(validate(hostile, false).is_none());
    }
}
