//! The model's reading: the six sections as JSON-schema output, validated here. Returns
//! `None` when the model is the offline one, failed, or answered with anything invalid;
//! the caller then composes the offline reading.

use serde_json::json;

use super::prompts::{self, READING_SYSTEM, READING_USER};
use super::{Drawn, POSITIONS, Sections, Subject};
use crate::lang::Language;
use crate::llm::{ChatMessage, ChatRequest, JsonSchema, Role};
use crate::state::AppState;

/// The app name the registry routes by.
pub const APP: &str = "tarot";

/// Longest section a model may write, in characters.
const MAX_SECTION: usize = 4000;

fn online(state: &AppState) -> bool {
    state.llm.for_app(APP).name() != "offline"
}

fn schema() -> serde_json::Value {
    let text = json!({"type": "string"});
    json!({
        "type": "object",
        "properties": {
            "greeting": text, "past": text, "present": text,
            "future": text, "advice": text, "conclusion": text
        },
        "required": ["greeting", "past", "present", "future", "advice", "conclusion"],
        "additionalProperties": false
    })
}

/// Parses and checks the model's sections: every one present, non-blank, within bounds,
/// and no two the same.
pub fn validate(text: &str) -> Option<Sections> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(trimmed);
    let raw: Sections = serde_json::from_str(inner.trim()).ok()?;
    let s = Sections {
        greeting: raw.greeting.trim().to_owned(),
        past: raw.past.trim().to_owned(),
        present: raw.present.trim().to_owned(),
        future: raw.future.trim().to_owned(),
        advice: raw.advice.trim().to_owned(),
        conclusion: raw.conclusion.trim().to_owned(),
    };
    let all = s.all();
    let ok = all
        .iter()
        .all(|t| !t.is_empty() && t.chars().count() <= MAX_SECTION)
        && all
            .iter()
            .enumerate()
            .all(|(i, t)| all[i + 1..].iter().all(|u| u != t));
    ok.then_some(s)
}

fn describe(drawn: &Drawn, position: &str, lang: Language) -> String {
    let c = drawn.card;
    let side = c.meaning.side(drawn.reversed).get(lang);
    let keys = c.keywords.side(drawn.reversed).get(lang).join(", ");
    let orientation = match (lang, drawn.reversed) {
        (Language::Ko, true) => "역방향",
        (Language::Ko, false) => "정방향",
        (Language::En, true) => "reversed",
        (Language::En, false) => "upright",
    };
    format!(
        "- {position}: {} ({orientation}) — {keys}. {side}",
        c.name.get(lang)
    )
}

/// Asks the model for a reading; `None` means "compose it offline".
pub async fn reading(
    state: &AppState,
    subject: Subject,
    concern: &str,
    cards: &[Drawn],
    lang: Language,
) -> Option<Sections> {
    if !online(state) {
        return None;
    }
    let label = subject.label.get(lang);
    let list = cards
        .iter()
        .zip(POSITIONS)
        .map(|(d, p)| describe(d, p, lang))
        .collect::<Vec<_>>()
        .join("\n");
    let system = prompts::fill(READING_SYSTEM.get(lang), &[("subject", label)]).ok()?;
    let user = prompts::fill(
        READING_USER.get(lang),
        &[("subject", label), ("concern", concern), ("cards", &list)],
    )
    .ok()?;
    let req = ChatRequest {
        assistant: APP.to_owned(),
        settings: json!({}),
        locale: Some(lang.as_str().to_owned()),
        messages: vec![
            ChatMessage::new(Role::System, system),
            ChatMessage::new(Role::User, user),
        ],
        json_schema: Some(JsonSchema {
            name: "tarot_reading".to_owned(),
            schema: schema(),
        }),
        max_tokens: Some(4096),
    };
    match state.llm.for_app(APP).complete(&req).await {
        Ok(c) => {
            let sections = validate(&c.text);
            if sections.is_none() {
                tracing::warn!("the tarot model's reading was invalid; composing it offline");
            }
            sections
        }
        Err(e) => {
            tracing::warn!(error = %e, "tarot model call failed; composing the reading offline");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> serde_json::Value {
        json!({"greeting": "g", "past": "p", "present": "n", "future": "f", "advice": "a", "conclusion": "c"})
    }

    #[test]
    fn complete_distinct_sections_are_accepted_even_in_a_fence() {
        assert!(validate(&good().to_string()).is_some());
        assert!(validate(&format!("```json\n{}\n```", good())).is_some());
    }

    #[test]
    fn missing_blank_extra_repeated_or_huge_sections_are_refused() {
        let mut missing = good();
        missing.as_object_mut().map(|o| o.remove("advice"));
        assert!(validate(&missing.to_string()).is_none());
        let mut blank = good();
        blank["past"] = json!("  ");
        assert!(validate(&blank.to_string()).is_none());
        let mut extra = good();
        extra["note"] = json!("x");
        assert!(validate(&extra.to_string()).is_none());
        let mut repeated = good();
        repeated["future"] = json!("p");
        assert!(validate(&repeated.to_string()).is_none());
        let mut huge = good();
        huge["conclusion"] = json!("x".repeat(4001));
        assert!(validate(&huge.to_string()).is_none());
        assert!(validate("The cards say yes.").is_none());
    }
}
