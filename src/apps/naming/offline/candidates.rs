//! Candidate names for each kind of identifier, as lower-case words with the reason for
//! each in Korean and English, best first (rule 3 of the module documentation).

use super::words::result_noun;
use super::{Kind, Request};

/// One suggested name before its case is applied.
pub(super) struct Candidate {
    pub words: Vec<String>,
    pub ko: &'static str,
    pub en: &'static str,
}

fn candidate(words: Vec<String>, ko: &'static str, en: &'static str) -> Candidate {
    Candidate { words, ko, en }
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

/// The candidates for a request, best first; duplicates are left to the caller.
pub(super) fn candidates(request: &Request) -> Vec<Candidate> {
    match request.kind {
        Kind::Function => function(request),
        Kind::Boolean => boolean(&request.subject),
        Kind::Class => class(&request.subject),
        Kind::Constant => constant(&request.subject),
        Kind::Variable => variable(request),
    }
}

/// Verb first: the verb alone, verb + object, then alternative verbs over the result noun.
fn function(request: &Request) -> Vec<Candidate> {
    let v = request.verb.clone().unwrap_or_else(|| "handle".into());
    let result = result_noun(&v);
    let mut out = vec![candidate(
        vec![v.clone()],
        "짧고 동작을 바로 드러내는 동사 하나",
        "one verb that says exactly what it does",
    )];
    let mut vo = vec![v.clone()];
    vo.extend(request.objects.iter().cloned());
    if vo.len() > 1 {
        out.push(candidate(
            vo,
            "동사 + 대상으로 무엇을 다루는지까지 명시",
            "verb + object: also says what it works on",
        ));
    }
    let noun = result
        .map(str::to_owned)
        .unwrap_or_else(|| request.subject.join(" "));
    let noun_words: Vec<String> = noun.split(' ').map(str::to_owned).collect();
    for (alt, ko_r, en_r) in [
        (
            "calculate",
            "계산 결과를 돌려준다는 뜻이 분명한 접두사",
            "'calculate' signals a computed result",
        ),
        (
            "compute",
            "calculate보다 짧은 계산 동사",
            "a shorter synonym of calculate",
        ),
        (
            "get",
            "값을 돌려주는 함수에 흔한 접두사(부수 효과가 없을 때)",
            "common for functions that return a value without side effects",
        ),
    ] {
        if alt != v {
            let mut n = vec![alt.to_owned()];
            n.extend(noun_words.iter().cloned());
            out.push(candidate(n, ko_r, en_r));
        }
    }
    out
}

/// `is`/`has`/`can`/`should` + the subject.
fn boolean(subject: &[String]) -> Vec<Candidate> {
    [
        (
            "is",
            "상태를 묻는 불리언의 기본 접두사",
            "the usual prefix for a state",
        ),
        ("has", "무언가를 가졌는지 나타낼 때", "for possession"),
        ("can", "가능 여부를 나타낼 때", "for ability or permission"),
        ("should", "해야 하는지를 나타낼 때", "for a decision"),
    ]
    .into_iter()
    .map(|(p, ko_r, en_r)| {
        let mut n = vec![p.to_owned()];
        n.extend(subject.iter().cloned());
        candidate(n, ko_r, en_r)
    })
    .collect()
}

/// The subject as a noun, alone or with a role suffix.
fn class(subject: &[String]) -> Vec<Candidate> {
    [
        (
            "",
            "역할이 분명하면 명사 그대로",
            "the plain noun when the role is obvious",
        ),
        (
            "service",
            "비즈니스 로직을 담을 때",
            "when it holds business logic",
        ),
        (
            "repository",
            "저장소 접근을 담당할 때",
            "when it talks to storage",
        ),
        (
            "manager",
            "여러 객체의 수명을 관리할 때(남용 주의)",
            "when it manages other objects' lifetimes (use sparingly)",
        ),
    ]
    .into_iter()
    .map(|(suffix, ko_r, en_r)| {
        let mut n = subject.to_vec();
        if !suffix.is_empty() {
            n.push(suffix.to_owned());
        }
        candidate(n, ko_r, en_r)
    })
    .collect()
}

/// The subject as a noun, and as a maximum, a default or a limit.
fn constant(subject: &[String]) -> Vec<Candidate> {
    vec![
        candidate(
            subject.to_vec(),
            "의미를 담은 명사",
            "the meaning as a noun",
        ),
        candidate(
            [owned(&["max"]), subject.to_vec()].concat(),
            "상한값이라면",
            "when it is an upper bound",
        ),
        candidate(
            [owned(&["default"]), subject.to_vec()].concat(),
            "기본값이라면",
            "when it is a default",
        ),
        candidate(
            [subject.to_vec(), owned(&["limit"])].concat(),
            "제한값이라면",
            "when it is a limit",
        ),
    ]
}

/// A noun for what it holds (a verb's result noun when there is one), and variations.
fn variable(request: &Request) -> Vec<Candidate> {
    let mut base = request.subject.clone();
    if let Some(r) = request.verb.as_deref().and_then(result_noun) {
        base = vec![r.to_owned()];
    }
    vec![
        candidate(
            base.clone(),
            "담긴 값을 그대로 설명하는 명사",
            "a noun that says what it holds",
        ),
        candidate(
            [base.clone(), owned(&["value"])].concat(),
            "값임을 강조할 때",
            "stresses that it is a value",
        ),
        candidate(
            [owned(&["current"]), base.clone()].concat(),
            "현재 상태를 담을 때",
            "for the current state",
        ),
        candidate(
            [base, owned(&["list"])].concat(),
            "여러 개를 담는다면",
            "when it holds several",
        ),
    ]
}
