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

use super::dict::{Dictionary, Sense};

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

/// Words that say what kind of identifier is asked for, and the kind.
const KO_KINDS: &[(&str, Kind)] = &[
    ("함수", Kind::Function),
    ("메서드", Kind::Function),
    ("메소드", Kind::Function),
    ("핸들러", Kind::Function),
    ("변수", Kind::Variable),
    ("필드", Kind::Variable),
    ("속성", Kind::Variable),
    ("프로퍼티", Kind::Variable),
    ("컬럼", Kind::Variable),
    ("칼럼", Kind::Variable),
    ("상수", Kind::Constant),
    ("클래스", Kind::Class),
    ("구조체", Kind::Class),
    ("인터페이스", Kind::Class),
    ("열거형", Kind::Class),
    ("타입", Kind::Class),
    ("모델", Kind::Class),
    ("테이블", Kind::Class),
    ("파일 이름", Kind::File),
    ("파일명", Kind::File),
    ("모듈 이름", Kind::File),
    ("모듈명", Kind::File),
    ("불리언", Kind::Boolean),
    ("불린", Kind::Boolean),
    ("플래그", Kind::Boolean),
];

/// Request words that carry no meaning for the name.
const KO_FLUFF: &[&str] = &[
    "추천해 주세요",
    "추천해주세요",
    "추천해 줘",
    "추천해줘",
    "추천해",
    "추천",
    "지어 줘",
    "지어줘",
    "지어 주세요",
    "지어주세요",
    "뭐가 좋을까요",
    "뭐가 좋을까",
    "뭐라고",
    "알려줘",
    "알려 줘",
    "네이밍",
    "명명",
    "좀",
    "하나",
    "어떤",
    "용도의",
    "용도",
    "담는",
    "담을",
    "저장할",
    "나타내는",
    "나타낼",
    "의미하는",
    "표현하는",
    "값을",
];

/// Boolean markers and the prefix they suggest (`None`: the default `is`).
const KO_BOOLEAN: &[(&str, Option<Prefix>)] = &[
    ("할 수 있는지", Some(Prefix::Can)),
    ("할수있는지", Some(Prefix::Can)),
    ("수 있는지", Some(Prefix::Can)),
    ("가능한지", Some(Prefix::Can)),
    ("가능 여부", Some(Prefix::Can)),
    ("해야 하는지", Some(Prefix::Should)),
    ("해야하는지", Some(Prefix::Should)),
    ("필요한지", Some(Prefix::Should)),
    ("가지고 있는지", Some(Prefix::Has)),
    ("갖고 있는지", Some(Prefix::Has)),
    ("가졌는지", Some(Prefix::Has)),
    ("포함하는지", Some(Prefix::Has)),
    ("포함되어 있는지", Some(Prefix::Has)),
    ("있는지", Some(Prefix::Has)),
    ("인지", None),
    ("한지", None),
    ("했는지", None),
    ("됐는지", None),
    ("되었는지", None),
    ("되었는가", None),
    ("여부", None),
    ("불리언", None),
    ("불린", None),
    ("플래그", None),
];

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

fn korean(lower: &str, dict: &Dictionary) -> Request {
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

fn english(lower: &str, dict: &Dictionary) -> Request {
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
