//! Offline identifier recommendations.
//!
//! Rules, in order:
//! 1. **What is named**: a boolean (is/has/can/whether, 여부/인지), a class or type
//!    (class/type/struct, 클래스/타입), a constant (constant, 상수), a variable (variable,
//!    변수) or, by default, a function (function/method, 함수/메서드).
//! 2. **Meaning words**: English words of the request minus stop-words, and Korean words
//!    found through a built-in dictionary matched on stems (곱하는 → multiply).
//! 3. **Candidates**: functions are verb-first (`multiply`, `multiply_numbers`) with
//!    alternative verbs over the result noun (`calculate_product`, `compute_product`,
//!    `get_product`); booleans get `is`/`has`/`can`; classes are nouns with a role suffix;
//!    constants are upper-case nouns; variables are nouns.
//! 4. **Case**: the room's `convention` when it names one (camelCase, snake_case,
//!    PascalCase, kebab-case, SCREAMING_SNAKE_CASE); otherwise the language's idiom
//!    (Python/Rust/Ruby snake_case, Java/JS/TS/Kotlin/Swift/Go/Dart camelCase, C# PascalCase
//!    methods, CSS kebab-case; classes PascalCase, constants SCREAMING_SNAKE everywhere).

use serde_json::Value;

/// A naming convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Camel,
    Snake,
    Pascal,
    Kebab,
    Screaming,
}

impl Case {
    fn label(self) -> &'static str {
        match self {
            Case::Camel => "camelCase",
            Case::Snake => "snake_case",
            Case::Pascal => "PascalCase",
            Case::Kebab => "kebab-case",
            Case::Screaming => "SCREAMING_SNAKE_CASE",
        }
    }
}

/// Joins lower-case words in a convention.
pub fn convert(words: &[String], case: Case) -> String {
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    match case {
        Case::Snake => words.join("_"),
        Case::Kebab => words.join("-"),
        Case::Screaming => words.join("_").to_uppercase(),
        Case::Pascal => words.iter().map(|w| cap(w)).collect(),
        Case::Camel => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { cap(w) })
            .collect(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Variable,
    Class,
    Constant,
    Boolean,
}

/// Korean stem → English words. Matched as substrings, longest first.
const KO: &[(&str, &str)] = &[
    ("두 수", "two numbers"),
    ("두 숫자", "two numbers"),
    ("곱하", "multiply"),
    ("곱셈", "multiply"),
    ("더하", "add"),
    ("덧셈", "add"),
    ("빼", "subtract"),
    ("나누", "divide"),
    ("사용자", "user"),
    ("유저", "user"),
    ("회원", "member"),
    ("목록", "list"),
    ("리스트", "list"),
    ("가져오", "fetch"),
    ("불러오", "load"),
    ("조회", "get"),
    ("저장", "save"),
    ("삭제", "delete"),
    ("지우", "delete"),
    ("검증", "validate"),
    ("유효", "valid"),
    ("계산", "calculate"),
    ("변환", "convert"),
    ("정렬", "sort"),
    ("검색", "search"),
    ("찾", "find"),
    ("개수", "count"),
    ("세", "count"),
    ("합계", "sum"),
    ("총합", "total"),
    ("평균", "average"),
    ("최대", "max"),
    ("최소", "min"),
    ("날짜", "date"),
    ("시간", "time"),
    ("파일", "file"),
    ("읽", "read"),
    ("쓰", "write"),
    ("보내", "send"),
    ("전송", "send"),
    ("받", "receive"),
    ("확인", "check"),
    ("생성", "create"),
    ("만들", "create"),
    ("수정", "update"),
    ("갱신", "update"),
    ("주문", "order"),
    ("결제", "payment"),
    ("로그인", "login"),
    ("로그아웃", "logout"),
    ("비밀번호", "password"),
    ("이메일", "email"),
    ("이름", "name"),
    ("가격", "price"),
    ("상품", "product"),
    ("장바구니", "cart"),
    ("이미지", "image"),
    ("주소", "address"),
    ("전화", "phone"),
    ("번호", "number"),
    ("숫자", "number"),
    ("문자열", "string"),
    ("배열", "array"),
    ("설정", "config"),
    ("환경", "config"),
    ("데이터", "data"),
    ("요청", "request"),
    ("응답", "response"),
    ("토큰", "token"),
    ("권한", "permission"),
    ("관리자", "admin"),
    ("게시글", "post"),
    ("댓글", "comment"),
    ("메시지", "message"),
    ("알림", "notification"),
    ("점수", "score"),
    ("결과", "result"),
    ("나이", "age"),
    ("할인", "discount"),
    ("재고", "stock"),
    ("배송", "shipping"),
    ("필터", "filter"),
    ("병합", "merge"),
    ("분리", "split"),
    ("연결", "connect"),
    ("초기화", "reset"),
    ("시작", "start"),
    ("종료", "stop"),
    ("업로드", "upload"),
    ("다운로드", "download"),
    ("암호화", "encrypt"),
    ("복호화", "decrypt"),
    ("캐시", "cache"),
    ("페이지", "page"),
    ("활성", "active"),
    ("로그", "log"),
];

const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "that",
    "this",
    "which",
    "who",
    "for",
    "of",
    "to",
    "and",
    "or",
    "in",
    "on",
    "with",
    "by",
    "from",
    "name",
    "names",
    "naming",
    "recommend",
    "recommendation",
    "suggest",
    "please",
    "give",
    "me",
    "some",
    "good",
    "function",
    "method",
    "variable",
    "class",
    "type",
    "constant",
    "boolean",
    "flag",
    "want",
    "need",
    "it",
    "is",
    "are",
    "what",
    "should",
    "i",
    "call",
    "would",
    "could",
    "can",
    "you",
    "my",
    "whether",
    "holds",
    "stores",
    "returns",
    "return",
    "value",
    "identifier",
    "its",
];

