//! Retrieval over the shipped interview question bank.
//!
//! Text is normalised (lower-cased, punctuation removed) into English word tokens
//! (stop-words dropped) and Korean character bigrams; an entry's score is the overlap of
//! the query's tokens with its question, keywords and key points (question and keywords
//! weigh double), divided by the query's token count. Entries under 0.15 do not match.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;

/// Text in both languages.
#[derive(Debug, Clone, Deserialize)]
pub struct Bilingual {
    pub ko: String,
    pub en: String,
}

impl Bilingual {
    pub fn get(&self, ko: bool) -> &str {
        if ko { &self.ko } else { &self.en }
    }
}

/// One bank entry.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub id: String,
    pub field: String,
    pub levels: Vec<String>,
    pub difficulty: String,
    pub question: Bilingual,
    pub intent: Bilingual,
    pub model_answer: Bilingual,
    pub key_points: Vec<Bilingual>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub follow_up: Option<Bilingual>,
}

static BANK_JSON: &str = include_str!("../../../data/interview/starter-bank.json");

/// The bank (empty if the shipped file could not be read, which a test rules out).
pub fn bank() -> &'static [Entry] {
    static BANK: OnceLock<Vec<Entry>> = OnceLock::new();
    BANK.get_or_init(|| serde_json::from_str(BANK_JSON).unwrap_or_default())
}

const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "is",
    "are",
    "what",
    "whats",
    "how",
    "why",
    "do",
    "does",
    "of",
    "in",
    "on",
    "and",
    "or",
    "to",
    "between",
    "difference",
    "explain",
    "please",
    "you",
    "your",
    "i",
    "me",
    "it",
    "for",
    "with",
    "can",
    "about",
];

/// Tokens of a text: English words and Korean bigrams.
pub fn tokens(text: &str) -> HashSet<String> {
    let lower = text.to_lowercase();
    let cleaned: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut out = HashSet::new();
    for word in cleaned.split_whitespace() {
        if word.chars().all(|c| c.is_ascii_alphanumeric()) {
            if word.len() > 1 && !STOP.contains(&word) {
                out.insert(word.trim_end_matches('s').to_owned());
            }
        } else {
            let chars: Vec<char> = word.chars().collect();
            for pair in chars.windows(2) {
                out.insert(pair.iter().collect());
            }
        }
    }
    out
}

fn score(query: &HashSet<String>, entry: &Entry) -> f64 {
    if query.is_empty() {
        return 0.0;
    }
    let mut strong = tokens(&format!("{} {}", entry.question.ko, entry.question.en));
    for k in &entry.keywords {
        strong.extend(tokens(k));
    }
    let mut weak = HashSet::new();
    for k in &entry.key_points {
        weak.extend(tokens(&format!("{} {}", k.ko, k.en)));
    }
    let hits: f64 = query
        .iter()
        .map(|t| {
            if strong.contains(t) {
                2.0
            } else if weak.contains(t) {
                1.0
            } else {
                0.0
            }
        })
        .sum();
    hits / (2.0 * query.len() as f64)
}

/// The best entries for a query, best first.
pub fn search(text: &str, max: usize) -> Vec<&'static Entry> {
    let query = tokens(text);
    let mut scored: Vec<(f64, &Entry)> = bank()
        .iter()
        .map(|e| (score(&query, e), e))
        .filter(|(s, _)| *s >= 0.15)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    scored.into_iter().take(max).map(|(_, e)| e).collect()
}

/// The single best entry, if any matches.
pub fn best_match(text: &str) -> Option<&'static Entry> {
    search(text, 1).into_iter().next()
}

/// Entries as Markdown, quoting their model answers.
pub fn render_entries(entries: &[&Entry], ko: bool) -> String {
    let mut out = String::new();
    for e in entries {
        let points: Vec<&str> = e.key_points.iter().map(|k| k.get(ko)).collect();
        if ko {
            out.push_str(&format!(
                "**{}** (`{}`, 난이도 {})\n\n{}\n\n*핵심*: {}\n\n*질문 의도*: {}\n\n",
                e.question.ko,
                e.id,
                e.difficulty,
                e.model_answer.ko,
                points.join(", "),
                e.intent.ko
            ));
        } else {
            let level = match e.difficulty.as_str() {
                "상" => "hard",
                "중" => "medium",
                _ => "easy",
            };
            out.push_str(&format!(
                "**{}** (`{}`, {level})\n\n{}\n\n*Key points*: {}\n\n*Why interviewers ask*: {}\n\n",
                e.question.en, e.id, e.model_answer.en, points.join(", "), e.intent.en
            ));
        }
    }
    out.trim_end().to_owned()
}

/// The tech-interview assistant's offline answer.
pub fn answer(text: &str, ko: bool) -> String {
    let found = search(text, 2);
    if found.is_empty() {
        let examples: Vec<&str> = bank()
            .iter()
            .step_by(3)
            .take(4)
            .map(|e| e.question.get(ko))
            .collect();
        let list = examples
            .iter()
            .map(|q| format!("- {q}"))
            .collect::<Vec<_>>()
            .join("\n");
        return if ko {
            format!(
                "confab 오프라인 도우미입니다. 내장 질문 은행에서 이 질문과 맞는 항목을 찾지 못했어요. 이런 주제는 답할 수 있어요:\n\n{list}\n\n언어 모델을 설정하면 어떤 질문이든 답할 수 있습니다."
            )
        } else {
            format!(
                "This is confab's offline assistant. Nothing in the built-in question bank matches this question. Topics it knows include:\n\n{list}\n\nConfigure a language model to ask anything."
            )
        };
    }
    let head = if ko {
        "confab 질문 은행에서 찾은 답이에요 (오프라인 도우미):"
    } else {
        "From confab's question bank (offline assistant):"
    };
    format!("{head}\n\n{}", render_entries(&found, ko))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_bank_is_complete_and_unique() {
        let bank = bank();
        assert!(bank.len() >= 14);
        let ids: HashSet<&str> = bank.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), bank.len());
        for e in bank {
            for t in [&e.question, &e.intent, &e.model_answer] {
                assert!(
                    !t.ko.trim().is_empty() && !t.en.trim().is_empty(),
                    "{}",
                    e.id
                );
            }
            assert!((3..=6).contains(&e.key_points.len()), "{}", e.id);
            assert!(
                ["상", "중", "하"].contains(&e.difficulty.as_str()),
                "{}",
                e.id
            );
            assert!(!e.levels.is_empty() && !e.field.is_empty());
        }
    }

    #[test]
    fn retrieval_finds_the_right_entry_in_both_languages() {
        assert_eq!(
            best_match("프로세스와 스레드의 차이").map(|e| e.id.as_str()),
            Some("cs-001")
        );
        assert_eq!(
            best_match("what is the difference between a process and a thread")
                .map(|e| e.id.as_str()),
            Some("cs-001")
        );
        assert_eq!(
            best_match("how do database indexes work?").map(|e| e.id.as_str()),
            Some("be-002")
        );
        assert!(best_match("banana bread recipe").is_none());
    }
}
