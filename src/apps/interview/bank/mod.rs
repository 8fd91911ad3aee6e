//! The interview question bank that ships with confab (`data/interview/bank/*.json`, one
//! file per field), its start-up validation (`validate.rs`), question selection and the
//! offline grader.
//!
//! ## Offline grading (key-point coverage)
//! Each key point carries `terms`: one to three groups of synonyms in Korean and English.
//! A key point is *covered* when every group has at least one term in the answer:
//! - the answer is lower-cased and every run of characters that are not letters or digits
//!   becomes one space;
//! - a Latin term (no Hangul) matches at the start of a word, and a multi-word term
//!   matches consecutive words whose last one starts with the term's last word
//!   (`idempot` matches "idempotent", `b+tree` matches "B+Tree", `index` matches "indexes");
//! - a term with Hangul matches anywhere in the answer with all spaces removed, so
//!   particles and spacing do not matter (`멱등` matches "멱등성이", `인덱스` matches
//!   "인 덱스를").
//!
//! Score = round(10 × covered ÷ key points), half up; an answer of at least 80 characters
//! that covers nothing gets 1 for the attempt. Feedback names the covered points ("good")
//! and the missed ones ("missing").

mod validate;

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{CAREERS, Difficulty, Language};

pub use validate::validate;

/// Text in both languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub ko: String,
    pub en: String,
}

impl Bilingual {
    /// The text in one language.
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Ko => &self.ko,
            Language::En => &self.en,
        }
    }
}

/// One idea a good answer contains.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankKeyPoint {
    pub ko: String,
    pub en: String,
    /// Synonym groups; covered when every group has a term in the answer.
    pub terms: Vec<Vec<String>>,
}

/// One bank entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub field: String,
    pub levels: Vec<String>,
    /// `하`, `중` or `상`.
    pub difficulty: String,
    pub question: Bilingual,
    pub intent: Bilingual,
    pub model_answer: Bilingual,
    pub key_points: Vec<BankKeyPoint>,
    #[serde(default)]
    pub follow_up: Option<Bilingual>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl Entry {
    /// The difficulty as the API names it.
    pub fn difficulty(&self) -> Difficulty {
        Difficulty::parse(&self.difficulty).unwrap_or(Difficulty::Medium)
    }

    /// Key points in one language, with their terms.
    pub fn key_points_in(&self, lang: Language) -> Vec<KeyPoint> {
        self.key_points
            .iter()
            .map(|k| KeyPoint {
                text: match lang {
                    Language::Ko => k.ko.clone(),
                    Language::En => k.en.clone(),
                },
                terms: k.terms.clone(),
            })
            .collect()
    }
}

/// A key point as stored with a session's question.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyPoint {
    pub text: String,
    /// Empty for generated questions: their points match by word overlap instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<Vec<String>>,
}

const FILES: [(&str, &str); 7] = [
    (
        "backend",
        include_str!("../../../../data/interview/bank/backend.json"),
    ),
    (
        "frontend",
        include_str!("../../../../data/interview/bank/frontend.json"),
    ),
    (
        "fullstack",
        include_str!("../../../../data/interview/bank/fullstack.json"),
    ),
    (
        "mobile",
        include_str!("../../../../data/interview/bank/mobile.json"),
    ),
    (
        "devops",
        include_str!("../../../../data/interview/bank/devops.json"),
    ),
    (
        "data-ai",
        include_str!("../../../../data/interview/bank/data-ai.json"),
    ),
    (
        "cs-fundamentals",
        include_str!("../../../../data/interview/bank/cs-fundamentals.json"),
    ),
];

/// Questions every field must have, and per career level within a field.
pub const MIN_PER_FIELD: usize = 20;
pub const MIN_PER_LEVEL: usize = 10;

