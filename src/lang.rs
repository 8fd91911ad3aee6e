//! The two UI languages and text in both: the leaf every layer may use.

use serde::Serialize;
use utoipa::ToSchema;

/// A language confab speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Ko,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ko => "ko",
            Language::En => "en",
        }
    }

    /// Parses a stored or requested language (`ko` or `en`).
    pub fn parse(raw: &str) -> Option<Language> {
        match raw {
            "ko" => Some(Language::Ko),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The first of `ko`/`en` in an `Accept-Language` value, if any.
    pub fn from_accept_language(accept: &str) -> Option<Language> {
        accept.split(',').find_map(|tag| {
            let tag = tag.split(';').next().unwrap_or("").trim().to_lowercase();
            if tag.starts_with("ko") {
                Some(Language::Ko)
            } else if tag.starts_with("en") {
                Some(Language::En)
            } else {
                None
            }
        })
    }
}

/// Text in both UI languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Localized {
    pub ko: &'static str,
    pub en: &'static str,
}

impl Localized {
    pub const fn new(ko: &'static str, en: &'static str) -> Localized {
        Localized { ko, en }
    }

    /// The text in one language.
    pub fn get(&self, lang: Language) -> &'static str {
        match lang {
            Language::Ko => self.ko,
            Language::En => self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_supported_tag() {
        assert_eq!(
            Language::from_accept_language("fr-FR, en-US;q=0.8, ko;q=0.5"),
            Some(Language::En)
        );
        assert_eq!(
            Language::from_accept_language("ko-KR,ko;q=0.9"),
            Some(Language::Ko)
        );
        assert_eq!(Language::from_accept_language("de, fr"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn localized_text_is_chosen_by_language() {
        let text = Localized::new("안녕하세요", "Hello");
        assert_eq!(text.get(Language::Ko), "안녕하세요");
        assert_eq!(text.get(Language::En), "Hello");
    }
}
