//! The interview app's model calls: question generation, grading and the closing
//! complement, each as JSON-schema output that is validated here. Every function returns
//! `None` when the model is the offline one, failed, or answered with something invalid;
//! callers then use the bank and the key-point grader.

use serde::Deserialize;
use serde_json::json;

use super::bank::KeyPoint;
use super::prompts::{self, Prompt};
use super::{Difficulty, Language};
use crate::llm::{ChatMessage, ChatRequest, JsonSchema, Role};
use crate::state::AppState;

/// The app name the registry routes by.
pub const APP: &str = "interview";

/// Limits on what a model may return (longer text is rejected as invalid).
const MAX_QUESTION: usize = 500;
const MAX_INTENT: usize = 1000;
const MAX_MODEL_ANSWER: usize = 5000;
const MAX_POINT: usize = 300;
const MAX_FEEDBACK: usize = 2000;

/// Whether a real model serves the interview app.
pub fn online(state: &AppState) -> bool {
    state.llm.for_app(APP).name() != "offline"
}

async fn ask(
    state: &AppState,
    lang: Language,
    system: String,
    user: String,
    schema_name: &str,
    schema: serde_json::Value,
) -> Option<String> {
    if !online(state) {
        return None;
    }
    let req = ChatRequest {
        assistant: APP.to_owned(),
        settings: json!({}),
        locale: Some(lang.as_str().to_owned()),
        messages: vec![
            ChatMessage::new(Role::System, system),
            ChatMessage::new(Role::User, user),
        ],
        json_schema: Some(JsonSchema {
            name: schema_name.to_owned(),
            schema,
        }),
        max_tokens: Some(4096),
    };
    match state.llm.for_app(APP).complete(&req).await {
        Ok(c) => Some(c.text),
        Err(e) => {
            tracing::warn!(error = %e, call = schema_name, "interview model call failed; using the bank");
            None
        }
    }
}

/// Parses model JSON, tolerating a Markdown code fence around it.
fn parse_json<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(trimmed);
    serde_json::from_str(inner.trim()).ok()
}

fn text_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n > 0 && n <= max
}

/// A question the model wrote, validated.
#[derive(Debug, Clone)]
pub struct GeneratedQuestion {
    pub question: String,
    pub intent: String,
    pub difficulty: Difficulty,
    pub model_answer: String,
    pub key_points: Vec<KeyPoint>,
}