fn load() -> Result<Vec<Entry>, Vec<String>> {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for (field, text) in FILES {
        match serde_json::from_str::<Vec<Entry>>(text) {
            Ok(entries) => all.extend(entries),
            Err(e) => errors.push(format!("data/interview/bank/{field}.json: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(all)
    } else {
        Err(errors)
    }
}

static BANK: OnceLock<Result<Vec<Entry>, Vec<String>>> = OnceLock::new();

/// The bank; empty when it does not load (start-up refuses that through [`validate`]).
pub fn bank() -> &'static [Entry] {
    match BANK.get_or_init(load) {
        Ok(entries) => entries,
        Err(_) => &[],
    }
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

/// An entry by id.
pub fn by_id(id: &str) -> Option<&'static Entry> {
    bank().iter().find(|e| e.id == id)
}

fn career_rank(level: &str) -> i32 {
    CAREERS
        .iter()
        .position(|c| c.id == level)
        .map_or(99, |p| p as i32)
}

/// Picks `count` questions for a field and career level: questions of that level the user
/// has not seen recently first, then ones seen, then the nearest levels; in random order
/// within each tier, returned easiest first.
pub fn pick(
    field: &str,
    career: &str,
    count: usize,
    seen: &HashSet<String>,
    rng: &mut impl rand::Rng,
) -> Vec<&'static Entry> {
    use rand::seq::SliceRandom;
    let wanted = career_rank(career);
    let mut tiers: Vec<Vec<&'static Entry>> = vec![Vec::new(); 4];
    for e in bank().iter().filter(|e| e.field == field) {
        let distance = e
            .levels
            .iter()
            .map(|l| (career_rank(l) - wanted).abs())
            .min()
            .unwrap_or(99);
        let fresh = !seen.contains(&e.id);
        let tier = match (distance == 0, fresh) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        tiers[tier].push(e);
    }
    let mut out = Vec::new();
    for (i, tier) in tiers.iter_mut().enumerate() {
        tier.shuffle(rng);
        if i >= 2 {
            // Nearest levels first among the fallbacks.
            tier.sort_by_key(|e| {
                e.levels
                    .iter()
                    .map(|l| (career_rank(l) - wanted).abs())
                    .min()
                    .unwrap_or(99)
            });
        }
        out.extend(tier.iter().copied());
        if out.len() >= count {
            break;
        }
    }
    out.truncate(count);
    out.sort_by_key(|e| e.difficulty().rank());
    out
}

/// Random questions of a field at any level (the cheat sheet), easiest first.
pub fn sample(field: &str, count: usize, rng: &mut impl rand::Rng) -> Vec<&'static Entry> {
    use rand::seq::IndexedRandom;
    let all: Vec<&'static Entry> = bank().iter().filter(|e| e.field == field).collect();
    let mut out: Vec<&'static Entry> = all.choose_multiple(rng, count).copied().collect();
    out.sort_by_key(|e| e.difficulty().rank());
    out
}

/// The answer prepared for matching: words, and the text without spaces.
pub struct Normalized {
    words: Vec<String>,
    squashed: String,
}