const VERBS: &[&str] = &[
    "multiply",
    "add",
    "subtract",
    "divide",
    "fetch",
    "load",
    "get",
    "save",
    "delete",
    "remove",
    "validate",
    "calculate",
    "compute",
    "convert",
    "sort",
    "search",
    "find",
    "count",
    "read",
    "write",
    "send",
    "receive",
    "check",
    "create",
    "update",
    "merge",
    "split",
    "connect",
    "reset",
    "start",
    "stop",
    "upload",
    "download",
    "encrypt",
    "decrypt",
    "parse",
    "format",
    "render",
    "filter",
    "build",
    "handle",
    "process",
    "open",
    "close",
    "print",
    "login",
    "logout",
    "sum",
];

/// Verb → the noun of its result, for `calculate_product`-style names.
fn result_noun(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "multiply" => "product",
        "add" | "sum" => "sum",
        "subtract" => "difference",
        "divide" => "quotient",
        "count" => "count",
        "calculate" | "compute" => "result",
        _ => return None,
    })
}

/// Whether a free-text message asks for a name.
pub fn looks_like_naming_request(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "name for",
        "names for",
        "naming",
        "변수명",
        "함수명",
        "이름 추천",
        "이름을 추천",
        "이름 지어",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

fn kind_of(text: &str) -> Kind {
    let lower = text.to_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| lower.contains(w));
    if has(&[
        "boolean",
        "flag",
        "whether",
        " is ",
        "여부",
        "인지",
        "불리언",
    ]) {
        Kind::Boolean
    } else if has(&["class", "struct", " type", "클래스", "타입", "구조체"]) {
        Kind::Class
    } else if has(&["constant", "상수"]) {
        Kind::Constant
    } else if has(&["variable", "변수"]) && !has(&["function", "method", "함수", "메서드"]) {
        Kind::Variable
    } else {
        Kind::Function
    }
}

