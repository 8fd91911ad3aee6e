//! Candidate names for a parsed request, best first, as lower-case words with a one-line
//! reason in Korean and English. Cases are applied later ([`super::style`]); duplicates
//! after that are dropped by the caller.

use super::dict::{Dictionary, Verb};
use super::parse::{Kind, Request, singular_of};
use super::style::{Lang, Style};

mod kinds;
use kinds::{boolean, class, constant};

/// One suggested name before its case is applied.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub words: Vec<String>,
    /// The case to write it in: the request's kind, or another (Go's exported name).
    pub kind: Kind,
    /// Write it in PascalCase whatever the style says (Go's exported form).
    pub exported: bool,
    /// A suffix after the cased name (a file extension, Ruby's `?`).
    pub suffix: &'static str,
    pub ko: String,
    pub en: String,
}

fn words(text: &str) -> Vec<String> {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn join(parts: &[&[String]]) -> Vec<String> {
    parts.iter().flat_map(|p| p.iter().cloned()).collect()
}

struct Out {
    kind: Kind,
    list: Vec<Candidate>,
}

impl Out {
    fn push(&mut self, words: Vec<String>, ko: impl Into<String>, en: impl Into<String>) {
        if words.is_empty() || self.list.iter().any(|c| c.words == words) {
            return;
        }
        self.list.push(Candidate {
            words,
            kind: self.kind,
            exported: false,
            suffix: "",
            ko: ko.into(),
            en: en.into(),
        });
    }
}

/// Objects that say little on their own: a function over them is named by its verb alone.
fn generic(object: &[String]) -> bool {
    object.is_empty()
        || matches!(
            object
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["numbers"] | ["two", "numbers"] | ["values"] | ["value"] | ["data"]
        )
}

/// The qualifiers as words: `by signup date`, `from db`.
fn qualifier_words(request: &Request) -> Vec<String> {
    let mut out = Vec::new();
    for q in &request.quals {
        out.push(q.prep.to_owned());
        out.extend(q.words.iter().cloned());
    }
    out
}

/// The candidates for a request, best first.
pub fn candidates(request: &Request, dict: &Dictionary, style: Style) -> Vec<Candidate> {
    let kind = request.kind();
    let mut out = Out {
        kind,
        list: Vec::new(),
    };
    let verb = request.verb.map(|v| &dict.verbs[v]);
    match kind {
        Kind::Function => function(&mut out, request, verb, style),
        Kind::Boolean => boolean(&mut out, request, verb, style),
        Kind::Class => class(&mut out, request, verb, style),
        Kind::Constant => constant(&mut out, request, dict, style),
        Kind::Variable => variable(&mut out, request, verb, dict),
        Kind::File => file(&mut out, request, verb, style),
    }
    // Go: the exported form of the best name, when there is room for it.
    if style.lang == Lang::Go
        && matches!(kind, Kind::Function | Kind::Constant | Kind::Variable)
        && out.list.len() < 5
        && let Some(best) = out.list.first().cloned()
    {
        out.list.push(Candidate {
            exported: true,
            ko: "패키지 밖으로 공개한다면 Go에서는 첫 글자를 대문자로 써요".into(),
            en: "the exported form: Go makes a name public by its capital first letter".into(),
            ..best
        });
    }
    out.list.truncate(5);
    out.list
}

fn function(out: &mut Out, request: &Request, verb: Option<&Verb>, style: Style) {
    let (v, alts, result): (String, Vec<String>, Option<String>) = match verb {
        Some(verb) => (verb.en.clone(), verb.alts.clone(), verb.result.clone()),
        None => match &request.other_verb {
            Some(other) => (other.clone(), Vec::new(), None),
            None => ("get".into(), vec!["fetch".into(), "load".into()], None),
        },
    };
    let v_words = words(&v);
    let object = request.object.clone();
    let quals = qualifier_words(request);
    let has_quals = !quals.is_empty();
    let full = join(&[&v_words, &object, &quals]);
    if generic(&object) && !has_quals {
        out.push(
            v_words.clone(),
            "인자가 무엇인지 분명하면 동사 하나로 충분해요",
            "one verb is enough when the arguments say the rest",
        );
    }
    out.push(
        full.clone(),
        if has_quals {
            "동사 + 대상 + 기준을 모두 담아 무엇을 어떻게 하는지 한눈에 보여요"
        } else {
            "동사 + 대상으로 무엇을 하는지 바로 보여요"
        },
        if has_quals {
            "verb + object + criterion: says what it does and how"
        } else {
            "verb + object: says exactly what it does"
        },
    );
    // Getters in languages that leave out `get`: `user_by_id`, `users`.
    if v == "get" && style.lang.bare_getters() && !object.is_empty() {
        out.push(
            join(&[&object, &quals]),
            format!(
                "{} 게터는 `get` 없이 돌려주는 것의 이름만 써요",
                style.lang.display().unwrap_or("이 언어의")
            ),
            format!(
                "{} getters leave out `get` and name what they return",
                style.lang.display().unwrap_or("This language's")
            ),
        );
    }
    if let Some(result) = result.as_ref().filter(|r| **r == v) {
        // count → order_count_by_user: the result named like a value.
        let mut named: Vec<String> = object.clone();
        if let (Some(last), Some(d)) = (named.last_mut(), super::dict::get()) {
            *last = singular_of(d, last);
        }
        named.push(result.clone());
        out.push(
            join(&[&named, &quals]),
            "결과 값의 이름처럼 읽혀서 값을 돌려주는 함수에 잘 맞아요",
            "reads like the value it returns",
        );
    }
    if let Some(result) = result.as_ref().filter(|r| **r != v) {
        let noun = words(result);
        out.push(
            join(&[&words("calculate"), &noun]),
            "계산한 결과를 돌려준다는 뜻이 분명해요",
            "says it returns a computed result",
        );
        out.push(
            join(&[&words("compute"), &noun]),
            "`calculate`보다 짧은, 같은 뜻의 동사예요",
            "a shorter synonym of calculate",
        );
    }
    if v == "sort" {
        out.push(
            join(&[&words("sorted"), &object, &quals]),
            "원본을 두고 정렬된 새 목록을 돌려준다면 과거분사로 써요",
            "when it returns a new sorted list and leaves the input alone",
        );
    }
    if has_quals {
        out.push(
            join(&[&v_words, &object]),
            "기준을 인자로 받는다면 더 짧게 써도 돼요",
            "shorter, when the criterion is a parameter",
        );
    }
    for alt in alts
        .iter()
        .filter(|a| result.is_none() || !matches!(a.as_str(), "calculate" | "compute"))
        .take(2)
    {
        if alt == "to" && !object.is_empty() {
            // `to_date`-style conversions name the target.
            let target = request
                .quals
                .iter()
                .find(|q| q.prep == "to")
                .map(|q| q.words.clone());
            if let Some(target) = target {
                out.push(
                    join(&[&words("to"), &target]),
                    "변환 결과의 타입을 이름으로 삼는 흔한 관례예요",
                    "the common `to_<target>` style for conversions",
                );
            }
            continue;
        }
        out.push(
            join(&[&words(alt), &object, &quals]),
            format!("`{alt}`도 같은 뜻으로 자주 써요"),
            format!("`{alt}` is a common synonym"),
        );
    }
    if out.list.len() < 3 && !object.is_empty() {
        if v != "get" {
            out.push(
                join(&[&words("get"), &object, &quals]),
                "값을 돌려주기만 하고 부수 효과가 없다면 `get`도 자연스러워요",
                "`get` reads well when it only returns the value",
            );
        }
        out.push(
            join(&[&object, &quals]),
            "속성처럼 읽히게 결과 이름만 쓰는 방식이에요",
            "names just the result, read like a property",
        );
    }
    if object.is_empty() && !has_quals {
        out.push(
            join(&[&v_words, &words("value")]),
            "다루는 값이 무엇인지 정해지지 않았을 때",
            "when what it works on is not settled yet",
        );
        out.push(
            join(&[&words("handle"), &v_words]),
            "이벤트나 요청을 받아 처리하는 함수라면",
            "for a function that reacts to an event or a request",
        );
    }
}

/// Verbs that only say a variable holds something (`저장할 변수`).
fn holding(verb: Option<&Verb>) -> Option<&Verb> {
    verb.filter(|v| !matches!(v.en.as_str(), "save" | "display" | "get" | "load"))
}

fn variable(out: &mut Out, request: &Request, verb: Option<&Verb>, dict: &Dictionary) {
    let verb = holding(verb);
    let object = request.object.clone();
    let quals = qualifier_words(request);
    let base = if object.is_empty() {
        words("value")
    } else {
        object.clone()
    };
    if let Some(v) = verb {
        if let Some(result) = &v.result {
            out.push(
                words(result),
                "계산 결과를 뜻하는 명사 하나로 담긴 값을 말해요",
                "the noun for the computed result",
            );
        }
        out.push(
            join(&[&words(&v.past), &base, &quals]),
            "어떤 처리를 거친 값인지 과거분사로 밝혀요",
            "the participle says what was done to it",
        );
    }
    out.push(
        join(&[&base, &quals]),
        if quals.is_empty() {
            "담긴 값을 그대로 설명하는 명사예요"
        } else {
            "담긴 값과 기준을 함께 밝힌 명사예요"
        },
        if quals.is_empty() {
            "a noun that says what it holds"
        } else {
            "a noun for what it holds and how it is organised"
        },
    );
    if request.listed
        && let Some(last) = base.last()
    {
        let singular = base[..base.len() - 1]
            .iter()
            .cloned()
            .chain([singular_of(dict, last), "list".to_owned()])
            .collect();
        out.push(
            singular,
            "목록임을 `list`로 분명히 드러낼 때",
            "says it is a list in so many words",
        );
    }
    out.push(
        join(&[&words("current"), &base]),
        "지금 상태의 값을 담는다면",
        "for the current state",
    );
    out.push(
        join(&[&base, &words("value")]),
        "값 자체임을 강조할 때",
        "stresses that it is a value",
    );
    if !quals.is_empty() {
        out.push(
            base.clone(),
            "기준이 문맥에서 분명하면 더 짧게",
            "shorter, when the criterion is clear from context",
        );
    }
}

fn file(out: &mut Out, request: &Request, verb: Option<&Verb>, style: Style) {
    let noun: Vec<String> = request
        .object
        .iter()
        .filter(|w| *w != "file" && *w != "name")
        .cloned()
        .collect();
    let noun = if noun.is_empty() { words("main") } else { noun };
    let ext = style.lang.extension();
    let mut push = |words: Vec<String>, ko: &str, en: &str| {
        out.push(words, ko, en);
        if let Some(last) = out.list.last_mut() {
            last.suffix = ext;
        }
    };
    if let Some(v) = verb {
        push(
            join(&[&noun, &words(&v.agent)]),
            "담긴 코드의 역할(대상 + 행위자 명사)을 파일 이름이 말해 줘요",
            "says what the code inside does: object + agent noun",
        );
    }
    push(
        noun.clone(),
        "다루는 대상 하나로 모듈을 묶는 이름이에요",
        "one module per subject",
    );
    push(
        join(&[&noun, &words("utils")]),
        "작은 도우미 함수 모음이라면 (너무 커지면 나누세요)",
        "for a few helper functions (split it when it grows)",
    );
    push(
        join(&[&noun, &words("service")]),
        "비즈니스 로직을 담는 파일이라면",
        "for business logic",
    );
}
