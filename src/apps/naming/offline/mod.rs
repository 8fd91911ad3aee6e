//! Offline identifier recommendations.
//!
//! Rules, in order:
//! 1. **What is named**: a boolean (is/has/can/whether, 여부/인지), a class or type
//!    (class/type/struct, 클래스/타입), a constant (constant, 상수), a variable (variable,
//!    변수) or, by default, a function (function/method, 함수/메서드).
//! 2. **Meaning words**: English words of the request minus stop-words, and Korean words
//!    found through a built-in dictionary matched on stems (곱하는 → multiply).
//! 3. **Candidates**: functions are verb-first (`multiply`, `multiply_numbers`) with
//!    alternative verbs over the result noun (`calculate_product`, `compute_product`,
//!    `get_product`); booleans get `is`/`has`/`can`; classes are nouns with a role suffix;
//!    constants are upper-case nouns; variables are nouns.
//! 4. **Case**: the room's `convention` when it names one (camelCase, snake_case,
//!    PascalCase, kebab-case, SCREAMING_SNAKE_CASE); otherwise the language's idiom
//!    (Python/Rust/Ruby snake_case, Java/JS/TS/Kotlin/Swift/Go/Dart camelCase, C# PascalCase
//!    methods, CSS kebab-case; classes PascalCase, constants SCREAMING_SNAKE everywhere).
//!
//! The parts: [`words`] (meaning words and verbs), [`candidates`] (names per kind) and
//! [`case`] (conventions); this file reads the request and writes the answer.

mod candidates;
mod case;
mod words;

use serde_json::Value;

pub use case::{Case, convert};

use candidates::Candidate;
use words::{is_verb, meaning_words};

/// What is named (rule 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Variable,
    Class,
    Constant,
    Boolean,
}

/// Whether a free-text message asks for a name.
pub fn looks_like_naming_request(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "name for",
        "names for",
        "naming",
        "변수명",
        "함수명",
        "이름 추천",
        "이름을 추천",
        "이름 지어",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

fn kind_of(text: &str) -> Kind {
    let lower = text.to_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| lower.contains(w));
    if has(&[
        "boolean",
        "flag",
        "whether",
        " is ",
        "여부",
        "인지",
        "불리언",
    ]) {
        Kind::Boolean
    } else if has(&["class", "struct", " type", "클래스", "타입", "구조체"]) {
        Kind::Class
    } else if has(&["constant", "상수"]) {
        Kind::Constant
    } else if has(&["variable", "변수"]) && !has(&["function", "method", "함수", "메서드"]) {
        Kind::Variable
    } else {
        Kind::Function
    }
}

/// What a request asks to name: the kind, its verb (if any) and the other meaning words.
struct Request {
    kind: Kind,
    verb: Option<String>,
    /// The meaning words besides the verb.
    objects: Vec<String>,
    /// The objects, or `value` when there are none.
    subject: Vec<String>,
}

impl Request {
    fn parse(text: &str) -> Request {
        let kind = kind_of(text);
        let words = meaning_words(text);
        let verb = words.iter().find(|w| is_verb(w)).cloned();
        let objects: Vec<String> = words
            .iter()
            .filter(|w| Some(*w) != verb.as_ref())
            .cloned()
            .collect();
        let subject: Vec<String> = if objects.is_empty() {
            vec!["value".into()]
        } else {
            objects.clone()
        };
        Request {
            kind,
            verb,
            objects,
            subject,
        }
    }
}

/// The naming assistant's offline answer.
pub fn answer(text: &str, settings: &Value, ko: bool) -> String {
    let request = Request::parse(text);
    let (case, why) = case::case_for(settings, request.kind);
    let lines = suggestion_lines(candidates::candidates(&request), case, ko);
    if ko {
        format!(
            "**confab 오프라인 도우미**의 이름 추천이에요:\n\n{}\n\n규칙: **{}** — {}. 언어 모델을 설정하면 문맥을 더 잘 반영한 추천을 받을 수 있어요.",
            lines.join("\n"),
            case.label(),
            why
        )
    } else {
        format!(
            "Name suggestions from **confab's offline assistant**:\n\n{}\n\nConvention: **{}** — {}. Configure a language model for suggestions that weigh more context.",
            lines.join("\n"),
            case.label(),
            why
        )
    }
}

/// Up to six list lines, one per distinct non-empty name in `case`, with its reason.
fn suggestion_lines(candidates: Vec<Candidate>, case: Case, ko: bool) -> Vec<String> {
    let mut seen = Vec::new();
    let mut lines = Vec::new();
    for candidate in candidates {
        let name = convert(&candidate.words, case);
        if name.is_empty() || seen.contains(&name) {
            continue;
        }
        let why = if ko { candidate.ko } else { candidate.en };
        lines.push(format!("- `{name}` — {why}"));
        seen.push(name);
        if lines.len() == 6 {
            break;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    proptest::proptest! {
        /// The hand-written tokenizer and recommender take any text and any settings'
        /// language and convention: an answer every time, the same answer for the same
        /// request, never a panic.
        #[test]
        fn any_request_gets_the_same_answer_and_never_a_panic(
            text in "(?s).{0,200}",
            language in "[a-zA-Z+#]{0,12}",
            convention in "[a-zA-Z_-]{0,16}",
            ko in proptest::bool::ANY,
        ) {
            let settings = json!({"language": language, "convention": convention});
            let first = answer(&text, &settings, ko);
            proptest::prop_assert!(!first.is_empty());
            proptest::prop_assert_eq!(first, answer(&text, &settings, ko));
            let _ = looks_like_naming_request(&text);
        }
    }

    #[test]
    fn english_and_korean_requests_give_the_same_kind_of_names() {
        let en = answer(
            "recommend names for a function that multiplies two numbers",
            &json!({"language": "python"}),
            false,
        );
        assert!(
            en.contains("`multiply`")
                && en.contains("`calculate_product`")
                && en.contains("snake_case"),
            "{en}"
        );
        let ko = answer(
            "두 수를 곱하는 함수 이름 추천해줘",
            &json!({"language": "JavaScript"}),
            true,
        );
        assert!(
            ko.contains("`multiply`")
                && ko.contains("`calculateProduct`")
                && ko.contains("camelCase"),
            "{ko}"
        );
    }

    #[test]
    fn an_explicit_convention_wins_and_kinds_are_detected() {
        let kebab = answer(
            "function that multiplies two numbers",
            &json!({"language": "python", "convention": "kebab-case"}),
            false,
        );
        assert!(kebab.contains("`calculate-product`"), "{kebab}");
        let boolean = answer(
            "boolean for whether the user is active",
            &json!({"language": "java"}),
            false,
        );
        assert!(
            boolean.contains("`isUserActive`") || boolean.contains("`isUser"),
            "{boolean}"
        );
        let class = answer(
            "class that stores orders",
            &json!({"language": "python"}),
            false,
        );
        assert!(class.contains("`Order"), "{class}");
        let constant = answer("상수: 최대 재시도 횟수", &json!({"language": "go"}), true);
        assert!(constant.contains("SCREAMING_SNAKE_CASE"), "{constant}");
    }
}
