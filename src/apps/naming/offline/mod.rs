//! Offline identifier recommendations: what a developer would name it, without a model.
//!
//! 1. **Read the request** ([`parse`]): the kind of identifier (function, variable,
//!    constant, boolean, class, file), the verb (정렬/sort, 계산/calculate, 조회/get,
//!    검증/validate, 변환/convert…), the object and the qualifiers (가입일 순 → by signup
//!    date), through the dictionary of developer terms in `data/naming/terms.json`
//!    ([`dict`]).
//! 2. **Candidates** ([`candidates`]): verb-first functions with the usual alternative
//!    verbs, is/has/can/should booleans, agent-noun classes (`OrderRepository`),
//!    SCREAMING constants with MAX/DEFAULT variants, nouns for variables, file names with
//!    their extension; 3 to 5, best first, each with a one-line reason in Korean and in
//!    English.
//! 3. **Case** ([`style`]): the room's convention for functions and variables when it
//!    names one, else the language's idiom (Python `snake_case`, JavaScript `camelCase`,
//!    Go MixedCaps with upper-case initialisms and no SCREAMING constants, C# `PascalCase`
//!    methods and constants, SQL `snake_case` columns, …).

mod candidates;
mod dict;
mod parse;
mod style;

use serde_json::Value;

pub use dict::check;
pub use parse::{Kind, is_hangul};
pub use style::{Case, Lang, Style};

/// One recommended name with its reason in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub name: String,
    pub ko: String,
    pub en: String,
}

/// What the offline recommender makes of a request.
#[derive(Clone, Debug)]
pub struct Suggestions {
    pub kind: Kind,
    /// The case the main kind is written in, and whether the room's convention chose it.
    pub case: Case,
    pub by_convention: bool,
    pub lang: Lang,
    /// 3 to 5 names, best first.
    pub names: Vec<Suggestion>,
}

/// The most names an answer lists.
pub const MAX_CANDIDATES: usize = 5;

/// Whether a free-text message asks for a name.
pub fn looks_like_naming_request(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "name for",
        "names for",
        "naming",
        "what should i call",
        "변수명",
        "함수명",
        "상수명",
        "클래스명",
        "이름 추천",
        "이름을 추천",
        "이름 지어",
        "이름을 지어",
        "이름 뭐",
        "네이밍",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

/// The recommender's reading of `text` for a room's settings.
pub fn suggest(text: &str, settings: &Value) -> Suggestions {
    let style = Style::from_settings(settings);
    let Some(dict) = dict::get() else {
        // Start-up refuses a broken dictionary; this keeps the type total.
        return Suggestions {
            kind: Kind::Function,
            case: Case::Camel,
            by_convention: false,
            lang: style.lang,
            names: Vec::new(),
        };
    };
    let request = parse::parse(text, dict);
    let kind = request.kind();
    let (case, by_convention) = style.case_for(kind);
    let mut names: Vec<Suggestion> = Vec::new();
    for c in candidates::candidates(&request, dict, style) {
        let case = if c.exported {
            Case::Pascal
        } else {
            style.case_for(c.kind).0
        };
        let name = format!("{}{}", style::convert(&c.words, case, style.lang), c.suffix);
        if name.is_empty() || names.iter().any(|n| n.name == name) {
            continue;
        }
        names.push(Suggestion {
            name,
            ko: c.ko,
            en: c.en,
        });
        if names.len() == MAX_CANDIDATES {
            break;
        }
    }
    Suggestions {
        kind,
        case,
        by_convention,
        lang: style.lang,
        names,
    }
}

fn kind_label(kind: Kind, lang: Lang, ko: bool) -> &'static str {
    let typed = matches!(lang, Lang::Go | Lang::Rust | Lang::C);
    match (kind, ko) {
        (Kind::Class, true) if typed => "타입",
        (Kind::Class, false) if typed => "type",
        (Kind::Class, true) if lang == Lang::Sql => "테이블",
        (Kind::Class, false) if lang == Lang::Sql => "table",
        (Kind::Variable, true) if lang == Lang::Sql => "컬럼",
        (Kind::Variable, false) if lang == Lang::Sql => "column",
        (Kind::Function, true) => "함수",
        (Kind::Variable, true) => "변수",
        (Kind::Constant, true) => "상수",
        (Kind::Boolean, true) => "불리언",
        (Kind::Class, true) => "클래스",
        (Kind::File, true) => "파일",
        (Kind::Function, false) => "function",
        (Kind::Variable, false) => "variable",
        (Kind::Constant, false) => "constant",
        (Kind::Boolean, false) => "boolean",
        (Kind::Class, false) => "class",
        (Kind::File, false) => "file",
    }
}

/// The names as a Markdown list: `1. `name` — reason`, the format the UI turns into chips.
pub fn list_markdown<'a>(names: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    names
        .enumerate()
        .map(|(i, (name, why))| format!("{}. `{name}` — {why}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The naming assistant's offline answer, entirely in the user's language.
pub fn answer(text: &str, settings: &Value, ko: bool) -> String {
    let s = suggest(text, settings);
    let lang = s.lang.display();
    let typed = settings
        .get("language")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let kind = kind_label(s.kind, s.lang, ko);
    let head = match (lang.or(typed), ko) {
        (Some(l), true) => format!("**{l}** {kind} 이름 추천이에요."),
        (None, true) => format!("{kind} 이름 추천이에요."),
        (Some(l), false) => format!("Names for a **{l}** {kind}:"),
        (None, false) => format!("Names for a {kind}:"),
    };
    let why = match (s.by_convention, lang, ko) {
        (true, _, true) => "방에서 정한 규칙".to_owned(),
        (true, _, false) => "the room's convention".to_owned(),
        (false, Some(l), true) => format!("{l} {kind} 이름의 관례"),
        (false, Some(l), false) => format!("the usual style for a {l} {kind}"),
        (false, None, true) => "언어를 알 수 없어 가장 흔한 표기".to_owned(),
        (false, None, false) => "the most common style (no known language)".to_owned(),
    };
    let rule = if ko {
        format!("표기법: `{}` — {why}", s.case.label())
    } else {
        format!("Case: `{}` — {why}", s.case.label())
    };
    let list = list_markdown(s.names.iter().map(|n| {
        (
            n.name.as_str(),
            if ko { n.ko.as_str() } else { n.en.as_str() },
        )
    }));
    let note = if ko {
        "_언어 모델 없이 confab에 내장된 사전과 규칙으로 추천했어요._"
    } else {
        "_Suggested from confab's built-in dictionary and rules, without a language model._"
    };
    format!("{head} {rule}\n\n{list}\n\n{note}")
}

#[cfg(test)]
mod tests;
