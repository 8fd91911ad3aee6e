//! The interview's request bodies and their checked forms: a session start ([`Start`]),
//! a cheat sheet ([`Sheet`]), a starred question ([`Star`]) and an answer
//! ([`AnswerText`]). Each `parse` reports every bad field at once (`FieldErrors`), with
//! the codes the UI translates (`required`, `too_long`, `not_one_of`, `out_of_range`).

use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Difficulty, Language, choose_language, parse_career, parse_field};
use crate::error::{Error, FieldErrors, Problem, Result, required_text};

/// Questions in a session unless asked otherwise, and the most allowed.
pub const SESSION_DEFAULT_COUNT: u32 = 10;
pub const SESSION_MAX_COUNT: u32 = 10;
/// Cheat-sheet items unless asked otherwise, and the most allowed.
pub const SHEET_DEFAULT_COUNT: i64 = 2;
pub const SHEET_MAX_COUNT: i64 = 10;
/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 5000;
/// Longest texts of a starred question, in characters.
pub const MAX_QUESTION: usize = 500;
pub const MAX_INTENT: usize = 2000;
pub const MAX_MODEL_ANSWER: usize = 10_000;
pub const MAX_SOURCE: usize = 200;

/// A count of 1..=`max`, `default` when absent.
fn count(raw: Option<i64>, default: i64, max: i64) -> std::result::Result<usize, Problem> {
    match raw {
        None => Ok(default as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(_) => Err(Problem::out_of_range(1, max)),
    }
}

/// Starting a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartSession {
    /// A field id from the catalog.
    pub field: String,
    /// A career level id from the catalog.
    pub career: String,
    /// 1–10, default 10.
    pub count: Option<i64>,
    /// `ko` or `en`; default from `Accept-Language`, else Korean.
    pub language: Option<String>,
}

/// A checked session start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub field: &'static str,
    pub career: &'static str,
    /// 1–[`SESSION_MAX_COUNT`].
    pub count: usize,
    /// The requested language, else the first of `ko`/`en` in `Accept-Language`, else Korean.
    pub language: Language,
}

impl Start {
    pub fn parse(body: &StartSession, headers: &HeaderMap) -> Result<Start> {
        let mut fields = FieldErrors::new();
        let field = fields.take(parse_field(&body.field))?;
        let career = fields.take(parse_career(&body.career))?;
        let count = fields.check(
            "count",
            count(
                body.count,
                i64::from(SESSION_DEFAULT_COUNT),
                i64::from(SESSION_MAX_COUNT),
            ),
        );
        let language = fields.take(choose_language(body.language.as_deref(), headers))?;
        fields.finish()?;
        let (Some(field), Some(career), Some(count), Some(language)) =
            (field, career, count, language)
        else {
            return Err(Error::internal(
                "start input failed without a field problem",
            ));
        };
        Ok(Start {
            field,
            career,
            count,
            language,
        })
    }
}

/// A cheat sheet request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheatsheetInput {
    /// A field id from the catalog.
    pub field: String,
    /// 1–10, default 2.
    pub count: Option<i64>,
    /// `ko` or `en`; default from `Accept-Language`, else Korean.
    pub language: Option<String>,
}

/// A checked cheat-sheet request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sheet {
    pub field: &'static str,
    /// 1–[`SHEET_MAX_COUNT`].
    pub count: usize,
    pub language: Language,
}

impl Sheet {
    pub fn parse(body: &CheatsheetInput, headers: &HeaderMap) -> Result<Sheet> {
        let mut fields = FieldErrors::new();
        let field = fields.take(parse_field(&body.field))?;
        let count = fields.check(
            "count",
            count(body.count, SHEET_DEFAULT_COUNT, SHEET_MAX_COUNT),
        );
        let language = fields.take(choose_language(body.language.as_deref(), headers))?;
        fields.finish()?;
        let (Some(field), Some(count), Some(language)) = (field, count, language) else {
            return Err(Error::internal(
                "cheat sheet input failed without a field problem",
            ));
        };
        Ok(Sheet {
            field,
            count,
            language,
        })
    }
}

