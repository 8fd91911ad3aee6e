//! The assistants a room can talk to, their room settings and their system prompts.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::{Error, FieldErrors, Problem, Result};

pub use crate::lang::Localized;

/// One room setting an assistant takes.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct SettingSpec {
    pub name: &'static str,
    pub label: Localized,
    pub required: bool,
    pub max_length: usize,
}

/// An assistant.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Assistant {
    pub id: &'static str,
    pub name: Localized,
    pub description: Localized,
    pub settings: &'static [SettingSpec],
    #[serde(skip)]
    pub system_prompt: &'static str,
}

const NAMING_SETTINGS: &[SettingSpec] = &[
    SettingSpec {
        name: "language",
        label: Localized {
            ko: "프로그래밍 언어",
            en: "Programming language",
        },
        required: true,
        max_length: 40,
    },
    SettingSpec {
        name: "convention",
        label: Localized {
            ko: "명명 규칙 (선택)",
            en: "Naming convention (optional)",
        },
        required: false,
        max_length: 100,
    },
];

/// Every assistant, in display order.
pub const ASSISTANTS: &[Assistant] = &[
    Assistant {
        id: "general",
        name: Localized {
            ko: "일반 대화",
            en: "General",
        },
        description: Localized {
            ko: "무엇이든 물어보세요.",
            en: "Ask anything.",
        },
        settings: &[],
        system_prompt: "You are confab, a helpful, honest assistant. Answer in the language the user writes in \
            (Korean or English). Use Markdown where it helps. Say so when you are not sure.",
    },
    Assistant {
        id: "tech-interview",
        name: Localized {
            ko: "기술면접 도우미",
            en: "Tech interview",
        },
        description: Localized {
            ko: "시니어 면접관처럼 기술면접 질문에 답하고 설명합니다.",
            en: "Answers technical-interview questions like a senior interviewer.",
        },
        settings: &[],
        system_prompt: "You are a senior software engineer who interviews candidates. Answer technical-interview \
            questions accurately and concisely: the core idea first, then the trade-offs, a short example, and what \
            an interviewer would want to hear. Answer in the language the user writes in (Korean or English). Use Markdown.",
    },
    Assistant {
        id: "naming",
        name: Localized {
            ko: "변수명 추천",
            en: "Naming assistant",
        },
        description: Localized {
            ko: "변수·함수·클래스 이름을 언어와 규칙에 맞게 추천합니다.",
            en: "Recommends variable, function and class names for your language and convention.",
        },
        settings: NAMING_SETTINGS,
        system_prompt: "You recommend identifier names. The room's programming language is {language} and its naming \
            convention is {convention}. For each request give 3 to 5 candidate names, best first, each with a \
            one-line reason, following the language's idioms (is/has/can for booleans, the language's case for \
            functions, variables, classes and constants) and the convention. Answer in the language the user \
            writes in (Korean or English).",
    },
    Assistant {
        id: "travel",
        name: Localized {
            ko: "여행 도우미",
            en: "Travel helper",
        },
        description: Localized {
            ko: "싱가포르 여행 계획에 대한 후속 질문에 답합니다.",
            en: "Answers follow-up questions about a Singapore travel plan.",
        },
        settings: &[],
        system_prompt: "You are a practical Singapore travel guide. Answer follow-up questions about the traveller's \
            plan: places, transport (MRT, bus, taxi, ride-hailing), food, weather and budget in SGD and KRW. Be \
            concrete and brief. Answer in the language the user writes in (Korean or English).",
    },
];

/// Finds an assistant by id.
pub fn find(id: &str) -> Option<&'static Assistant> {
    ASSISTANTS.iter().find(|a| a.id == id)
}

/// Validates room settings for an assistant; unknown keys, missing required ones and
/// over-long values are 400s naming `settings.<key>`.
pub fn validate_settings(
    assistant: &Assistant,
    settings: Option<&Value>,
) -> Result<Map<String, Value>> {
    let empty = Map::new();
    let given = match settings {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(Error::field(
                "settings",
                Problem::new("invalid_type", "must be an object"),
            ));
        }
    };
    let mut fields = FieldErrors::new();
    let mut clean = Map::new();
    for key in given.keys() {
        if !assistant.settings.iter().any(|s| s.name == key) {
            fields.add(
                &format!("settings.{key}"),
                Problem::new(
                    "unknown_field",
                    format!("is not a setting of the {} assistant", assistant.id),
                ),
            );
        }
    }
    for spec in assistant.settings {
        let field = format!("settings.{}", spec.name);
        match given.get(spec.name) {
            None | Some(Value::Null) => {
                if spec.required {
                    fields.add(&field, Problem::required());
                }
            }
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.is_empty() && spec.required {
                    fields.add(&field, Problem::required());
                } else if s.chars().count() > spec.max_length {
                    fields.add(&field, Problem::too_long(spec.max_length));
                } else if s.chars().any(char::is_control) {
                    fields.add(&field, Problem::control_chars());
                } else if !s.is_empty() {
                    clean.insert(spec.name.to_owned(), Value::String(s.to_owned()));
                }
            }
            Some(_) => {
                fields.add(&field, Problem::new("invalid_type", "must be a string"));
            }
        }
    }
    fields.finish()?;
    Ok(clean)
}

/// The system prompt with the room's settings filled in.
pub fn system_prompt(assistant: &Assistant, settings: &Value) -> String {
    let mut prompt = assistant.system_prompt.to_owned();
    for spec in assistant.settings {
        let value = settings
            .get(spec.name)
            .and_then(Value::as_str)
            .unwrap_or("the language's usual style");
        prompt = prompt.replace(&format!("{{{}}}", spec.name), value);
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn naming_rooms_need_a_language_and_refuse_unknown_or_long_settings() {
        let naming = find("naming").expect("naming");
        assert!(validate_settings(naming, None).is_err());
        let ok = validate_settings(naming, Some(&json!({"language": " Python "}))).expect("valid");
        assert_eq!(ok.get("language"), Some(&json!("Python")));
        let Err(Error::Validation { fields }) = validate_settings(
            naming,
            Some(&json!({"language": "x".repeat(41), "colour": "red"})),
        ) else {
            panic!("expected validation errors")
        };
        assert!(fields.contains("settings.language") && fields.contains("settings.colour"));
        assert!(
            validate_settings(
                naming,
                Some(&json!({"language": "go", "convention": "y".repeat(101)}))
            )
            .is_err()
        );
        assert!(
            validate_settings(
                find("general").expect("general"),
                Some(&json!({"language": "go"}))
            )
            .is_err()
        );
    }

    #[test]
    fn prompts_fill_their_slots() {
        let naming = find("naming").expect("naming");
        let prompt = system_prompt(naming, &json!({"language": "Rust"}));
        assert!(
            prompt.contains("Rust")
                && !prompt.contains("{language}")
                && !prompt.contains("{convention}")
        );
    }
}
