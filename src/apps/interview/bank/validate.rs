//! The start-up check of the shipped bank ([`validate`]): it parses; every field has at
//! least [`MIN_PER_FIELD`] questions and every career level at least [`MIN_PER_LEVEL`] of
//! them; ids are unique; every text is present in both languages; 3–6 key points, each
//! with terms. Problems are reported entry by entry, then the counts.

use std::collections::{HashMap, HashSet};

use super::{BANK, Bilingual, Entry, MIN_PER_FIELD, MIN_PER_LEVEL, has_hangul, load};
use crate::apps::interview::{CAREERS, Difficulty, FIELDS};

/// Checks the shipped bank: it parses; every field has at least [`MIN_PER_FIELD`]
/// questions and every career level at least [`MIN_PER_LEVEL`] of them; ids are unique;
/// every text is present in both languages; 3–6 key points, each with terms.
pub fn validate() -> Result<(), Vec<String>> {
    let entries = match BANK.get_or_init(load) {
        Ok(entries) => entries,
        Err(errors) => return Err(errors.clone()),
    };
    let errors = problems(entries);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Every problem of a bank, in order: each entry's, then the counts per field and level.
fn problems(entries: &[Entry]) -> Vec<String> {
    let mut errors = Vec::new();
    let mut ids = HashSet::new();
    for e in entries {
        if !ids.insert(e.id.as_str()) {
            errors.push(format!("{}: duplicate id", e.id));
        }
        check_catalog(e, &mut errors);
        check_texts(e, &mut errors);
        check_key_points(e, &mut errors);
    }
    check_counts(entries, &mut errors);
    errors
}

/// The entry's field, career levels and difficulty are known ones.
fn check_catalog(e: &Entry, errors: &mut Vec<String>) {
    let at = &e.id;
    if !FIELDS.iter().any(|f| f.id == e.field) {
        errors.push(format!("{at}: unknown field {:?}", e.field));
    }
    if e.levels.is_empty() {
        errors.push(format!("{at}: no career level"));
    }
    for level in &e.levels {
        if !CAREERS.iter().any(|c| c.id == level) {
            errors.push(format!("{at}: unknown career level {level:?}"));
        }
    }
    if Difficulty::parse(&e.difficulty).is_none() {
        errors.push(format!("{at}: difficulty must be 하, 중 or 상"));
    }
}

/// Every text is present in Korean and in English; the question is at most 500
/// characters in both.
fn check_texts(e: &Entry, errors: &mut Vec<String>) {
    let at = &e.id;
    let mut texts: Vec<(&str, &Bilingual)> = vec![
        ("question", &e.question),
        ("intent", &e.intent),
        ("model_answer", &e.model_answer),
    ];
    if let Some(f) = &e.follow_up {
        texts.push(("follow_up", f));
    }
    for (name, t) in texts {
        if t.ko.trim().is_empty() || !has_hangul(&t.ko) {
            errors.push(format!("{at}: {name}.ko is empty or not Korean"));
        }
        if t.en.trim().is_empty() || has_hangul(&t.en) {
            errors.push(format!("{at}: {name}.en is empty or not English"));
        }
    }
    if e.question.ko.chars().count() > 500 || e.question.en.chars().count() > 500 {
        errors.push(format!("{at}: question longer than 500 characters"));
    }
}

/// 3–6 key points, each in both languages with non-empty term groups.
fn check_key_points(e: &Entry, errors: &mut Vec<String>) {
    let at = &e.id;
    if !(3..=6).contains(&e.key_points.len()) {
        errors.push(format!("{at}: needs 3 to 6 key points"));
    }
    for (i, k) in e.key_points.iter().enumerate() {
        if k.ko.trim().is_empty() || k.en.trim().is_empty() {
            errors.push(format!("{at}: key point {i} is empty in a language"));
        }
        if k.terms.is_empty()
            || k.terms
                .iter()
                .any(|g| g.is_empty() || g.iter().any(|t| t.trim().is_empty()))
        {
            errors.push(format!("{at}: key point {i} has an empty term group"));
        }
    }
}

/// Enough questions per field, and per career level within each field.
fn check_counts(entries: &[Entry], errors: &mut Vec<String>) {
    let mut per_field: HashMap<&str, usize> = HashMap::new();
    let mut per_level: HashMap<(&str, &str), usize> = HashMap::new();
    for e in entries {
        *per_field.entry(e.field.as_str()).or_default() += 1;
        for level in &e.levels {
            *per_level
                .entry((e.field.as_str(), level.as_str()))
                .or_default() += 1;
        }
    }
    for f in FIELDS {
        let n = per_field.get(f.id).copied().unwrap_or(0);
        if n < MIN_PER_FIELD {
            errors.push(format!(
                "field {}: {n} questions, at least {MIN_PER_FIELD} needed",
                f.id
            ));
        }
        for c in CAREERS {
            let n = per_level.get(&(f.id, c.id)).copied().unwrap_or(0);
            if n < MIN_PER_LEVEL {
                errors.push(format!(
                    "field {} level {}: {n} questions, at least {MIN_PER_LEVEL} needed",
                    f.id, c.id
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::interview::bank::bank;

    fn entry(json: serde_json::Value) -> Entry {
        serde_json::from_value(json).expect("an entry")
    }

    fn good() -> serde_json::Value {
        let point = serde_json::json!({"ko": "멱등성", "en": "idempotence", "terms": [["idempot", "멱등"]]});
        serde_json::json!({
            "id": "backend-001",
            "field": "backend",
            "levels": ["junior"],
            "difficulty": "중",
            "question": {"ko": "PUT과 PATCH의 차이는?", "en": "PUT versus PATCH?"},
            "intent": {"ko": "HTTP 의미론", "en": "HTTP semantics"},
            "model_answer": {"ko": "PUT은 전체 교체입니다.", "en": "PUT replaces the whole."},
            "key_points": [point, point, point],
        })
    }

    #[test]
    fn the_shipped_bank_passes_validation() {
        if let Err(errors) = validate() {
            panic!("bank errors:\n{}", errors.join("\n"));
        }
        assert!(bank().len() >= FIELDS.len() * MIN_PER_FIELD);
    }

    #[test]
    fn a_good_entry_has_no_problem_of_its_own() {
        let mut errors = Vec::new();
        let e = entry(good());
        check_catalog(&e, &mut errors);
        check_texts(&e, &mut errors);
        check_key_points(&e, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn every_problem_of_an_entry_is_reported_in_order_then_the_counts() {
        let mut bad = good();
        bad["field"] = "gardening".into();
        bad["levels"] = serde_json::json!(["intern"]);
        bad["difficulty"] = "very hard".into();
        bad["intent"]["ko"] = "intent in English".into();
        bad["model_answer"]["en"] = "".into();
        bad["key_points"] = serde_json::json!([{"ko": "", "en": "x", "terms": [[]]}]);
        let errors = problems(&[entry(good()), entry(bad)]);
        let own: Vec<&str> = errors[..9].iter().map(String::as_str).collect();
        assert_eq!(
            own,
            [
                "backend-001: duplicate id",
                "backend-001: unknown field \"gardening\"",
                "backend-001: unknown career level \"intern\"",
                "backend-001: difficulty must be 하, 중 or 상",
                "backend-001: intent.ko is empty or not Korean",
                "backend-001: model_answer.en is empty or not English",
                "backend-001: needs 3 to 6 key points",
                "backend-001: key point 0 is empty in a language",
                "backend-001: key point 0 has an empty term group",
            ]
        );
        assert_eq!(
            errors[9],
            format!("field backend: 1 questions, at least {MIN_PER_FIELD} needed")
        );
        assert_eq!(
            errors.len(),
            9 + FIELDS.len() * (1 + CAREERS.len()),
            "every field and level is short: {errors:#?}"
        );
    }
}
