//! The dictionary of developer terms (`data/naming/terms.json`, written for confab):
//! Korean words and stems to English words, verbs with their alternatives, agent nouns,
//! participles and result nouns, nouns with their plurals, and adjectives for booleans.
//! Loaded once; checked at start-up ([`check`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

const TERMS: &str = include_str!("../../../../data/naming/terms.json");

/// A verb of the dictionary.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Verb {
    pub en: String,
    #[serde(default)]
    pub ko: Vec<String>,
    #[serde(default)]
    pub ko_stems: Vec<String>,
    #[serde(default)]
    pub alts: Vec<String>,
    pub agent: String,
    pub past: String,
    /// The noun of what it returns (`multiply` → `product`).
    #[serde(default)]
    pub result: Option<String>,
    /// The action as a noun (`validate` → `validation`); the verb itself when absent.
    #[serde(default)]
    pub noun: Option<String>,
}

impl Verb {
    pub fn as_noun(&self) -> &str {
        self.noun.as_deref().unwrap_or(&self.en)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Noun {
    en: String,
    ko: Vec<String>,
    plural: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Adjective {
    en: String,
    ko: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Terms {
    #[allow(dead_code)]
    about: String,
    verbs: Vec<Verb>,
    nouns: Vec<Noun>,
    adjectives: Vec<Adjective>,
}

/// What a Korean key means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sense {
    /// A verb (index into the verbs); `stem`: a native stem that needs an ending after it.
    Verb { verb: usize, stem: bool },
    /// A noun (index into the nouns).
    Noun(usize),
    /// An adjective (index into the adjectives).
    Adjective(usize),
}

/// The loaded dictionary.
pub(super) struct Dictionary {
    pub verbs: Vec<Verb>,
    nouns: Vec<Noun>,
    adjectives: Vec<Adjective>,
    /// Korean keys, longest first.
    pub korean: Vec<(String, Sense)>,
    /// English inflected verb forms → verb index.
    english_verbs: HashMap<String, usize>,
    /// English singular → plural and plural → singular.
    plurals: HashMap<String, String>,
    singulars: HashMap<String, String>,
    adjective_words: Vec<String>,
}

impl Dictionary {
    pub fn noun_en(&self, i: usize) -> &str {
        &self.nouns[i].en
    }

    pub fn adjective_en(&self, i: usize) -> &str {
        &self.adjectives[i].en
    }

    /// The verb an English word is a form of (`sorts`, `sorting`, `sorted` → `sort`).
    pub fn english_verb(&self, word: &str) -> Option<usize> {
        self.english_verbs.get(word).copied()
    }

    pub fn verb_named(&self, en: &str) -> Option<&Verb> {
        self.verbs.iter().find(|v| v.en == en)
    }

    /// Whether an English word is one of the dictionary's adjectives.
    pub fn is_adjective(&self, word: &str) -> bool {
        self.adjective_words.iter().any(|a| a == word)
    }

    /// The plural of an English noun (the dictionary's, else by spelling rules).
    pub fn plural(&self, word: &str) -> String {
        if let Some(p) = self.plurals.get(word) {
            return p.clone();
        }
        if self.singulars.contains_key(word) {
            return word.to_owned();
        }
        plural_by_rule(word)
    }
}

fn plural_by_rule(word: &str) -> String {
    let vowel = |c: char| "aeiou".contains(c);
    if word.ends_with('s')
        || word.ends_with('x')
        || word.ends_with("ch")
        || word.ends_with("sh")
        || word.ends_with('z')
    {
        format!("{word}es")
    } else if let Some(stem) = word.strip_suffix('y')
        && !stem.ends_with(vowel)
        && !stem.is_empty()
    {
        format!("{stem}ies")
    } else {
        format!("{word}s")
    }
}

/// English inflections of a verb: -s/-es, -ing, -ed and the dictionary's participle.
fn inflections(verb: &Verb) -> Vec<String> {
    let en = verb.en.as_str();
    let mut out = vec![en.to_owned(), verb.past.clone()];
    if let Some(stem) = en.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        out.push(format!("{stem}ies"));
        out.push(format!("{stem}ied"));
    } else if en.ends_with(['s', 'x', 'z']) || en.ends_with("ch") || en.ends_with("sh") {
        out.push(format!("{en}es"));
    } else {
        out.push(format!("{en}s"));
    }
    match en.strip_suffix('e') {
        Some(stem) if !en.ends_with("ee") => {
            out.push(format!("{stem}ing"));
            out.push(format!("{en}d"));
        }
        _ => {
            out.push(format!("{en}ing"));
            out.push(format!("{en}ed"));
            // Doubled final consonant: stop → stopping, split → splitting.
            if let Some(last) = en.chars().last()
                && en.len() <= 5
                && !"aeiouwxy".contains(last)
            {
                out.push(format!("{en}{last}ing"));
                out.push(format!("{en}{last}ed"));
            }
        }
    }
    out
}

fn load() -> Result<Dictionary, String> {
    let terms: Terms = serde_json::from_str(TERMS).map_err(|e| e.to_string())?;
    let mut korean: Vec<(String, Sense)> = Vec::new();
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut add = |key: &str, sense: Sense, korean: &mut Vec<(String, Sense)>| {
        let key = key.trim();
        if key.is_empty() || seen.insert(key.to_owned(), ()).is_some() {
            return Err(format!("the Korean key `{key}` is empty or listed twice"));
        }
        korean.push((key.to_owned(), sense));
        Ok(())
    };
    let mut english_verbs = HashMap::new();
    for (i, verb) in terms.verbs.iter().enumerate() {
        for k in &verb.ko {
            add(
                k,
                Sense::Verb {
                    verb: i,
                    stem: false,
                },
                &mut korean,
            )?;
        }
        for k in &verb.ko_stems {
            add(
                k,
                Sense::Verb {
                    verb: i,
                    stem: true,
                },
                &mut korean,
            )?;
        }
        for form in inflections(verb) {
            english_verbs.entry(form).or_insert(i);
        }
    }
    let mut plurals = HashMap::new();
    let mut singulars = HashMap::new();
    for (i, noun) in terms.nouns.iter().enumerate() {
        for k in &noun.ko {
            add(k, Sense::Noun(i), &mut korean)?;
        }
        if noun.plural != noun.en {
            plurals.insert(noun.en.clone(), noun.plural.clone());
        }
        singulars.insert(noun.plural.clone(), noun.en.clone());
    }
    for (i, adjective) in terms.adjectives.iter().enumerate() {
        for k in &adjective.ko {
            add(k, Sense::Adjective(i), &mut korean)?;
        }
    }
    korean.sort_by_key(|(k, _)| std::cmp::Reverse(k.chars().count()));
    let adjective_words = terms.adjectives.iter().map(|a| a.en.clone()).collect();
    Ok(Dictionary {
        verbs: terms.verbs,
        nouns: terms.nouns,
        adjectives: terms.adjectives,
        korean,
        english_verbs,
        plurals,
        singulars,
        adjective_words,
    })
}

static DICTIONARY: LazyLock<Result<Dictionary, String>> = LazyLock::new(load);

/// Start-up check: the shipped dictionary parses and has no duplicate Korean key.
pub fn check() -> Result<(), String> {
    DICTIONARY
        .as_ref()
        .map(|_| ())
        .map_err(|e| format!("data/naming/terms.json: {e}"))
}

/// The dictionary; `None` only when [`check`] failed (start-up refuses that).
pub(super) fn get() -> Option<&'static Dictionary> {
    DICTIONARY.as_ref().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_dictionary_loads_without_duplicate_keys() {
        check().expect("dictionary");
        let d = get().expect("dictionary");
        assert!(
            d.verbs.len() >= 80 && d.korean.len() >= 400,
            "{}",
            d.korean.len()
        );
    }

    #[test]
    fn english_forms_and_plurals() {
        let d = get().expect("dictionary");
        for (form, lemma) in [
            ("sorts", "sort"),
            ("sorting", "sort"),
            ("multiplies", "multiply"),
            ("validating", "validate"),
            ("stopping", "stop"),
            ("fetches", "fetch"),
        ] {
            let verb = d.english_verb(form).map(|i| d.verbs[i].en.as_str());
            assert_eq!(verb, Some(lemma), "{form}");
        }
        assert_eq!(d.plural("user"), "users");
        assert_eq!(d.plural("category"), "categories");
        assert_eq!(d.plural("users"), "users");
        assert_eq!(d.plural("box"), "boxes");
    }
}
