//! The recommender's table: Korean and English requests, each with the room's language
//! (and convention) and the name that must come first.

use super::*;
use serde_json::json;

mod table;

use table::TABLE;

#[test]
fn the_table_of_requests_gets_its_expected_best_name() {
    let mut failures = Vec::new();
    for (text, language, convention, best) in TABLE {
        let settings = json!({"language": language, "convention": convention});
        let s = suggest(text, &settings);
        let names: Vec<&str> = s.names.iter().map(|n| n.name.as_str()).collect();
        if names.first() != Some(best) {
            failures.push(format!(
                "{text} ({language}): expected {best}, got {names:?}"
            ));
        }
        if !(3..=MAX_CANDIDATES).contains(&names.len()) {
            failures.push(format!(
                "{text} ({language}): {} candidates {names:?}",
                names.len()
            ));
        }
    }
    assert!(TABLE.len() >= 40);
    let korean = TABLE
        .iter()
        .filter(|r| r.0.chars().any(parse::is_hangul))
        .count();
    assert!(korean >= 20 && TABLE.len() - korean >= 15);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_reason_is_one_line_and_korean_answers_are_all_korean() {
    for (text, language, convention, _) in TABLE {
        let settings = json!({"language": language, "convention": convention});
        for n in suggest(text, &settings).names {
            for why in [&n.ko, &n.en] {
                assert!(
                    !why.is_empty() && !why.contains('\n') && why.chars().count() <= 80,
                    "{why}"
                );
            }
            assert!(n.ko.chars().any(parse::is_hangul), "{}", n.ko);
        }
        let ko = answer(text, &settings, true);
        // Outside code spans, a Korean answer has no English sentence: at most a language
        // name and the words inside backticks.
        let prose: String = ko
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect();
        let latin_words: Vec<&str> = prose
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1)
            .collect();
        assert!(
            latin_words.iter().all(|w| [
                "confab",
                "Python",
                "JavaScript",
                "TypeScript",
                "Java",
                "Go",
                "Rust",
                "Kotlin",
                "SQL",
                "Swift",
                "Ruby",
                "Dart",
                "PHP"
            ]
            .contains(w)),
            "English in a Korean answer: {latin_words:?}\n{ko}"
        );
    }
}

#[test]
fn the_answer_lists_names_as_numbered_code_with_reasons() {
    let en = answer(
        "function that sorts users by signup date",
        &json!({"language": "Python"}),
        false,
    );
    assert!(en.starts_with("Names for a **Python** function:"), "{en}");
    assert!(
        en.contains("1. `sort_users_by_signup_date` — verb + object + criterion"),
        "{en}"
    );
    assert!(en.contains("`snake_case`"), "{en}");
    let ko = answer(
        "HTTP 요청 재시도 횟수 상수 이름",
        &json!({"language": "Python"}),
        true,
    );
    assert!(ko.starts_with("**Python** 상수 이름 추천이에요."), "{ko}");
    assert!(ko.contains("1. `HTTP_REQUEST_RETRY_COUNT` — "), "{ko}");
    assert!(ko.contains("`MAX_HTTP_REQUEST_RETRIES`"), "{ko}");
    assert!(ko.contains("`SCREAMING_SNAKE_CASE`"), "{ko}");
}

#[test]
fn looks_like_naming_requests() {
    assert!(looks_like_naming_request("변수명 추천해줘"));
    assert!(looks_like_naming_request("recommend a name for a function"));
    assert!(!looks_like_naming_request("오늘 날씨 어때?"));
}

proptest::proptest! {
    /// Any text and any settings: an answer every time, the same for the same request,
    /// never a panic.
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

    /// Korean-ish text with dictionary words, particles and endings in any order.
    #[test]
    fn korean_word_salad_never_panics(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "사용자", "목록을", "가입일", "순으로", "정렬하는", "함수", "이름", "상수", "인지",
            "여부", "에서", "로", "HTTP", "세는", "찾", "별로", "가", "를", " ", "재시도횟수",
        ]), 0..12),
    ) {
        let text = parts.concat();
        let s = suggest(&text, &json!({"language": "Go"}));
        proptest::prop_assert!(s.names.len() <= MAX_CANDIDATES);
    }
}

#[test]
#[ignore = "prints every answer of the table for reading"]
fn print_the_table() {
    for (text, language, convention, _) in TABLE {
        let settings = json!({"language": language, "convention": convention});
        let ko = text.chars().any(parse::is_hangul);
        println!("## {text} ({language})\n{}\n", answer(text, &settings, ko));
    }
}