/// Lower-cases and turns every run of non-alphanumerics into one space.
fn normalize_text(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut space = true;
    for c in lower.chars() {
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

impl Normalized {
    pub fn new(text: &str) -> Normalized {
        let norm = normalize_text(text);
        Normalized {
            words: norm.split(' ').map(str::to_owned).collect(),
            squashed: norm.replace(' ', ""),
        }
    }

    /// Whether a term occurs (rules in the module documentation).
    pub fn contains(&self, term: &str) -> bool {
        let norm = normalize_text(term);
        if norm.is_empty() {
            return false;
        }
        if has_hangul(&norm) {
            return self.squashed.contains(&norm.replace(' ', ""));
        }
        let parts: Vec<&str> = norm.split(' ').collect();
        let n = parts.len();
        if n > self.words.len() {
            return false;
        }
        (0..=self.words.len() - n).any(|i| {
            parts.iter().enumerate().all(|(j, p)| {
                let w = &self.words[i + j];
                if j + 1 == n { w.starts_with(p) } else { w == p }
            })
        })
    }
}

/// Word tokens of a text for overlap matching: English words of 3+ letters and Korean
/// character pairs.
fn overlap_tokens(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for word in normalize_text(text).split(' ') {
        if has_hangul(word) {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() == 1 {
                continue;
            }
            for pair in chars.windows(2) {
                out.insert(pair.iter().collect());
            }
        } else if word.chars().count() >= 3 {
            out.insert(word.to_owned());
        }
    }
    out
}

/// Whether the answer covers a key point.
pub fn covers(answer: &Normalized, answer_tokens: &HashSet<String>, point: &KeyPoint) -> bool {
    if point.terms.is_empty() {
        // Generated questions: at least half of the point's words appear in the answer.
        let wanted = overlap_tokens(&point.text);
        if wanted.is_empty() {
            return false;
        }
        let hits = wanted.iter().filter(|t| answer_tokens.contains(*t)).count();
        return hits * 2 >= wanted.len();
    }
    point
        .terms
        .iter()
        .all(|group| group.iter().any(|t| answer.contains(t)))
}

/// The key points an answer does not cover, in order.
pub fn missed_points(answer: &str, points: &[KeyPoint]) -> Vec<String> {
    let normalized = Normalized::new(answer);
    let tokens = overlap_tokens(answer);
    points
        .iter()
        .filter(|p| !covers(&normalized, &tokens, p))
        .map(|p| p.text.clone())
        .collect()
}

/// The outcome of grading one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    pub score: i64,
    pub good: String,
    pub missing: String,
}

/// Grades an answer by key-point coverage (rules in the module documentation).
pub fn grade(answer: &str, points: &[KeyPoint], lang: Language) -> Grade {
    let normalized = Normalized::new(answer);
    let tokens = overlap_tokens(answer);
    let (covered, missed): (Vec<&KeyPoint>, Vec<&KeyPoint>) =
        points.iter().partition(|p| covers(&normalized, &tokens, p));
    let total = points.len().max(1) as i64;
    let mut score = (covered.len() as i64 * 20 + total) / (2 * total);
    if score == 0 && answer.trim().chars().count() >= 80 {
        score = 1;
    }
    let list = |ps: &[&KeyPoint]| {
        ps.iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(match lang {
                Language::Ko => ", ",
                Language::En => "; ",
            })
    };
    let good = match (lang, covered.is_empty()) {
        (Language::Ko, true) => "답변에서 핵심 포인트를 찾지 못했어요. 모범 답안의 핵심 개념을 직접 언급해 보세요.".to_owned(),
        (Language::En, true) => "The answer does not state any of the key points yet. Name the core concepts of the model answer explicitly.".to_owned(),
        (Language::Ko, false) => format!("잘 짚은 점: {}.", list(&covered)),
        (Language::En, false) => format!("Covered: {}.", list(&covered)),
    };
    let missing = match (lang, missed.is_empty()) {
        (Language::Ko, true) => "핵심 포인트를 모두 다뤘어요. 실제 경험이나 예시를 덧붙이면 더 좋아요.".to_owned(),
        (Language::En, true) => "Every key point is covered. An example from your own experience would make it stronger.".to_owned(),
        (Language::Ko, false) => format!("빠진 점: {}.", list(&missed)),
        (Language::En, false) => format!("Missing: {}.", list(&missed)),
    };
    Grade {
        score: score.clamp(0, 10),
        good,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(text: &str, terms: &[&[&str]]) -> KeyPoint {
        KeyPoint {
            text: text.to_owned(),
            terms: terms
                .iter()
                .map(|g| g.iter().map(|t| (*t).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn latin_terms_match_at_word_starts_and_korean_terms_ignore_spacing() {
        let a = Normalized::new(
            "PUT is Idempotent; B+Tree indexes. 멱등 성이 보장되고 인덱스를 씁니다",
        );
        assert!(a.contains("idempot"));
        assert!(a.contains("b+tree"));
        assert!(a.contains("index"));
        assert!(a.contains("put is"));
        assert!(a.contains("멱등성"));
        assert!(a.contains("인덱스"));
        assert!(!a.contains("dempotent"));
        assert!(!a.contains("output"));
        assert!(!a.contains("트랜잭션"));
    }

    #[test]
    fn grading_counts_covered_points_and_names_the_missing_ones() {
        let points = vec![
            point(
                "PUT replaces the whole resource",
                &[&["put"], &["whole", "전체"]],
            ),
            point("PATCH is partial", &[&["patch"], &["partial", "부분"]]),
            point("PUT is idempotent", &[&["idempot", "멱등"]]),
        ];
        let g = grade(
            "PUT sends the whole thing and is idempotent.",
            &points,
            Language::En,
        );
        assert_eq!(g.score, 7);
        assert!(g.good.contains("PUT is idempotent"), "{}", g.good);
        assert!(g.missing.contains("PATCH is partial"), "{}", g.missing);

        let g = grade(
            "PUT은 전체를 바꾸고 멱등이며 PATCH는 부분 수정입니다",
            &points,
            Language::Ko,
        );
        assert_eq!(g.score, 10);

        let g = grade("모르겠습니다", &points, Language::Ko);
        assert_eq!(g.score, 0);
    }

    #[test]
    fn generated_points_without_terms_match_by_word_overlap() {
        let points = vec![point("Indexes speed up reads but slow down writes", &[])];
        assert_eq!(
            grade(
                "An index speeds reads; writes get slower",
                &points,
                Language::En
            )
            .score,
            0
        );
        assert_eq!(
            grade(
                "Indexes speed up reads, but every insert must slow down writes too",
                &points,
                Language::En
            )
            .score,
            10
        );
    }

    #[test]
    fn picking_prefers_the_level_and_unseen_questions() {
        let mut rng = rand::rng();
        let first = pick("backend", "junior", 10, &HashSet::new(), &mut rng);
        assert_eq!(first.len(), 10);
        assert!(first.iter().all(|e| e.levels.iter().any(|l| l == "junior")));
        let seen: HashSet<String> = first.iter().map(|e| e.id.clone()).collect();
        let second = pick("backend", "junior", 3, &seen, &mut rng);
        let fresh_available = bank()
            .iter()
            .filter(|e| e.field == "backend" && e.levels.iter().any(|l| l == "junior"))
            .count()
            - seen.len();
        if fresh_available >= 3 {
            assert!(second.iter().all(|e| !seen.contains(&e.id)));
        }
        let ids: HashSet<&str> = first.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), first.len(), "no question twice in a session");
    }
}