#[derive(Deserialize)]
struct RawQuestions {
    questions: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawQuestion {
    question: String,
    intent: String,
    difficulty: String,
    model_answer: String,
    key_points: Vec<String>,
}

fn questions_schema() -> serde_json::Value {
    json!({
        "type": "object",
        "properties": {
            "questions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string"},
                        "intent": {"type": "string"},
                        "difficulty": {"type": "string", "enum": ["easy", "medium", "hard"]},
                        "model_answer": {"type": "string"},
                        "key_points": {"type": "array", "items": {"type": "string"}}
                    },
                    "required": ["question", "intent", "difficulty", "model_answer", "key_points"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["questions"],
        "additionalProperties": false
    })
}

/// Keeps the items that are complete and within limits, dropping duplicates.
fn validate_questions(text: &str, max: usize) -> Vec<GeneratedQuestion> {
    let Some(raw) = parse_json::<RawQuestions>(text) else {
        return Vec::new();
    };
    let mut out: Vec<GeneratedQuestion> = Vec::new();
    for item in raw.questions {
        let Ok(q) = serde_json::from_value::<RawQuestion>(item) else {
            continue;
        };
        let Some(difficulty) = Difficulty::parse(&q.difficulty) else {
            continue;
        };
        let points: Vec<KeyPoint> = q
            .key_points
            .iter()
            .map(|p| p.trim())
            .filter(|p| text_ok(p, MAX_POINT))
            .take(8)
            .map(|p| KeyPoint {
                text: p.to_owned(),
                terms: Vec::new(),
            })
            .collect();
        let valid = text_ok(&q.question, MAX_QUESTION)
            && text_ok(&q.intent, MAX_INTENT)
            && text_ok(&q.model_answer, MAX_MODEL_ANSWER)
            && !points.is_empty()
            && !out.iter().any(|o| o.question.trim() == q.question.trim());
        if valid {
            out.push(GeneratedQuestion {
                question: q.question.trim().to_owned(),
                intent: q.intent.trim().to_owned(),
                difficulty,
                model_answer: q.model_answer.trim().to_owned(),
                key_points: points,
            });
        }
        if out.len() == max {
            break;
        }
    }
    out
}

/// Up to `count` valid questions from the model (possibly fewer, possibly none).
pub async fn generate_questions(
    state: &AppState,
    lang: Language,
    field_label: &str,
    career_label: &str,
    count: usize,
    avoid: &[String],
) -> Vec<GeneratedQuestion> {
    let count_text = count.to_string();
    let avoid_text = if avoid.is_empty() {
        "-".to_owned()
    } else {
        avoid
            .iter()
            .map(|q| format!("- {q}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let slots = [
        ("field", field_label),
        ("career", career_label),
        ("count", count_text.as_str()),
        ("avoid", avoid_text.as_str()),
    ];
    let (Ok(system), Ok(user)) = (
        fill(&prompts::QUESTIONS_SYSTEM, lang, &slots),
        fill(&prompts::QUESTIONS_USER, lang, &slots),
    ) else {
        return Vec::new();
    };
    match ask(
        state,
        lang,
        system,
        user,
        "interview_questions",
        questions_schema(),
    )
    .await
    {
        Some(text) => {
            let valid = validate_questions(&text, count);
            if valid.len() < count {
                tracing::info!(
                    valid = valid.len(),
                    wanted = count,
                    "model questions incomplete; filling from the bank"
                );
            }
            valid
        }
        None => Vec::new(),
    }
}

fn fill(prompt: &Prompt, lang: Language, slots: &[(&str, &str)]) -> Result<String, String> {
    prompts::fill(prompt.get(lang), slots).inspect_err(|e| tracing::error!(error = %e, "prompt"))
}

#[derive(Deserialize)]
struct RawGrade {
    score: serde_json::Value,
    good: String,
    missing: String,
}

/// The model's grade of an answer: `(score 0–10, good, missing)`.
pub async fn grade(
    state: &AppState,
    lang: Language,
    question: &str,
    model_answer: &str,
    key_points: &[KeyPoint],
    answer: &str,
) -> Option<(i64, String, String)> {
    let points = key_points
        .iter()
        .map(|k| format!("- {}", k.text))
        .collect::<Vec<_>>()
        .join("\n");
    let user = fill(
        &prompts::GRADE_USER,
        lang,
        &[
            ("question", question),
            ("model_answer", model_answer),
            ("key_points", &points),
            ("answer", answer),
        ],
    )
    .ok()?;
    let system = fill(&prompts::GRADE_SYSTEM, lang, &[]).ok()?;
    let schema = json!({
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 10},
            "good": {"type": "string"},
            "missing": {"type": "string"}
        },
        "required": ["score", "good", "missing"],
        "additionalProperties": false
    });
    let text = ask(state, lang, system, user, "interview_grade", schema).await?;
    let raw: RawGrade = parse_json(&text)?;
    // An integer, or a float that is a whole number; nothing outside 0–10.
    let score = raw
        .score
        .as_i64()
        .or_else(|| {
            raw.score
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        })
        .filter(|s| (0..=10).contains(s))?;
    if !text_ok(&raw.good, MAX_FEEDBACK) || !text_ok(&raw.missing, MAX_FEEDBACK) {
        return None;
    }
    Some((
        score,
        raw.good.trim().to_owned(),
        raw.missing.trim().to_owned(),
    ))
}

#[derive(Deserialize)]
struct RawComplement {
    complement: String,
}

/// The model's closing advice.
pub async fn complement(
    state: &AppState,
    lang: Language,
    field_label: &str,
    career_label: &str,
    score: &str,
    results: &str,
) -> Option<String> {
    let slots = [
        ("field", field_label),
        ("career", career_label),
        ("score", score),
        ("results", results),
    ];
    let system = fill(&prompts::COMPLEMENT_SYSTEM, lang, &[]).ok()?;
    let user = fill(&prompts::COMPLEMENT_USER, lang, &slots).ok()?;
    let schema = json!({
        "type": "object",
        "properties": {"complement": {"type": "string"}},
        "required": ["complement"],
        "additionalProperties": false
    });
    let text = ask(state, lang, system, user, "interview_complement", schema).await?;
    let raw: RawComplement = parse_json(&text)?;
    text_ok(&raw.complement, MAX_FEEDBACK).then(|| raw.complement.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_and_malformed_model_output_keeps_only_valid_questions() {
        let text = r#"```json
        {"questions": [
            {"question": "Q1?", "intent": "i", "difficulty": "easy", "model_answer": "a", "key_points": ["p"]},
            {"question": "Q2?", "intent": "i", "difficulty": "impossible", "model_answer": "a", "key_points": ["p"]},
            {"question": "", "intent": "i", "difficulty": "hard", "model_answer": "a", "key_points": ["p"]},
            {"question": "Q3?", "intent": "i", "difficulty": "상", "model_answer": "a", "key_points": []},
            {"question": "Q4?", "intent": "i", "model_answer": "a", "key_points": ["p"]},
            {"question": "Q1?", "intent": "i", "difficulty": "easy", "model_answer": "a", "key_points": ["p"]},
            "not an object",
            {"question": "Q5?", "intent": "i", "difficulty": "중", "model_answer": "a", "key_points": ["p", "q"]}
        ]}
        ```"#;
        let got = validate_questions(text, 10);
        let qs: Vec<&str> = got.iter().map(|q| q.question.as_str()).collect();
        assert_eq!(qs, ["Q1?", "Q5?"]);
        assert_eq!(got[1].difficulty, Difficulty::Medium);
        assert!(validate_questions("questions: 1. What is X?", 10).is_empty());
        assert!(validate_questions("{\"questions\": 3}", 10).is_empty());
    }
}
