//! Text primitives of the offline grader: normalising, tokens, sentences, and the words
//! that make a sentence an explanation rather than a list of terms.

use std::collections::HashSet;

use super::has_hangul;

pub(super) fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_owned()
}

/// Text prepared for matching: words, and the text without spaces.
pub(super) struct Normalized {
    words: Vec<String>,
    squashed: String,
}

impl Normalized {
    pub fn new(text: &str) -> Normalized {
        let norm = normalize_text(text);
        Normalized {
            words: norm
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
            squashed: norm.replace(' ', ""),
        }
    }

    /// Whether a term occurs (rules in the module documentation).
    pub fn contains(&self, term: &str) -> bool {
        self.position(term).is_some()
    }

    /// The indexes of the first and last word where a term occurs.
    pub(super) fn position(&self, term: &str) -> Option<(usize, usize)> {
        let norm = normalize_text(term);
        if norm.is_empty() {
            return None;
        }
        if has_hangul(&norm) {
            let wanted = norm.replace(' ', "");
            let at = self.squashed.find(&wanted)?;
            let end = at + wanted.len() - 1;
            // The words holding the first and last byte of the match in the squashed text.
            let mut first = None;
            let mut seen = 0;
            for (i, w) in self.words.iter().enumerate() {
                seen += w.len();
                if first.is_none() && at < seen {
                    first = Some(i);
                }
                if end < seen {
                    return first.map(|f| (f, i));
                }
            }
            return None;
        }
        let parts: Vec<&str> = norm.split(' ').collect();
        let n = parts.len();
        if n > self.words.len() {
            return None;
        }
        (0..=self.words.len() - n)
            .find(|&i| {
                parts.iter().enumerate().all(|(j, p)| {
                    let w = &self.words[i + j];
                    if j + 1 == n { w.starts_with(p) } else { w == p }
                })
            })
            .map(|i| (i, i + n - 1))
    }
}

/// Word tokens of a text for overlap matching: English words of 3+ letters and Korean
/// character pairs.
pub(super) fn overlap_tokens(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for word in normalize_text(text).split(' ') {
        if has_hangul(word) {
            let chars: Vec<char> = word.chars().collect();
            for pair in chars.windows(2) {
                out.insert(pair.iter().collect());
            }
        } else if word.chars().count() >= 3 {
            out.insert(word.to_owned());
        }
    }
    out
}

/// English words that relate others: verbs of being and modals, conjunctions,
/// prepositions, articles and pronouns.
pub(super) const RELATION_EN: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "does",
    "do",
    "did",
    "can",
    "cannot",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "because",
    "since",
    "so",
    "therefore",
    "thus",
    "when",
    "whenever",
    "if",
    "while",
    "whereas",
    "but",
    "although",
    "though",
    "than",
    "which",
    "that",
    "who",
    "where",
    "by",
    "without",
    "instead",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "from",
    "into",
    "between",
    "through",
    "via",
    "per",
    "under",
    "over",
    "after",
    "before",
    "during",
    "the",
    "a",
    "an",
    "its",
    "their",
    "each",
    "every",
    "both",
    "this",
    "these",
    "those",
    "it",
    "they",
    "them",
    "we",
    "you",
    "means",
    "makes",
    "uses",
    "lets",
    "allows",
    "needs",
    "not",
    "only",
    "and",
    "or",
];

/// Korean endings and particles that relate a word to the others.
pub(super) const RELATION_KO: &[&str] = &[
    "다", "요", "죠", "음", "함", "됨", "며", "면서", "지만", "는데", "니까", "므로", "도록",
    "해서", "어서", "아서", "여서", "라서", "고", "면", "을", "를", "은", "는", "에서", "에게",
    "에는", "에", "으로", "한", "된", "될", "할", "운", "려고", "거나", "해야", "게", "지", "라",
];

/// Nouns that end like a relating ending but are not one.
pub(super) const NOT_RELATION_KO: &[&str] = &[
    "필요",
    "중요",
    "수요",
    "개요",
    "주요",
    "다음",
    "처음",
    "마음",
    "결함",
    "포함",
    "람다",
    "권한",
    "제한",
    "무한",
    "기한",
    "역할",
    "재고",
    "최고",
    "참고",
    "광고",
    "창고",
    "경고",
    "화면",
    "측면",
    "단면",
    "표면",
    "이면",
    "페이지",
    "메시지",
    "이미지",
    "스토리지",
    "인프라",
    "카메라",
];

/// Whether a normalised word relates others (module documentation).
pub(super) fn relates(word: &str) -> bool {
    if !has_hangul(word) {
        return RELATION_EN.contains(&word);
    }
    if word.chars().count() < 2 || NOT_RELATION_KO.iter().any(|n| word.ends_with(n)) {
        return false;
    }
    RELATION_KO.iter().any(|e| word.ends_with(e))
}

/// Whether a one-word sentence is a whole Korean sentence ("멱등합니다").
pub(super) fn ends_sentence(word: &str) -> bool {
    word.chars().count() >= 3 && ["다", "요", "죠"].iter().any(|e| word.ends_with(e))
}

/// Whether words (normalised) relate rather than list (module documentation).
pub(super) fn explains(words: &[&str]) -> bool {
    let hangul = words.iter().any(|w| has_hangul(w));
    if words.len() == 1 && hangul {
        return ends_sentence(words[0]);
    }
    if words.len() < if hangul { 2 } else { 3 } {
        return false;
    }
    let relating = words.iter().filter(|w| relates(w)).count();
    relating >= 1 && relating * 8 >= words.len()
}

/// Splits an answer into sentences (module documentation).
pub(super) fn split_sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let end = match c {
            '\n' | '\r' | '。' | '！' | '？' => true,
            '.' | '!' | '?' | ';' => chars.get(i + 1).is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if end {
            if !current.trim().is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
        } else {
            current.push(c);
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}
