//! Naming conventions: joining words in a case, and choosing the case for a room (its
//! `convention` setting, else the idiom of its `language`).

use serde_json::Value;

use super::Kind;

/// A naming convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Camel,
    Snake,
    Pascal,
    Kebab,
    Screaming,
}

impl Case {
    pub(super) fn label(self) -> &'static str {
        match self {
            Case::Camel => "camelCase",
            Case::Snake => "snake_case",
            Case::Pascal => "PascalCase",
            Case::Kebab => "kebab-case",
            Case::Screaming => "SCREAMING_SNAKE_CASE",
        }
    }
}

/// Joins lower-case words in a convention.
pub fn convert(words: &[String], case: Case) -> String {
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    match case {
        Case::Snake => words.join("_"),
        Case::Kebab => words.join("-"),
        Case::Screaming => words.join("_").to_uppercase(),
        Case::Pascal => words.iter().map(|w| cap(w)).collect(),
        Case::Camel => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { cap(w) })
            .collect(),
    }
}

/// The case for a kind of name in a room, and why (shown to the user).
pub(super) fn case_for(settings: &Value, kind: Kind) -> (Case, String) {
    let convention = settings
        .get("convention")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let language = settings
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let named = [
        ("screaming", Case::Screaming),
        ("upper", Case::Screaming),
        ("snake", Case::Snake),
        ("kebab", Case::Kebab),
        ("pascal", Case::Pascal),
        ("upper camel", Case::Pascal),
        ("camel", Case::Camel),
    ];
    if let Some((_, case)) = named.iter().find(|(k, _)| convention.contains(k)) {
        return (*case, format!("the room's convention ({})", case.label()));
    }
    match kind {
        Kind::Class => {
            return (
                Case::Pascal,
                "type names are PascalCase in almost every language".into(),
            );
        }
        Kind::Constant => {
            return (
                Case::Screaming,
                "constants are SCREAMING_SNAKE_CASE by common convention".into(),
            );
        }
        _ => {}
    }
    let lang = language.trim();
    let case = if ["python", "rust", "ruby", "php", "sql", "elixir"]
        .iter()
        .any(|l| lang.starts_with(l))
    {
        Case::Snake
    } else if ["css", "scss", "html", "lisp", "clojure"]
        .iter()
        .any(|l| lang.starts_with(l))
    {
        Case::Kebab
    } else if (lang.starts_with("c#") || lang.starts_with("csharp") || lang.starts_with(".net"))
        && kind == Kind::Function
    {
        Case::Pascal
    } else {
        Case::Camel
    };
    let shown = if lang.is_empty() {
        "the default".to_owned()
    } else {
        language.trim().to_owned()
    };
    (case, format!("the usual style for {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_case_converts() {
        let w = words(&["multiply", "two", "numbers"]);
        assert_eq!(convert(&w, Case::Camel), "multiplyTwoNumbers");
        assert_eq!(convert(&w, Case::Snake), "multiply_two_numbers");
        assert_eq!(convert(&w, Case::Pascal), "MultiplyTwoNumbers");
        assert_eq!(convert(&w, Case::Kebab), "multiply-two-numbers");
        assert_eq!(convert(&w, Case::Screaming), "MULTIPLY_TWO_NUMBERS");
    }
}