/// A question to star.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddFavorite {
    /// A field id from the catalog.
    pub field: String,
    /// `easy`, `medium`, `hard` (or 하, 중, 상).
    pub difficulty: String,
    /// 1–500 characters.
    pub question: String,
    pub intent: String,
    pub model_answer: String,
    /// Where it came from, e.g. `session:<id>` or `cheatsheet`.
    pub source: Option<String>,
}

/// A checked question to star; texts are trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Star<'a> {
    pub field: &'static str,
    pub difficulty: Difficulty,
    pub question: &'a str,
    pub intent: &'a str,
    pub model_answer: &'a str,
    /// `None` when absent or blank.
    pub source: Option<&'a str>,
}

impl<'a> Star<'a> {
    pub fn parse(body: &'a AddFavorite) -> Result<Star<'a>> {
        let mut fields = FieldErrors::new();
        let field = fields.take(parse_field(&body.field))?;
        let difficulty = fields.check(
            "difficulty",
            Difficulty::parse(&body.difficulty)
                .ok_or_else(|| Problem::not_one_of(&["easy", "medium", "hard", "하", "중", "상"])),
        );
        let question = fields.check("question", required_text(&body.question, MAX_QUESTION));
        let intent = fields.check("intent", required_text(&body.intent, MAX_INTENT));
        let model_answer = fields.check(
            "model_answer",
            required_text(&body.model_answer, MAX_MODEL_ANSWER),
        );
        let source = body
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(s) = source
            && (s.chars().count() > MAX_SOURCE || s.chars().any(char::is_control))
        {
            fields.add("source", Problem::too_long(MAX_SOURCE));
        }
        fields.finish()?;
        let (Some(field), Some(difficulty), Some(question), Some(intent), Some(model_answer)) =
            (field, difficulty, question, intent, model_answer)
        else {
            return Err(Error::internal(
                "favourite input failed without a field problem",
            ));
        };
        Ok(Star {
            field,
            difficulty,
            question,
            intent,
            model_answer,
            source,
        })
    }
}

/// An answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// 1–5,000 characters.
    pub answer: String,
}

/// A checked answer: present and at most [`MAX_ANSWER_CHARS`] characters (counted
/// before trimming); the text is trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerText<'a>(&'a str);