/// Meaning words of a request, lower-case, in order of appearance.
fn meaning_words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut taken = vec![false; lower.len()];
    let mut dict: Vec<&(&str, &str)> = KO.iter().collect();
    dict.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    for (ko, en) in dict {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(ko) {
            let at = from + pos;
            if !taken[at..at + ko.len()].iter().any(|t| *t) {
                taken[at..at + ko.len()].iter_mut().for_each(|t| *t = true);
                found.push((at, (*en).to_owned()));
            }
            from = at + ko.len();
        }
    }
    let mut offset = 0;
    for word in lower.split(|c: char| !c.is_ascii_alphanumeric()) {
        let at = lower[offset..].find(word).map_or(offset, |p| offset + p);
        offset = at + word.len();
        if word.len() > 1
            && word.chars().all(|c| c.is_ascii_alphanumeric())
            && !STOP.contains(&word)
        {
            let w = match word {
                "multiplies" | "multiplying" => "multiply",
                "adds" | "adding" => "add",
                "numbers" => "numbers",
                other => other
                    .strip_suffix("es")
                    .filter(|s| VERBS.contains(s))
                    .or_else(|| other.strip_suffix('s').filter(|s| VERBS.contains(s)))
                    .unwrap_or(other),
            };
            found.push((at, w.to_owned()));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let mut words: Vec<String> = Vec::new();
    for (_, phrase) in found {
        for w in phrase.split(' ') {
            if !words.iter().any(|x| x == w) {
                words.push(w.to_owned());
            }
        }
    }
    words
}

fn case_for(settings: &Value, kind: Kind) -> (Case, String) {
    let convention = settings
        .get("convention")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let language = settings
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let named = [
        ("screaming", Case::Screaming),
        ("upper", Case::Screaming),
        ("snake", Case::Snake),
        ("kebab", Case::Kebab),
        ("pascal", Case::Pascal),
        ("upper camel", Case::Pascal),
        ("camel", Case::Camel),
    ];
    if let Some((_, case)) = named.iter().find(|(k, _)| convention.contains(k)) {
        return (*case, format!("the room's convention ({})", case.label()));
    }
    match kind {
        Kind::Class => {
            return (
                Case::Pascal,
                "type names are PascalCase in almost every language".into(),
            );
        }
        Kind::Constant => {
            return (
                Case::Screaming,
                "constants are SCREAMING_SNAKE_CASE by common convention".into(),
            );
        }
        _ => {}
    }
    let lang = language.trim();
    let case = if ["python", "rust", "ruby", "php", "sql", "elixir"]
        .iter()
        .any(|l| lang.starts_with(l))
    {
        Case::Snake
    } else if ["css", "scss", "html", "lisp", "clojure"]
        .iter()
        .any(|l| lang.starts_with(l))
    {
        Case::Kebab
    } else if (lang.starts_with("c#") || lang.starts_with("csharp") || lang.starts_with(".net"))
        && kind == Kind::Function
    {
        Case::Pascal
    } else {
        Case::Camel
    };
    let shown = if lang.is_empty() {
        "the default".to_owned()
    } else {
        language.trim().to_owned()
    };
    (case, format!("the usual style for {shown}"))
}

/// The naming assistant's offline answer.
pub fn answer(text: &str, settings: &Value, ko: bool) -> String {
    let kind = kind_of(text);
    let words = meaning_words(text);
    let (case, why) = case_for(settings, kind);
    let verb = words.iter().find(|w| VERBS.contains(&w.as_str())).cloned();
    let objects: Vec<String> = words
        .iter()
        .filter(|w| Some(*w) != verb.as_ref())
        .cloned()
        .collect();
    let subject: Vec<String> = if objects.is_empty() {
        vec!["value".into()]
    } else {
        objects.clone()
    };
    let w = |parts: &[&str]| parts.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let mut candidates: Vec<(Vec<String>, &str, &str)> = Vec::new();
    match kind {
        Kind::Function => {
            let v = verb.clone().unwrap_or_else(|| "handle".into());
            let result = result_noun(&v);
            candidates.push((
                vec![v.clone()],
                "짧고 동작을 바로 드러내는 동사 하나",
                "one verb that says exactly what it does",
            ));
            let mut vo = vec![v.clone()];
            vo.extend(objects.iter().cloned());
            if vo.len() > 1 {
                candidates.push((
                    vo,
                    "동사 + 대상으로 무엇을 다루는지까지 명시",
                    "verb + object: also says what it works on",
                ));
            }
            let noun = result
                .map(str::to_owned)
                .unwrap_or_else(|| subject.join(" "));
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
                    candidates.push((n, ko_r, en_r));
                }
            }
        }
        Kind::Boolean => {
            for (p, ko_r, en_r) in [
                (
                    "is",
                    "상태를 묻는 불리언의 기본 접두사",
                    "the usual prefix for a state",
                ),
                ("has", "무언가를 가졌는지 나타낼 때", "for possession"),
                ("can", "가능 여부를 나타낼 때", "for ability or permission"),
                ("should", "해야 하는지를 나타낼 때", "for a decision"),
            ] {
                let mut n = vec![p.to_owned()];
                n.extend(subject.iter().cloned());
                candidates.push((n, ko_r, en_r));
            }
        }
        Kind::Class => {
            for (suffix, ko_r, en_r) in [
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
            ] {
                let mut n = subject.clone();
                if !suffix.is_empty() {
                    n.push(suffix.to_owned());
                }
                candidates.push((n, ko_r, en_r));
            }
        }
        Kind::Constant => {
            candidates.push((subject.clone(), "의미를 담은 명사", "the meaning as a noun"));
            candidates.push((
                [w(&["max"]), subject.clone()].concat(),
                "상한값이라면",
                "when it is an upper bound",
            ));
            candidates.push((
                [w(&["default"]), subject.clone()].concat(),
                "기본값이라면",
                "when it is a default",
            ));
            candidates.push((
                [subject.clone(), w(&["limit"])].concat(),
                "제한값이라면",
                "when it is a limit",
            ));
        }
        Kind::Variable => {
            let mut base = subject.clone();
            if let Some(r) = verb.as_deref().and_then(result_noun) {
                base = vec![r.to_owned()];
            }
            candidates.push((
                base.clone(),
                "담긴 값을 그대로 설명하는 명사",
                "a noun that says what it holds",
            ));
            candidates.push((
                [base.clone(), w(&["value"])].concat(),
                "값임을 강조할 때",
                "stresses that it is a value",
            ));
            candidates.push((
                [w(&["current"]), base.clone()].concat(),
                "현재 상태를 담을 때",
                "for the current state",
            ));
            candidates.push((
                [base, w(&["list"])].concat(),
                "여러 개를 담는다면",
                "when it holds several",
            ));
        }
    }
    let mut seen = Vec::new();
    let mut lines = Vec::new();
    for (words, ko_r, en_r) in candidates {
        let name = convert(&words, case);
        if name.is_empty() || seen.contains(&name) {
            continue;
        }
        lines.push(format!("- `{name}` — {}", if ko { ko_r } else { en_r }));
        seen.push(name);
        if lines.len() == 6 {
            break;
        }
    }
    if ko {
        format!(
            "**confab 오프라인 도우미**의 이름 추천이에요:\n\n{}\n\n규칙: **{}** — {}. 언어 모델을 설정하면 문맥을 더 잘 반영한 추천을 받을 수 있어요.",
            lines.join("\n"),
            case.label(),
            why
        )
    } else {
        format!(
            "Name suggestions from **confab's offline assistant**:\n\n{}\n\nConvention: **{}** — {}. Configure a language model for suggestions that weigh more context.",
            lines.join("\n"),
            case.label(),
            why
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_case_converts() {
        let w = words(&["multiply", "two", "numbers"]);
        assert_eq!(convert(&w, Case::Camel), "multiplyTwoNumbers");
        assert_eq!(convert(&w, Case::Snake), "multiply_two_numbers");
        assert_eq!(convert(&w, Case::Pascal), "MultiplyTwoNumbers");
        assert_eq!(convert(&w, Case::Kebab), "multiply-two-numbers");
        assert_eq!(convert(&w, Case::Screaming), "MULTIPLY_TWO_NUMBERS");
    }

    #[test]
    fn english_and_korean_requests_give_the_same_kind_of_names() {
        let en = answer(
            "recommend names for a function that multiplies two numbers",
            &json!({"language": "python"}),
            false,
        );
        assert!(
            en.contains("`multiply`")
                && en.contains("`calculate_product`")
                && en.contains("snake_case"),
            "{en}"
        );
        let ko = answer(
            "두 수를 곱하는 함수 이름 추천해줘",
            &json!({"language": "JavaScript"}),
            true,
        );
        assert!(
            ko.contains("`multiply`")
                && ko.contains("`calculateProduct`")
                && ko.contains("camelCase"),
            "{ko}"
        );
    }

    #[test]
    fn an_explicit_convention_wins_and_kinds_are_detected() {
        let kebab = answer(
            "function that multiplies two numbers",
            &json!({"language": "python", "convention": "kebab-case"}),
            false,
        );
        assert!(kebab.contains("`calculate-product`"), "{kebab}");
        let boolean = answer(
            "boolean for whether the user is active",
            &json!({"language": "java"}),
            false,
        );
        assert!(
            boolean.contains("`isUserActive`") || boolean.contains("`isUser"),
            "{boolean}"
        );
        let class = answer(
            "class that stores orders",
            &json!({"language": "python"}),
            false,
        );
        assert!(class.contains("`Order"), "{class}");
        let constant = answer("상수: 최대 재시도 횟수", &json!({"language": "go"}), true);
        assert!(constant.contains("SCREAMING_SNAKE_CASE"), "{constant}");
    }
}
