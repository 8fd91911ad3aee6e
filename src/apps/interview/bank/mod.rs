//! The interview question bank that ships with confab (`data/interview/bank/*.json`, one
//! file per field), its start-up validation (`validate.rs`), question selection and the
//! offline grader.
//!
//! Offline grading is in [`grade`]: key points count by evidence in sentences.

mod grade;
mod text;
mod validate;

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{CAREERS, Difficulty, Language};

pub use grade::{Grade, bullets, grade, items, missed_points};
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

#[cfg(test)]
mod tests {
    use super::*;

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
