//! Retrieval over the shipped interview question bank (`apps::interview::bank`).
//!
//! Text is normalised (lower-cased, punctuation removed) into English word tokens
//! (stop-words dropped, plurals made singular) and Korean character bigrams; an entry's
//! score is the overlap of the query's tokens with its question (weight 3), keywords (2) and
//! key points (1), divided by 3 × the query's token count. Entries under 0.15 do not match.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::apps::interview::bank::{Entry, bank};
use crate::lang::Language;

fn lang(ko: bool) -> Language {
    if ko { Language::Ko } else { Language::En }
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
                out.insert(singular(word).to_owned());
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

/// A crude English stem: plural endings and a final "e" go, so "indexes" meets "index",
/// "caches" meets "cache" (both "cach") and "matches" meets "match".
fn singular(word: &str) -> &str {
    let mut stem = word;
    for suffix in ["xes", "ches", "shes", "sses"] {
        if stem.len() > suffix.len() + 1 && stem.ends_with(suffix) {
            stem = &stem[..stem.len() - 2];
            break;
        }
    }
    if stem.len() == word.len() && stem.len() > 3 && stem.ends_with('s') && !stem.ends_with("ss") {
        stem = &stem[..stem.len() - 1];
    }
    if stem.len() > 3 && stem.ends_with('e') {
        stem = &stem[..stem.len() - 1];
    }
    stem
}

/// An entry's tokens by where they occur, built once per process (the bank is static).
struct Indexed {
    entry: &'static Entry,
    question: HashSet<String>,
    keywords: HashSet<String>,
    key_points: HashSet<String>,
}

fn index() -> &'static [Indexed] {
    static INDEX: OnceLock<Vec<Indexed>> = OnceLock::new();
    INDEX.get_or_init(|| {
        bank()
            .iter()
            .map(|entry| Indexed {
                entry,
                question: tokens(&format!("{} {}", entry.question.ko, entry.question.en)),
                keywords: entry.keywords.iter().flat_map(|k| tokens(k)).collect(),
                key_points: entry
                    .key_points
                    .iter()
                    .flat_map(|k| tokens(&format!("{} {}", k.ko, k.en)))
                    .collect(),
            })
            .collect()
    })
}

/// Weighted overlap: a query token in the question counts 3, in the keywords 2, in the key
/// points 1; divided by the best possible (3 per query token).
fn score(query: &HashSet<String>, entry: &Indexed) -> f64 {
    if query.is_empty() {
        return 0.0;
    }
    let hits: f64 = query
        .iter()
        .map(|t| {
            if entry.question.contains(t) {
                3.0
            } else if entry.keywords.contains(t) {
                2.0
            } else if entry.key_points.contains(t) {
                1.0
            } else {
                0.0
            }
        })
        .sum();
    hits / (3.0 * query.len() as f64)
}

/// The best entries for a query, best first.
pub fn search(text: &str, max: usize) -> Vec<&'static Entry> {
    let query = tokens(text);
    let mut scored: Vec<(f64, &'static Entry)> = index()
        .iter()
        .map(|e| (score(&query, e), e.entry))
        .filter(|(s, _)| *s >= 0.15)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    scored.into_iter().take(max).map(|(_, e)| e).collect()
}

/// The single entry a message is clearly about, for the general assistant's aside: unlike
/// [`search`] (the interview room, where any lead helps), it needs a third of the best
/// possible score and two tokens of the message in the entry's question or keywords, so
/// "오늘 저녁 뭐 먹을까?" (whose ending "을까" is in a question) finds nothing.
pub fn best_match(text: &str) -> Option<&'static Entry> {
    let query = tokens(text);
    index()
        .iter()
        .filter(|e| {
            let strong = query
                .iter()
                .filter(|t| e.question.contains(*t) || e.keywords.contains(*t))
                .count();
            strong >= 2 && score(&query, e) >= 0.34
        })
        .max_by(|a, b| {
            score(&query, a)
                .total_cmp(&score(&query, b))
                .then_with(|| b.entry.id.cmp(&a.entry.id))
        })
        .map(|e| e.entry)
}

/// Entries as Markdown, quoting their model answers.
pub fn render_entries(entries: &[&Entry], ko: bool) -> String {
    let mut out = String::new();
    for e in entries {
        let points: Vec<&str> = e
            .key_points
            .iter()
            .map(|k| if ko { k.ko.as_str() } else { k.en.as_str() })
            .collect();
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
            .map(|e| e.question.get(lang(ko)))
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
            Some("be-003")
        );
        assert_eq!(
            best_match("임베딩과 벡터 검색").map(|e| e.id.as_str()),
            Some("ai-012")
        );
        assert!(best_match("banana bread recipe").is_none());
    }

    #[test]
    fn plurals_meet_their_singulars() {
        assert_eq!(singular("indexes"), "index");
        assert_eq!(singular("index"), "index");
        assert_eq!(singular("caches"), singular("cache"));
        assert_eq!(singular("matches"), singular("match"));
        assert_eq!(singular("threads"), "thread");
        assert_eq!(singular("process"), "process");
        assert_eq!(singular("is"), "is");
    }

    #[test]
    fn the_general_aside_needs_a_clear_match() {
        assert!(best_match("오늘 저녁 뭐 먹을까?").is_none());
        assert!(best_match("what should I cook tonight?").is_none());
        assert!(best_match("안녕하세요").is_none());
        let found = best_match("프로세스와 스레드의 차이가 뭔가요?").expect("a match");
        assert!(
            found.question.ko.contains("프로세스"),
            "{}",
            found.question.ko
        );
        assert!(best_match("What is the difference between a process and a thread?").is_some());
    }
}
