//! Reading a Korean request: dictionary keys found in the text (longest first) and the
//! particle, verb ending or copula after each one.

use super::*;

use super::korean_words::{KO_BOOLEAN, KO_FLUFF, KO_KINDS};

/// One thing found in a Korean text.
#[derive(Clone, Debug)]
enum Found {
    Term(Sense),
    /// A Latin word (`HTTP`, `API`, `json`).
    Latin(String),
    /// A kind word or request word: ends the phrase before it.
    Break,
}

/// The role the particle after a phrase gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Object,
    Subject,
    Prep(&'static str),
    /// `관리자인지`: the phrase is what a boolean says about its subject.
    Predicate,
    /// `와/과`: the phrase goes on with "and".
    And,
    /// Nothing said: the phrase goes on.
    None,
}

/// The role given by the text right after a phrase (`tail` starts at the character after
/// it; `glued`: no space before the tail).
fn role_of(tail: &str, glued: bool) -> Role {
    let t = tail.trim_start();
    let starts = |ps: &[&str]| ps.iter().any(|p| t.starts_with(p));
    // Markers that may stand as their own word: 순으로, 기준으로, 별로.
    if starts(&[
        "순으로",
        "순서로",
        "순서대로",
        "순",
        "기준으로",
        "기준",
        "별로",
        "별",
    ]) {
        return Role::Prep("by");
    }
    if starts(&["마다", "당"]) {
        return Role::Prep("per");
    }
    if !glued {
        return Role::None;
    }
    if starts(&["에서부터", "에서", "로부터", "부터"]) {
        Role::Prep("from")
    } else if starts(&["인지", "인가", "이면", "이라면", "인 "]) || t == "인" {
        Role::Predicate
    } else if starts(&["으로", "로"]) {
        Role::Prep("via")
    } else if starts(&["을", "를"]) {
        Role::Object
    } else if starts(&["이", "가", "은", "는"]) {
        Role::Subject
    } else if starts(&["와", "과", "하고", "및"]) {
        Role::And
    } else if starts(&["에게", "한테", "에 "]) || t == "에" {
        Role::Prep("to")
    } else {
        Role::None
    }
}

/// Whether the text after a verb key makes it a verb (`정렬하는`, `정렬된`, `저장해`).
fn verbal_tail(tail: &str) -> bool {
    [
        "하", "해", "했", "한", "할", "함", "합", "되", "돼", "됐", "된", "될", "됨", "시키",
    ]
    .iter()
    .any(|p| tail.starts_with(p))
}

/// Marks `[start, end)` taken; false when any of it already was.
fn take(taken: &mut [bool], start: usize, end: usize) -> bool {
    if taken[start..end].iter().any(|t| *t) {
        return false;
    }
    taken[start..end].iter_mut().for_each(|t| *t = true);
    true
}

/// Every non-overlapping occurrence of each key, in the order given.
fn find_all<'k, T: Clone>(
    lower: &str,
    keys: impl Iterator<Item = (&'k str, T)>,
    taken: &mut [bool],
    out: &mut Vec<(usize, usize, T)>,
) {
    for (key, value) in keys {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(key) {
            let at = from + pos;
            let end = at + key.len();
            if take(taken, at, end) {
                out.push((at, end, value.clone()));
            }
            from = end;
        }
    }
}

