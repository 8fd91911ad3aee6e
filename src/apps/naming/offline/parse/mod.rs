//! Reading a request: what kind of identifier is asked for, its verb, its object, its
//! qualifiers (`가입일 순으로` → by signup date, `DB에서` → from db, `문자열을 날짜로` → to
//! date) and, for booleans, the prefix (is/has/can/should), subject and predicate.
//!
//! Korean is read by the dictionary's keys found in the text (longest first, so compounds
//! such as `재시도횟수` split too) and by what follows each one: a particle (을/를 ends the
//! object, 이/가 the subject, 에서 starts "from", (으)로 "to", 순/기준/별 "by", 마다/당
//! "per"), a verb ending after a verb (`정렬하는`), or a copula for a boolean (`관리자인지`).
//! English is read word by word: the first verb, the words after it up to a preposition
//! as the object, and each preposition's words as a qualifier (`X of Y` reads `Y X`).

mod english;
mod korean;
mod korean_words;

use super::dict::{Dictionary, Sense};
use english::english;
use korean::korean;

/// What is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Function,
    Variable,
    Constant,
    Boolean,
    Class,
    File,
}

/// The prefix of a boolean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefix {
    Is,
    Has,
    Can,
    Should,
}

impl Prefix {
    pub fn word(self) -> &'static str {
        match self {
            Prefix::Is => "is",
            Prefix::Has => "has",
            Prefix::Can => "can",
            Prefix::Should => "should",
        }
    }
}

/// A qualifier: a preposition and its words (`by` + `signup date`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qualifier {
    pub prep: &'static str,
    pub words: Vec<String>,
}

/// What a request asks to name.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub kind: Option<Kind>,
    /// Index of the verb in the dictionary.
    pub verb: Option<usize>,
    /// An English verb the dictionary does not know (used as it is).
    pub other_verb: Option<String>,
    /// The object as English words, singular or plural as asked.
    pub object: Vec<String>,
    /// Whether the object was a list of things (`사용자 목록`, `list of users`).
    pub listed: bool,
    pub quals: Vec<Qualifier>,
    /// Booleans: who or what the predicate is about, and the predicate.
    pub subject: Vec<String>,
    pub predicate: Vec<String>,
    pub prefix: Option<Prefix>,
}

impl Request {
    pub fn kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::Function)
    }
}

/// The singular of a plural the dictionary knows (`users` → `user`), else the word.
pub fn singular_of(dict: &Dictionary, word: &str) -> String {
    for cut in ["ies", "es", "s"] {
        if let Some(stem) = word.strip_suffix(cut) {
            let candidate = if cut == "ies" {
                format!("{stem}y")
            } else {
                stem.to_owned()
            };
            if dict.plural(&candidate) == word {
                return candidate;
            }
        }
    }
    word.to_owned()
}

/// Splits dictionary phrases (`signup date`) into words.
fn words_of(phrase: &str) -> impl Iterator<Item = String> + '_ {
    phrase
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
}

/// Whether a character is a Hangul syllable or jamo.
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Reads a request in Korean (when it has Hangul) or English.
pub fn parse(text: &str, dict: &Dictionary) -> Request {
    let lower = text.to_lowercase();
    let mut request = if lower.chars().any(is_hangul) {
        korean(&lower, dict)
    } else {
        english(&lower, dict)
    };
    finish(&mut request, dict);
    request
}

/// Common last steps: `X list` → plural X, empty objects, duplicates.
fn finish(request: &mut Request, dict: &Dictionary) {
    let class = request.kind() == Kind::Class;
    let obj = &mut request.object;
    if obj.len() >= 2 && matches!(obj.last().map(String::as_str), Some("list" | "array")) && !class
    {
        obj.pop();
        if let Some(last) = obj.pop() {
            obj.push(dict.plural(&last));
        }
        request.listed = true;
    }
    obj.dedup();
    // (으)로 is "to" for conversions and moves, else "by" (사용자 ID로 조회 → by id).
    let verb = request.verb.map(|v| dict.verbs[v].en.as_str());
    let to_verbs = [
        "convert",
        "parse",
        "format",
        "encode",
        "decode",
        "serialize",
        "deserialize",
        "move",
        "copy",
        "export",
        "resize",
        "round",
        "send",
        "upload",
        "download",
        "compress",
    ];
    for q in &mut request.quals {
        if q.prep == "via" {
            q.prep = if verb.is_some_and(|v| to_verbs.contains(&v)) && verb != Some("send") {
                "to"
            } else {
                "by"
            };
        }
        q.words.dedup();
        // by user id after the object user → by id.
        let head = request.object.last().map(|w| singular_of(dict, w));
        while q.words.len() > 1 && head.as_deref() == q.words.first().map(String::as_str) {
            q.words.remove(0);
        }
    }
    // Verbs over collections take the plural: 상품을 그룹화 → group products.
    if verb.is_some_and(|v| {
        [
            "sort", "filter", "group", "count", "merge", "paginate", "shuffle", "list",
        ]
        .contains(&v)
    }) && request.kind() == Kind::Function
        && let Some(last) = request.object.last_mut()
        && !matches!(last.as_str(), "data" | "info" | "sales")
    {
        *last = dict.plural(last);
    }
    request.quals.retain(|q| !q.words.is_empty());
}

// ---------------------------------------------------------------------------------------
// Korean

#[cfg(test)]
mod tests {
    use super::super::dict;
    use super::*;

    fn p(text: &str) -> Request {
        parse(text, dict::get().expect("dictionary"))
    }

    fn verb(r: &Request) -> Option<&str> {
        let d = dict::get().expect("dictionary");
        r.verb.map(|v| d.verbs[v].en.as_str())
    }

    #[test]
    fn korean_object_verb_and_qualifier() {
        let r = p("사용자 목록을 가입일 순으로 정렬하는 함수 이름");
        assert_eq!(r.kind(), Kind::Function);
        assert_eq!(verb(&r), Some("sort"));
        assert_eq!(r.object, ["users"]);
        assert_eq!(
            r.quals,
            [Qualifier {
                prep: "by",
                words: vec!["signup".into(), "date".into()]
            }]
        );
    }

    #[test]
    fn korean_constant_keeps_every_noun() {
        let r = p("HTTP 요청 재시도 횟수 상수 이름");
        assert_eq!(r.kind(), Kind::Constant);
        assert_eq!(r.verb, None);
        assert_eq!(r.object, ["http", "request", "retry", "count"]);
    }

    #[test]
    fn english_verb_object_qualifier() {
        let r = p("name for a function that sorts users by signup date");
        assert_eq!(verb(&r), Some("sort"));
        assert_eq!(r.object, ["users"]);
        assert_eq!(r.quals[0].prep, "by");
        let r = p("variable for the total price of the cart");
        assert_eq!(r.kind(), Kind::Variable);
        assert_eq!(r.object, ["cart", "total", "price"]);
    }

    #[test]
    fn booleans_find_prefix_subject_and_predicate() {
        let r = p("사용자가 활성 상태인지 나타내는 변수");
        assert_eq!(r.kind(), Kind::Boolean);
        assert_eq!(r.prefix, Some(Prefix::Is));
        assert_eq!(r.subject, ["user"]);
        assert_eq!(r.predicate, ["active"]);
        let r = p("whether the user can edit the post");
        assert_eq!(r.prefix, Some(Prefix::Can));
        assert_eq!(verb(&r), Some("edit"));
        assert_eq!(r.object, ["post"]);
    }
}