impl<'a> AnswerText<'a> {
    pub fn parse(raw: &'a str) -> Result<AnswerText<'a>> {
        let mut fields = FieldErrors::new();
        let text = fields.check("answer", required_text(raw, MAX_ANSWER_CHARS));
        fields.finish()?;
        text.map(AnswerText)
            .ok_or_else(|| Error::internal("answer input failed without a field problem"))
    }

    pub fn as_str(self) -> &'a str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use axum::http::header::ACCEPT_LANGUAGE;

    use super::*;

    /// The field problems of a validation error, as (field, code), in field order.
    fn codes<T: std::fmt::Debug>(result: Result<T>) -> Vec<(String, &'static str)> {
        match result {
            Err(Error::Validation { fields }) => fields
                .names()
                .map(|n| (n.to_owned(), fields.get(n).map_or("", |p| p.code)))
                .collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn message<T: std::fmt::Debug>(result: Result<T>, field: &str) -> String {
        match result {
            Err(Error::Validation { fields }) => fields.get(field).expect(field).message.clone(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn one(field: &str, code: &'static str) -> Vec<(String, &'static str)> {
        vec![(field.to_owned(), code)]
    }

    fn start(field: &str, career: &str, count: Option<i64>, lang: Option<&str>) -> StartSession {
        StartSession {
            field: field.into(),
            career: career.into(),
            count,
            language: lang.map(str::to_owned),
        }
    }

    fn english() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().expect("header"));
        headers
    }

    #[test]
    fn a_start_takes_defaults_from_the_catalog_and_the_headers() {
        let none = HeaderMap::new();
        assert_eq!(
            Start::parse(&start("backend", "junior", None, None), &none).expect("valid"),
            Start {
                field: "backend",
                career: "junior",
                count: 10,
                language: Language::Ko,
            }
        );
        let s = Start::parse(&start("devops", "senior", Some(1), None), &english()).expect("ok");
        assert_eq!((s.count, s.language), (1, Language::En));
        let s = Start::parse(&start("mobile", "mid", Some(10), Some(" ko ")), &english());
        assert_eq!(s.expect("ok").language, Language::Ko);
    }

    #[test]
    fn a_start_names_each_bad_field() {
        let h = HeaderMap::new();
        let bad_field = Start::parse(&start("gardening", "junior", None, None), &h);
        assert_eq!(codes(bad_field), one("field", "not_one_of"));
        let bad_career = Start::parse(&start("backend", "intern", None, None), &h);
        assert_eq!(
            message(bad_career, "career"),
            "must be one of: new-grad, junior, mid, senior"
        );
        for n in [0, 11, -1] {
            let bad_count = Start::parse(&start("backend", "junior", Some(n), None), &h);
            assert_eq!(
                message(bad_count, "count"),
                "must be a whole number from 1 to 10"
            );
        }
        let bad_language = Start::parse(&start("backend", "junior", None, Some("fr")), &h);
        assert_eq!(codes(bad_language), one("language", "not_one_of"));
    }

    #[test]
    fn a_start_reports_every_bad_field_together() {
        let all_bad = Start::parse(&start("", "", Some(99), Some("de")), &english());
        assert_eq!(
            codes(all_bad),
            [
                ("career".to_owned(), "not_one_of"),
                ("count".to_owned(), "out_of_range"),
                ("field".to_owned(), "not_one_of"),
                ("language".to_owned(), "not_one_of"),
            ]
        );
    }

    fn sheet(field: &str, count: Option<i64>, lang: Option<&str>) -> CheatsheetInput {
        CheatsheetInput {
            field: field.into(),
            count,
            language: lang.map(str::to_owned),
        }
    }

    #[test]
    fn a_sheet_defaults_to_two_items_and_allows_up_to_ten() {
        let h = HeaderMap::new();
        assert_eq!(
            Sheet::parse(&sheet("frontend", None, None), &h).expect("valid"),
            Sheet {
                field: "frontend",
                count: 2,
                language: Language::Ko,
            }
        );
        let s = Sheet::parse(&sheet("data-ai", Some(10), Some("en")), &h).expect("valid");
        assert_eq!((s.count, s.language), (10, Language::En));
    }

    #[test]
    fn a_sheet_names_each_bad_field_and_reports_them_together() {
        let h = HeaderMap::new();
        assert_eq!(
            codes(Sheet::parse(&sheet("nope", None, None), &h)),
            one("field", "not_one_of")
        );
        assert_eq!(
            message(Sheet::parse(&sheet("backend", Some(11), None), &h), "count"),
            "must be a whole number from 1 to 10"
        );
        assert_eq!(
            codes(Sheet::parse(&sheet("backend", Some(0), None), &h)),
            one("count", "out_of_range")
        );
        assert_eq!(
            codes(Sheet::parse(&sheet("backend", None, Some("jp")), &h)),
            one("language", "not_one_of")
        );
        assert_eq!(
            codes(Sheet::parse(&sheet("nope", Some(0), Some("jp")), &h)),
            [
                ("count".to_owned(), "out_of_range"),
                ("field".to_owned(), "not_one_of"),
                ("language".to_owned(), "not_one_of"),
            ]
        );
    }

    fn favorite() -> AddFavorite {
        AddFavorite {
            field: "backend".into(),
            difficulty: "상".into(),
            question: "  What is idempotence?  ".into(),
            intent: " HTTP semantics ".into(),
            model_answer: "Same effect when repeated.".into(),
            source: Some(" cheatsheet ".into()),
        }
    }

    #[test]
    fn a_star_trims_its_texts_and_reads_either_difficulty_name() {
        let body = favorite();
        assert_eq!(
            Star::parse(&body).expect("valid"),
            Star {
                field: "backend",
                difficulty: Difficulty::Hard,
                question: "What is idempotence?",
                intent: "HTTP semantics",
                model_answer: "Same effect when repeated.",
                source: Some("cheatsheet"),
            }
        );
        let body = AddFavorite {
            difficulty: "Easy".into(),
            source: Some("   ".into()),
            ..favorite()
        };
        let star = Star::parse(&body).expect("valid");
        assert_eq!((star.difficulty, star.source), (Difficulty::Easy, None));
        let body = AddFavorite {
            source: None,
            ..favorite()
        };
        assert_eq!(Star::parse(&body).expect("valid").source, None);
    }

    #[test]
    fn a_star_names_each_bad_field() {
        let cases: Vec<(AddFavorite, &str, &str)> = vec![
            (
                AddFavorite {
                    field: "x".into(),
                    ..favorite()
                },
                "field",
                "not_one_of",
            ),
            (
                AddFavorite {
                    difficulty: "extreme".into(),
                    ..favorite()
                },
                "difficulty",
                "not_one_of",
            ),
            (
                AddFavorite {
                    question: " ".into(),
                    ..favorite()
                },
                "question",
                "required",
            ),
            (
                AddFavorite {
                    question: "q".repeat(MAX_QUESTION + 1),
                    ..favorite()
                },
                "question",
                "too_long",
            ),
            (
                AddFavorite {
                    intent: String::new(),
                    ..favorite()
                },
                "intent",
                "required",
            ),
            (
                AddFavorite {
                    model_answer: "a".repeat(MAX_MODEL_ANSWER + 1),
                    ..favorite()
                },
                "model_answer",
                "too_long",
            ),
            (
                AddFavorite {
                    source: Some("s".repeat(MAX_SOURCE + 1)),
                    ..favorite()
                },
                "source",
                "too_long",
            ),
            (
                AddFavorite {
                    source: Some("session:\u{7}".into()),
                    ..favorite()
                },
                "source",
                "too_long",
            ),
        ];
        for (body, field, code) in cases {
            assert_eq!(codes(Star::parse(&body)), one(field, code), "{body:?}");
        }
        let body = AddFavorite {
            difficulty: "x".into(),
            ..favorite()
        };
        assert_eq!(
            message(Star::parse(&body), "difficulty"),
            "must be one of: easy, medium, hard, 하, 중, 상"
        );
    }

    #[test]
    fn a_star_reports_every_bad_field_together() {
        let body = AddFavorite {
            field: String::new(),
            difficulty: String::new(),
            question: String::new(),
            intent: "i".repeat(MAX_INTENT + 1),
            model_answer: "\n".into(),
            source: Some("s".repeat(MAX_SOURCE + 1)),
        };
        assert_eq!(
            codes(Star::parse(&body)),
            [
                ("difficulty".to_owned(), "not_one_of"),
                ("field".to_owned(), "not_one_of"),
                ("intent".to_owned(), "too_long"),
                ("model_answer".to_owned(), "required"),
                ("question".to_owned(), "required"),
                ("source".to_owned(), "too_long"),
            ]
        );
    }

    #[test]
    fn an_answer_is_trimmed_required_and_at_most_5000_characters() {
        assert_eq!(
            AnswerText::parse("  PUT replaces.\n")
                .expect("valid")
                .as_str(),
            "PUT replaces."
        );
        let longest = "가".repeat(MAX_ANSWER_CHARS);
        assert_eq!(
            AnswerText::parse(&longest).expect("valid").as_str(),
            longest
        );
        assert_eq!(codes(AnswerText::parse(" \n\t")), one("answer", "required"));
        assert_eq!(
            message(
                AnswerText::parse(&"a".repeat(MAX_ANSWER_CHARS + 1)),
                "answer"
            ),
            "must be at most 5000 characters"
        );
        // The limit counts the text as sent, surrounding spaces included.
        let padded = format!(" {} ", "a".repeat(MAX_ANSWER_CHARS - 1));
        assert_eq!(codes(AnswerText::parse(&padded)), one("answer", "too_long"));
    }
}