pub(super) fn korean(lower: &str, dict: &Dictionary) -> Request {
    let mut request = Request::default();
    // The kind: the last kind word (Korean puts it before 이름 at the end).
    let mut kind_at: Option<(usize, Kind)> = None;
    for (word, kind) in KO_KINDS {
        if let Some(pos) = lower.rfind(word)
            && kind_at.is_none_or(|(p, _)| pos > p)
        {
            kind_at = Some((pos, *kind));
        }
    }
    let mut kind = kind_at.map(|(_, k)| k);
    // A boolean: a marker, and a kind that does not say otherwise (a function that checks
    // whether … is a predicate, named like a boolean).
    let marker = KO_BOOLEAN.iter().find(|(m, _)| lower.contains(m));
    if let Some((_, prefix)) = marker
        && matches!(
            kind,
            None | Some(Kind::Variable | Kind::Function | Kind::Boolean)
        )
    {
        kind = Some(Kind::Boolean);
        request.prefix = Some(prefix.unwrap_or(Prefix::Is));
    }
    request.kind = kind;

    let mut taken = vec![false; lower.len()];
    let mut found: Vec<(usize, usize, Found)> = Vec::new();
    // `이름` is the request's own word after a kind word or before 추천/지어/…; else a noun.
    for (at, _) in lower.match_indices("이름") {
        let before = lower[..at].trim_end();
        let after = lower[at + "이름".len()..].trim_start_matches(['을', '은', '이', '좀', ' ']);
        let request_word = KO_KINDS.iter().any(|(k, _)| before.ends_with(k))
            || after.is_empty()
            || ["추천", "지어", "짓", "뭐", "알려", "좀", "부탁"]
                .iter()
                .any(|w| after.starts_with(w));
        if request_word && take(&mut taken, at, at + "이름".len()) {
            found.push((at, at + "이름".len(), Found::Break));
        }
    }
    let mut breaks: Vec<(&str, Found)> = KO_KINDS.iter().map(|(w, _)| (*w, Found::Break)).collect();
    breaks.extend(KO_FLUFF.iter().map(|w| (*w, Found::Break)));
    // Boolean markers end phrases too, but a copula marker must stay readable as a tail.
    breaks.extend(
        KO_BOOLEAN
            .iter()
            .filter(|(m, _)| {
                !["인", "한", "했", "됐", "되", "불", "플"]
                    .iter()
                    .any(|p| m.starts_with(p))
            })
            .map(|(m, _)| (*m, Found::Break)),
    );
    breaks.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    // Dictionary keys first (longest first), so that `이름` inside a longer key stays.
    let keys: Vec<(&str, Found)> = dict
        .korean
        .iter()
        .map(|(k, s)| (k.as_str(), Found::Term(*s)))
        .collect();
    let mut terms = Vec::new();
    find_all(lower, keys.into_iter(), &mut taken, &mut terms);
    // A native stem needs an ending right after it, else it was a false match.
    terms.retain(|(start, end, f)| match f {
        Found::Term(Sense::Verb { stem: true, .. }) if lower[*start..*end].chars().count() == 1 => {
            lower[*end..].chars().next().is_some_and(is_hangul)
        }
        _ => true,
    });
    let mut taken = vec![false; lower.len()];
    for (s, e, _) in found.iter().chain(&terms) {
        take(&mut taken, *s, *e);
    }
    find_all(lower, breaks.into_iter(), &mut taken, &mut found);
    found.extend(terms);
    // Latin words inside Korean text.
    let mut i = 0;
    let bytes = lower.as_bytes();
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            if !taken[start..i].iter().any(|t| *t) {
                found.push((start, i, Found::Latin(lower[start..i].to_owned())));
            }
        } else {
            i += 1;
        }
    }
    found.sort_by_key(|(s, _, _)| *s);

    let boolean = request.kind == Some(Kind::Boolean);
    let mut phrase: Vec<String> = Vec::new();
    let mut verb_nouns: Vec<(usize, usize)> = Vec::new(); // (phrase index, verb)
    let mut verbal: Option<usize> = None;
    let mut objects: Vec<String> = Vec::new();
    let mut subject: Vec<String> = Vec::new();
    let mut predicate: Vec<String> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut after_adjective = false;

    // Where each phrase's words go once its role is known.
    let flush = |phrase: &mut Vec<String>,
                 role: Role,
                 request: &mut Request,
                 objects: &mut Vec<String>,
                 subject: &mut Vec<String>,
                 predicate: &mut Vec<String>,
                 rest: &mut Vec<String>| {
        if phrase.is_empty() {
            return;
        }
        let words = std::mem::take(phrase);
        match role {
            Role::Object => objects.extend(words),
            Role::Subject => subject.extend(words),
            Role::Predicate => predicate.extend(words),
            Role::Prep(prep) => request.quals.push(Qualifier { prep, words }),
            Role::And | Role::None => rest.extend(words),
        }
    };

    for (n, (start, end, item)) in found.iter().enumerate() {
        let next_start = found.get(n + 1).map_or(lower.len(), |(s, _, _)| *s);
        let tail = &lower[*end..next_start.max(*end)];
        let glued = !tail.starts_with(' ') && !tail.is_empty();
        let _ = start;
        match item {
            Found::Break => {
                flush(
                    &mut phrase,
                    Role::None,
                    &mut request,
                    &mut objects,
                    &mut subject,
                    &mut predicate,
                    &mut rest,
                );
                continue;
            }
            Found::Latin(word) => phrase.push(word.clone()),
            Found::Term(Sense::Noun(i)) => {
                let en = dict.noun_en(*i);
                if !(boolean && after_adjective && matches!(en, "status" | "state")) {
                    phrase.extend(words_of(en));
                }
            }
            Found::Term(Sense::Adjective(i)) => {
                let en = dict.adjective_en(*i);
                if boolean {
                    // What came before is the subject (활성 사용자인지 → user is active).
                    predicate.extend(words_of(en));
                    after_adjective = true;
                } else {
                    phrase.extend(words_of(en));
                }
            }
            Found::Term(Sense::Verb { verb, stem }) => {
                let v = &dict.verbs[*verb];
                let after = &lower[*end..];
                if *stem || verbal_tail(after) {
                    // The words before it are its object when no particle said otherwise.
                    flush(
                        &mut phrase,
                        Role::Object,
                        &mut request,
                        &mut objects,
                        &mut subject,
                        &mut predicate,
                        &mut rest,
                    );
                    verbal = Some(*verb);
                    // A passive or past form in a boolean is its predicate: 취소되었는지.
                    if boolean
                        && request.prefix == Some(Prefix::Is)
                        && ["되", "됐", "된", "했", "한지"]
                            .iter()
                            .any(|p| after.starts_with(p))
                    {
                        predicate.extend(words_of(&v.past));
                    }
                    continue;
                }
                verb_nouns.push((rest.len() + objects.len() + phrase.len(), *verb));
                phrase.extend(words_of(v.as_noun()));
            }
        }
        let role = role_of(tail, glued);
        match role {
            Role::None => {}
            Role::And => phrase.push("and".into()),
            role => flush(
                &mut phrase,
                role,
                &mut request,
                &mut objects,
                &mut subject,
                &mut predicate,
                &mut rest,
            ),
        }
    }
    flush(
        &mut phrase,
        Role::None,
        &mut request,
        &mut objects,
        &mut subject,
        &mut predicate,
        &mut rest,
    );
    objects.extend(rest);
    while objects.last().is_some_and(|w| w == "and") {
        objects.pop();
    }
    // A verb-noun before the kind word acts as the verb of a function (이메일 검증 함수).
    if verbal.is_none()
        && matches!(request.kind(), Kind::Function | Kind::Class)
        && let Some((_, verb)) = verb_nouns.last()
    {
        let noun: Vec<String> = words_of(dict.verbs[*verb].as_noun()).collect();
        if let Some(pos) = objects
            .windows(noun.len())
            .rposition(|w| w == noun.as_slice())
        {
            objects.drain(pos..pos + noun.len());
            verbal = Some(*verb);
        }
    }
    request.verb = verbal;
    request.object = objects;
    request.subject = subject;
    request.predicate = predicate;
    request
}

// ---------------------------------------------------------------------------------------
// English
