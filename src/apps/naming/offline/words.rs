//! The words of a request: Korean stems and English words reduced to lower-case English
//! meaning words, the verbs among them, and the noun a verb's result goes by.

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

/// Whether a meaning word is a verb.
pub(super) fn is_verb(word: &str) -> bool {
    VERBS.contains(&word)
}

/// Verb → the noun of its result, for `calculate_product`-style names.
pub(super) fn result_noun(verb: &str) -> Option<&'static str> {
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

/// Meaning words of a request, lower-case, in order of appearance.
pub(super) fn meaning_words(text: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_stems_and_english_words_give_meaning_words_in_order() {
        assert_eq!(
            meaning_words("두 수를 곱하는 함수"),
            ["two", "numbers", "multiply"]
        );
        assert_eq!(
            meaning_words("recommend names for a function that multiplies two numbers"),
            ["multiply", "two", "numbers"]
        );
        assert_eq!(meaning_words("class that stores orders"), ["orders"]);
    }

    #[test]
    fn verbs_have_result_nouns_where_one_is_usual() {
        assert!(is_verb("multiply") && !is_verb("numbers"));
        assert_eq!(result_noun("multiply"), Some("product"));
        assert_eq!(result_noun("fetch"), None);
    }
}
