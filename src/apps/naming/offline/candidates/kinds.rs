//! Candidates for booleans, classes and constants (functions, variables and files are in
//! the parent module).

use super::*;
use crate::apps::naming::offline::parse::Prefix;

pub(super) fn boolean(out: &mut Out, request: &Request, verb: Option<&Verb>, style: Style) {
    let prefix = request.prefix.unwrap_or(Prefix::Is);
    let subject = &request.subject;
    let object = &request.object;
    let predicate = &request.predicate;
    let p = words(prefix.word());
    match (prefix, verb) {
        (Prefix::Can | Prefix::Should, Some(v)) => {
            let v = words(&v.en);
            out.push(
                join(&[&p, &v, object]),
                if prefix == Prefix::Can {
                    "`can` + 동작: 할 수 있는지를 묻는 불리언의 관례예요"
                } else {
                    "`should` + 동작: 해야 하는지를 나타내는 관례예요"
                },
                if prefix == Prefix::Can {
                    "can + action: the usual form for a permission or ability"
                } else {
                    "should + action: the usual form for a decision"
                },
            );
            if !subject.is_empty() {
                out.push(
                    join(&[subject, &p, &v, object]),
                    "주어까지 넣으면 문장처럼 읽혀요",
                    "with its subject it reads like a sentence",
                );
            }
            out.push(
                join(&[&words("is"), &v, &words("allowed")]),
                "허용 여부를 상태로 표현할 때",
                "as a state: whether the action is allowed",
            );
            out.push(
                join(&[&words("has"), &v, &words("permission")]),
                "권한을 가졌는지로 표현할 때",
                "as a permission the caller holds",
            );
        }
        (Prefix::Has, _) => {
            let what = if object.is_empty() { predicate } else { object };
            out.push(
                join(&[&p, what]),
                "`has` + 명사: 무언가를 가졌는지 나타내는 관례예요",
                "has + noun: the usual form for possession",
            );
            if !subject.is_empty() {
                out.push(
                    join(&[subject, &p, what]),
                    "주어까지 넣으면 문장처럼 읽혀요",
                    "with its subject it reads like a sentence",
                );
            }
            out.push(
                join(&[&words("contains"), what]),
                "목록이나 문자열에 들어 있는지 볼 때",
                "when it looks inside a collection or a string",
            );
            out.push(
                join(&[&words("is"), what, &words("present")]),
                "있는지 없는지를 상태로 표현할 때",
                "as a state: whether it is there",
            );
        }
        _ => {
            // is + subject + predicate: is_user_active.
            let mut subject = subject.clone();
            let mut predicate = predicate.clone();
            if predicate.is_empty() {
                if let Some(v) = verb {
                    predicate = words(&v.past);
                    if subject.is_empty() {
                        subject = object.clone();
                    }
                } else {
                    predicate = object.clone();
                }
            } else if subject.is_empty() {
                subject = object.clone();
            }
            if predicate.is_empty() {
                predicate = std::mem::take(&mut subject);
            }
            out.push(
                join(&[&p, &subject, &predicate]),
                "`is` + 대상 + 상태: 참/거짓을 묻는 질문처럼 읽혀요",
                "is + subject + state: reads as a yes/no question",
            );
            out.push(
                join(&[&p, &predicate]),
                "대상 객체의 속성이나 메서드라면 더 짧게",
                "shorter, as a property or method of the subject",
            );
            if !subject.is_empty() {
                out.push(
                    join(&[&subject, &p, &predicate]),
                    "지역 변수라면 문장처럼 읽히는 순서도 좋아요",
                    "for a local, the sentence order reads well too",
                );
            }
            if out.list.len() < 3 {
                out.push(
                    predicate.clone(),
                    "형용사만으로 상태를 나타내는 간결한 방식이에요",
                    "the adjective alone, the shortest form",
                );
            }
            if out.list.len() < 3 {
                out.push(
                    join(&[&words("has"), &subject, &predicate, &words("status")]),
                    "상태 값을 가졌는지로 표현할 때",
                    "as a status the subject has",
                );
            }
        }
    }
    if style.lang == Lang::Ruby
        && let Some(first) = out.list.first().cloned()
    {
        let mut w = if request.predicate.is_empty() {
            first.words.clone()
        } else {
            request.predicate.clone()
        };
        if w.first().is_some_and(|x| x == "is") {
            w.remove(0);
        }
        out.list.insert(
            0,
            Candidate {
                words: w,
                suffix: "?",
                kind: Kind::Function,
                ko: "Ruby에서 참/거짓을 돌려주는 메서드는 물음표로 끝내요".into(),
                en: "Ruby predicate methods end with a question mark".into(),
                ..first
            },
        );
    }
}

