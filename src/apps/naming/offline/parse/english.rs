//! Reading an English request word by word: the first verb, its object up to a
//! preposition, and each preposition's words as a qualifier.

use super::*;

const EN_STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "that",
    "this",
    "these",
    "those",
    "which",
    "who",
    "it",
    "its",
    "name",
    "names",
    "naming",
    "recommend",
    "recommendation",
    "recommendations",
    "suggest",
    "suggestion",
    "suggestions",
    "please",
    "give",
    "me",
    "some",
    "good",
    "best",
    "nice",
    "function",
    "functions",
    "method",
    "methods",
    "variable",
    "variables",
    "var",
    "constant",
    "constants",
    "const",
    "class",
    "classes",
    "type",
    "struct",
    "interface",
    "enum",
    "boolean",
    "bool",
    "flag",
    "identifier",
    "want",
    "need",
    "what",
    "i",
    "call",
    "called",
    "would",
    "could",
    "you",
    "my",
    "whether",
    "holds",
    "holding",
    "hold",
    "returns",
    "return",
    "returning",
    "keeps",
    "field",
    "property",
    "column",
    "filename",
    "is",
    "are",
    "has",
    "have",
    "can",
    "must",
    "needs",
    "if",
    "module",
    "how",
    "do",
    "does",
    "should",
    "we",
    "us",
    "our",
    "idea",
    "ideas",
    "tell",
    "help",
    "helper",
    "contains",
    "containing",
    "there",
    "be",
    "been",
    "being",
    "named",
    "any",
    "new",
    "one",
];

const EN_PREPS: &[&str] = &[
    "by", "from", "to", "into", "per", "with", "in", "on", "for", "as", "of",
];

/// English verbs the dictionary spells another way.
fn english_synonym(word: &str) -> Option<&'static str> {
    Some(match word {
        "remove" | "removes" | "removing" => "delete",
        "retrieve" | "retrieves" | "retrieving" | "gets" | "getting" => "get",
        "make" | "makes" | "making" => "create",
        "compute" | "computes" | "computing" => "calculate",
        "modify" | "modifies" | "modifying" => "update",
        "saves" | "persist" | "persists" | "store" | "stores" | "storing" => "save",
        "transform" | "transforms" | "transforming" => "convert",
        _ => return None,
    })
}

pub(super) fn english(lower: &str, dict: &Dictionary) -> Request {
    let mut request = Request::default();
    let lower = lower
        .replace("maximum number of", "max")
        .replace("max number of", "max")
        .replace("minimum number of", "min")
        .replace("maximum", "max")
        .replace("minimum", "min");
    let lower = lower.as_str();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
    let phrase_has = |p: &str| lower.contains(p);
    let kind = if phrase_has("file name") || has(&["filename", "module"]) {
        Some(Kind::File)
    } else if has(&["boolean", "bool", "flag", "whether"]) || words.first() == Some(&"is") {
        Some(Kind::Boolean)
    } else if has(&["class", "struct", "interface", "enum", "type"]) {
        Some(Kind::Class)
    } else if has(&["constant", "const", "constants"]) {
        Some(Kind::Constant)
    } else if has(&["variable", "var", "field", "property", "column"]) {
        Some(Kind::Variable)
    } else if has(&["function", "method", "func", "handler"]) {
        Some(Kind::Function)
    } else {
        None
    };
    request.kind = kind;
    let boolean = kind == Some(Kind::Boolean);
    if boolean {
        request.prefix = Some(Prefix::Is);
    }

    // Phrases: `pre` (before the verb), `object` (after it), qualifiers.
    let mut pre: Vec<String> = Vec::new();
    let mut object: Vec<String> = Vec::new();
    let mut quals: Vec<Qualifier> = Vec::new();
    let mut prep: Option<&'static str> = None;
    let mut of_at: Option<usize> = None;
    let mut started = false;
    let mut marker_seen = false;
    for (n, w) in words.iter().enumerate() {
        let w = *w;
        if boolean && !marker_seen {
            let marker = match w {
                "is" | "are" => Some(Prefix::Is),
                "has" | "have" => Some(Prefix::Has),
                "can" => Some(Prefix::Can),
                "should" | "must" | "needs" => Some(Prefix::Should),
                _ => None,
            };
            if let Some(p) = marker
                && started
            {
                request.prefix = Some(p);
                marker_seen = true;
                request.subject = std::mem::take(&mut pre);
                continue;
            }
        }
        if let Some(p) = EN_PREPS.iter().find(|p| **p == w) {
            if !started {
                continue;
            }
            if *p == "of" && prep.is_none() {
                of_at = Some(if request.verb.is_some() {
                    object.len()
                } else {
                    pre.len()
                });
                continue;
            }
            let p: &'static str = match *p {
                "into" => "to",
                "of" => "of",
                other => other,
            };
            prep = Some(p);
            quals.push(Qualifier {
                prep: p,
                words: Vec::new(),
            });
            continue;
        }
        if EN_STOP.contains(&w) || w.len() < 2 && !w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let _ = n;
        let verb = english_synonym(w)
            .and_then(|s| dict.verb_named(s).map(|v| v.en.clone()))
            .and_then(|en| dict.english_verb(&en))
            .or_else(|| dict.english_verb(w));
        let nouns_only = matches!(kind, Some(Kind::Constant | Kind::Variable));
        if let Some(v) = verb
            && !nouns_only
            && request.verb.is_none()
            && prep.is_none()
            && !(boolean && !marker_seen && dict.is_adjective(w))
            && !(boolean && marker_seen && request.prefix == Some(Prefix::Is))
            && !(w.ends_with("ed") && request.kind() != Kind::Function && !boolean)
        {
            request.verb = Some(v);
            started = true;
            continue;
        }
        started = true;
        if let Some(q) = quals.last_mut()
            && prep.is_some()
        {
            q.words.push(w.to_owned());
        } else if request.verb.is_some() || marker_seen {
            object.push(w.to_owned());
        } else {
            pre.push(w.to_owned());
        }
    }
    // `X of Y` → `Y X`.
    let reorder = |words: &mut Vec<String>, at: Option<usize>| {
        if let Some(at) = at.filter(|a| *a <= words.len()) {
            let tail = words.split_off(at);
            let head = std::mem::replace(words, tail);
            words.extend(head);
        }
    };
    if request.verb.is_some() {
        reorder(&mut object, of_at);
    } else {
        reorder(&mut pre, of_at);
    }
    if boolean {
        if marker_seen {
            // whether the user is active: subject `user`, predicate `active`.
            if request.verb.is_some() {
                request.object = object;
            } else {
                request.predicate = object;
            }
        } else {
            // `is active`, `boolean for active users`.
            request.subject = pre;
            request.object = object;
        }
    } else {
        pre.extend(object);
        request.object = pre;
    }
    request.quals = quals;
    request
}