pub(super) fn class(out: &mut Out, request: &Request, verb: Option<&Verb>, style: Style) {
    let mut noun = if request.object.is_empty() {
        words("item")
    } else {
        request.object.clone()
    };
    // A type names one thing: OrderRepository, not OrdersRepository.
    if let (Some(last), Some(d)) = (noun.last_mut(), super::super::dict::get()) {
        *last = singular_of(d, last);
    }
    if style.lang == Lang::Sql {
        out.push(
            join(&[&noun[..noun.len().saturating_sub(1)], &[plural_last(&noun)]]),
            "SQL 테이블 이름은 보통 복수형으로 써요",
            "SQL tables are usually plural snake_case",
        );
        out.push(
            noun.clone(),
            "단수형 규칙을 쓰는 팀이라면",
            "when the team's rule is singular table names",
        );
        out.push(
            join(&[&words("tb"), &noun]),
            "테이블 접두사를 붙이는 팀 규칙이라면",
            "when the team prefixes table names",
        );
        return;
    }
    if let Some(v) = verb {
        out.push(
            join(&[&noun, &words(&v.agent)]),
            "대상 + 하는 일을 맡은 이름(행위자 명사)으로 역할이 분명해요",
            "object + agent noun: says what it is responsible for",
        );
    } else {
        out.push(
            noun.clone(),
            "역할이 분명하면 명사 그대로가 가장 읽기 쉬워요",
            "the plain noun when the role is obvious",
        );
    }
    out.push(
        join(&[&noun, &words("service")]),
        "비즈니스 로직을 담는 클래스라면",
        "when it holds business logic",
    );
    out.push(
        join(&[&noun, &words("repository")]),
        "저장소 접근을 맡는 클래스라면",
        "when it talks to storage",
    );
    out.push(
        join(&[&noun, &words("manager")]),
        "여러 객체의 수명을 관리한다면 (뜻이 넓으니 아껴 쓰세요)",
        "when it manages other objects' lifetimes (a vague word: use sparingly)",
    );
}

fn plural_last(noun: &[String]) -> String {
    let last = noun.last().map(String::as_str).unwrap_or("item");
    match super::super::dict::get() {
        Some(d) => d.plural(last),
        None => format!("{last}s"),
    }
}

pub(super) fn constant(out: &mut Out, request: &Request, dict: &Dictionary, style: Style) {
    let mut base = request.object.clone();
    if let Some(v) = holding(request.verb.map(|v| &dict.verbs[v])) {
        base.extend(words(v.as_noun()));
    }
    // 로그인 시도 최대 횟수 → max login attempt count.
    if let Some(pos) = base.iter().position(|w| w == "max" || w == "min")
        && pos > 0
    {
        let w = base.remove(pos);
        base.insert(0, w);
    }
    base.extend(qualifier_words(request));
    if base.is_empty() {
        base = words("value");
    }
    let (case_note_ko, case_note_en) = match style.lang.case_for(Kind::Constant) {
        super::super::style::Case::Screaming => (
            "의미를 그대로 담은 대문자 상수 이름이에요",
            "the meaning, in the upper case constants take",
        ),
        _ => (
            "의미를 그대로 담은 이름이에요 (이 언어는 상수도 대문자로 쓰지 않아요)",
            "the meaning as it is (this language does not upper-case constants)",
        ),
    };
    let starts_max = base.first().is_some_and(|w| w == "max" || w == "min");
    let counted = base.last().is_some_and(|w| w == "count");
    if starts_max && counted && base.len() >= 3 {
        // MAX_LOGIN_ATTEMPTS: the bound on a count names the things counted.
        let mut things = base[..base.len() - 1].to_vec();
        if let Some(last) = things.pop() {
            things.push(dict.plural(&last));
        }
        out.push(
            things,
            "상한이 있는 횟수는 `MAX` + 세는 대상의 복수형이 가장 흔해요",
            "a bound on a count reads best as MAX + the things counted",
        );
    }
    out.push(base.clone(), case_note_ko, case_note_en);
    let starts_default = base.first().is_some_and(|w| w == "default");
    let rest: Vec<String> = base.iter().skip(1).cloned().collect();
    if starts_max && !rest.is_empty() {
        let core = if counted && rest.len() > 1 {
            &rest[..rest.len() - 1]
        } else {
            &rest[..]
        };
        out.push(
            join(&[core, &words("limit")]),
            "한도라는 뜻을 `LIMIT`으로 드러낼 때",
            "names it as a limit",
        );
        out.push(
            join(&[&base[..1], &words("allowed"), &rest]),
            "허용되는 최대(최소)라는 뜻을 더 분명히 할 때",
            "says plainly that it is the most (least) allowed",
        );
        return;
    }
    if starts_default && !rest.is_empty() {
        out.push(
            rest.clone(),
            "바뀌지 않는 고정값이라면 `DEFAULT` 없이",
            "without DEFAULT, when it never changes",
        );
        out.push(
            join(&[&words("max"), &rest]),
            "상한값이라면 `MAX` 접두사로 뜻이 분명해져요",
            "when it is an upper bound, MAX says so",
        );
        return;
    }
    if !starts_max {
        // MAX_HTTP_REQUEST_RETRIES: a count of something is usually its upper bound.
        let mut max = words("max");
        if counted && base.len() >= 2 {
            let mut things = base[..base.len() - 1].to_vec();
            if let Some(last) = things.pop() {
                things.push(dict.plural(&last));
            }
            max.extend(things);
        } else {
            max.extend(base.iter().cloned());
        }
        out.push(
            max,
            "상한값이라면 `MAX` 접두사로 뜻이 분명해져요",
            "when it is an upper bound, MAX says so",
        );
    }
    out.push(
        join(&[&words("default"), &base]),
        "설정으로 바꿀 수 있는 기본값이라면",
        "when it is a default that configuration may change",
    );
    if counted {
        let mut limit = base[..base.len() - 1].to_vec();
        limit.push("limit".into());
        out.push(
            limit,
            "횟수의 한도라는 뜻을 `LIMIT`으로 드러낼 때",
            "names it as a limit",
        );
    } else {
        out.push(
            join(&[&base, &words("limit")]),
            "제한값이라면",
            "when it is a limit",
        );
    }
}
