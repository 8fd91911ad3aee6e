//! The offline grader: key points count by evidence in sentences.
//!
//! ## Matching terms
//! Each bank key point carries `terms`: one to three groups of synonyms in Korean and
//! English. Text is lower-cased and every run of characters that are not letters or digits
//! becomes one space. A Latin term (no Hangul) matches at the start of a word, and a
//! multi-word term matches consecutive words whose last one starts with the term's last word
//! (`idempot` matches "idempotent", `b+tree` matches "B+Tree", `index` matches "indexes"); a
//! term with Hangul matches anywhere in the text with all spaces removed, so the particles
//! and endings attached to it do not matter (`멱등` matches "멱등성이", `인덱스` matches
//! "인 덱스를").
//!
//! ## Sentences
//! The answer is split into sentences at `.`/`!`/`?`/`;` followed by a space or the end,
//! and at line breaks. A sentence *explains* when it relates words instead of listing them:
//! it has at least one relation word for every eight words — in English a verb of being or
//! a modal, a conjunction, a preposition or an article (`is`, `because`, `of`, `the` …), in
//! Korean a word ending in a particle or verb ending that relates it to the others (`-은/는`,
//! `-을/를`, `-에서`, `-으로`, `-하고`, `-므로`, `-합니다`, `-음` …, nouns such as 필요 or
//! 권한 that merely end like one excepted; see [`korean::strip`]) — and at least two words
//! (three without Hangul), or one Korean word that ends a sentence (`멱등합니다`). Within a
//! sentence, pieces separated by commas are *bare* when they are at most four words and
//! relate nothing; the answer is *mostly a list* when more than half of its words are in
//! bare pieces. A sentence whose words are 40% or more in bare pieces does not explain
//! ("이 질문은 PUT, POST, GET, 멱등, 재시도와 관련이 있습니다" is a list in a frame).
//!
//! ## Key points
//! A key point is *explained* when every term group matches within one explaining sentence,
//! or within two neighbouring explaining sentences (a concept named in one and explained in
//! the next). It is *named* when every group matches somewhere but not so. Key points
//! without terms (generated questions) need half of their words instead.
//!
//! ## Score
//! Score = round(10 × (explained + ¼ × named) ÷ key points), half up; then at most 2 when
//! the answer has no explaining sentence, at most 4 when it is mostly a list; an answer of at
//! least 80 characters with an explaining sentence that earns nothing gets 1 for the attempt.
//!
//! ## Feedback
//! Bullets (`- ` lines). *Good*: the explained key points, and the terms named without an
//! explanation; empty when there is nothing good to say (never a "nothing found"). *Missing*:
//! a note when the answer has no sentences or is mostly a list, the named-only key points
//! (saying which term was named), then the missed ones; when nothing is missing, what would
//! make it stronger.

use std::collections::HashSet;

use super::{KeyPoint, has_hangul};
use crate::apps::interview::Language;
use crate::apps::interview::korean::{self, Particle};

/// Lower-cases and turns every run of non-alphanumerics into one space.
use super::text::{Normalized, explains, normalize_text, overlap_tokens, relates, split_sentences};

/// One sentence of an answer.
struct Sentence {
    text: Normalized,
    tokens: HashSet<String>,
    explains: bool,
}

/// An answer taken apart for grading.
pub struct Analysis {
    whole: Normalized,
    whole_tokens: HashSet<String>,
    sentences: Vec<Sentence>,
    words: usize,
    listed_words: usize,
    /// The answer, and the byte span of each of its words (for naming a term back).
    answer: String,
    spans: Vec<(usize, usize)>,
}

impl Analysis {
    pub fn new(answer: &str) -> Analysis {
        let mut sentences = Vec::new();
        let mut words = 0;
        let mut listed_words = 0;
        for raw in split_sentences(answer) {
            let norm = normalize_text(&raw);
            let ws: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
            if ws.is_empty() {
                continue;
            }
            words += ws.len();
            let mut bare = 0;
            for piece in raw.split([',', '、', '·', '，']) {
                let piece_norm = normalize_text(piece);
                let pw: Vec<&str> = piece_norm.split(' ').filter(|w| !w.is_empty()).collect();
                if !pw.is_empty() && pw.len() <= 4 && !pw.iter().any(|w| relates(w)) {
                    bare += pw.len();
                }
            }
            listed_words += bare;
            sentences.push(Sentence {
                // A sentence that is 40% list is a list with a frame around it.
                explains: explains(&ws) && bare * 5 < ws.len() * 2,
                text: Normalized::new(&raw),
                tokens: overlap_tokens(&raw),
            });
        }
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in answer.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            spans.push((s, answer.len()));
        }
        Analysis {
            whole: Normalized::new(answer),
            whole_tokens: overlap_tokens(answer),
            sentences,
            words,
            listed_words,
            answer: answer.to_owned(),
            spans,
        }
    }

    /// Whether any sentence explains.
    pub fn has_sentences(&self) -> bool {
        self.sentences.iter().any(|s| s.explains)
    }

    /// Whether more than half of the words are in bare list pieces.
    pub fn mostly_list(&self) -> bool {
        self.words > 0 && self.listed_words * 2 > self.words
    }

    /// Windows of one explaining sentence, or two neighbouring ones.
    fn windows(&self) -> impl Iterator<Item = Vec<&Sentence>> {
        let n = self.sentences.len();
        (0..n).flat_map(move |i| {
            let one = vec![&self.sentences[i]];
            let two = (i + 1 < n).then(|| vec![&self.sentences[i], &self.sentences[i + 1]]);
            std::iter::once(one).chain(two)
        })
    }

    /// How far the answer covers a key point.
    pub fn coverage(&self, point: &KeyPoint) -> Coverage {
        if point.terms.is_empty() {
            let wanted = overlap_tokens(&point.text);
            if wanted.is_empty() {
                return Coverage::Missed;
            }
            let enough = |has: &dyn Fn(&String) -> bool| {
                wanted.iter().filter(|t| has(t)).count() * 2 >= wanted.len()
            };
            for window in self.windows() {
                if window.iter().all(|s| s.explains)
                    && enough(&|t| window.iter().any(|s| s.tokens.contains(t)))
                {
                    return Coverage::Explained;
                }
            }
            return if enough(&|t| self.whole_tokens.contains(t)) {
                Coverage::Named
            } else {
                Coverage::Missed
            };
        }
        let in_window = |window: &[&Sentence]| {
            point.terms.iter().all(|group| {
                group
                    .iter()
                    .any(|t| window.iter().any(|s| s.text.contains(t)))
            })
        };
        for window in self.windows() {
            if window.iter().all(|s| s.explains) && in_window(&window) {
                return Coverage::Explained;
            }
        }
        let named = point
            .terms
            .iter()
            .all(|group| group.iter().any(|t| self.whole.contains(t)));
        if named {
            Coverage::Named
        } else {
            Coverage::Missed
        }
    }

    /// The words of the answer, as written and without a trailing Korean particle or
    /// ending, where a key point's first term group matches.
    fn named_word(&self, point: &KeyPoint) -> Option<String> {
        let group = point.terms.first()?;
        let (term, (first, last)) = group
            .iter()
            .find_map(|t| self.whole.position(t).map(|at| (t, at)))?;
        let (from, _) = *self.spans.get(first)?;
        let (_, to) = *self.spans.get(last)?;
        let written = self.answer.get(from..to)?;
        let (stem, _) = korean::strip(written);
        // Keep the ending when stripping it would cut into the term ("재시도" stays whole).
        let wanted = normalize_text(term).replace(' ', "");
        let stem_norm = normalize_text(stem).replace(' ', "");
        let keeps = if has_hangul(&wanted) {
            stem_norm.contains(&wanted)
        } else {
            stem_norm.starts_with(&wanted) || stem_norm.contains(&wanted)
        };
        Some(if keeps { stem } else { written }.to_owned())
    }
}

/// How far an answer covers a key point (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    Explained,
    Named,
    Missed,
}

/// The key points an answer does not explain, in order.
pub fn missed_points(answer: &str, points: &[KeyPoint]) -> Vec<String> {
    let analysis = Analysis::new(answer);
    points
        .iter()
        .filter(|p| analysis.coverage(p) != Coverage::Explained)
        .map(|p| p.text.clone())
        .collect()
}

/// The outcome of grading one answer: feedback as `- ` bullet lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    pub score: i64,
    pub good: String,
    pub missing: String,
}

/// Bullet lines from items.
pub fn bullets(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("- {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The items of feedback text: its lines without their bullets, blank lines dropped.
/// Text without line breaks (a model's feedback) is one item.
pub fn items(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['-', '*', '•'])
                .trim_start()
                .to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// Grades an answer (rules in the module documentation).
pub fn grade(answer: &str, points: &[KeyPoint], lang: Language) -> Grade {
    let analysis = Analysis::new(answer);
    let coverage: Vec<Coverage> = points.iter().map(|p| analysis.coverage(p)).collect();
    let explained = coverage
        .iter()
        .filter(|c| **c == Coverage::Explained)
        .count() as i64;
    let named = coverage.iter().filter(|c| **c == Coverage::Named).count() as i64;
    let total = points.len().max(1) as i64;
    // 10 × (explained + named/4) / total, half up.
    let mut score = ((explained * 4 + named) * 20 + 4 * total) / (8 * total);
    let sentences = analysis.has_sentences();
    let listy = analysis.mostly_list();
    if !sentences {
        score = score.min(2);
    } else if listy {
        score = score.min(4);
    }
    if score == 0 && sentences && answer.trim().chars().count() >= 80 {
        score = 1;
    }

    let ko = lang == Language::Ko;
    let mut good = Vec::new();
    let mut missing = Vec::new();
    let mut named_words = Vec::new();
    for (p, c) in points.iter().zip(&coverage) {
        match c {
            Coverage::Explained => good.push(p.text.clone()),
            Coverage::Named => {
                let word = analysis.named_word(p);
                missing.push(match (&word, ko) {
                    (Some(w), true) => format!(
                        "{} (‘{w}’{} 나왔지만 설명하는 문장이 없어요)",
                        p.text,
                        korean::particle(w, Particle::Topic)
                    ),
                    (Some(w), false) => format!("{} (“{w}” is named but not explained)", p.text),
                    (None, true) => format!("{} (용어만 있고 설명하는 문장이 없어요)", p.text),
                    (None, false) => format!("{} (named but not explained)", p.text),
                });
                if let Some(w) = word
                    && !named_words.contains(&w)
                {
                    named_words.push(w);
                }
            }
            Coverage::Missed => {}
        }
    }
    for (p, c) in points.iter().zip(&coverage) {
        if *c == Coverage::Missed {
            missing.push(p.text.clone());
        }
    }
    if !named_words.is_empty() {
        let quoted: Vec<String> = named_words
            .iter()
            .take(4)
            .map(|w| {
                if ko {
                    format!("‘{w}’")
                } else {
                    format!("“{w}”")
                }
            })
            .collect();
        good.push(if ko {
            format!("관련 용어를 알고 있어요: {}", quoted.join(", "))
        } else {
            format!("You know the relevant terms: {}", quoted.join(", "))
        });
    }
    let has_text = !answer.trim().is_empty();
    if has_text && !sentences {
        missing.insert(
            0,
            if ko {
                "용어를 나열하기보다, 개념이 무엇이고 왜 그런지 완결된 문장으로 설명해 보세요."
            } else {
                "Explain in full sentences what each concept is and why, instead of listing terms."
            }
            .to_owned(),
        );
    } else if has_text && listy {
        missing.insert(
            0,
            if ko {
                "답변 대부분이 용어 목록이에요. 개념 사이의 관계를 문장으로 풀어 설명해 보세요."
            } else {
                "Most of the answer is a list of terms; explain in sentences how the concepts relate."
            }
            .to_owned(),
        );
    }
    if missing.is_empty() {
        missing.push(
            if ko {
                "핵심 포인트를 모두 다뤘어요. 실제 경험이나 예시를 덧붙이면 더 좋아요."
            } else {
                "Every key point is covered. An example from your own experience would make it stronger."
            }
            .to_owned(),
        );
    }
    Grade {
        score: score.clamp(0, 10),
        good: bullets(&good),
        missing: bullets(&missing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::interview::bank::by_id;

    fn point(text: &str, terms: &[&[&str]]) -> KeyPoint {
        KeyPoint {
            text: text.to_owned(),
            terms: terms
                .iter()
                .map(|g| g.iter().map(|t| (*t).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn latin_terms_match_at_word_starts_and_korean_terms_ignore_spacing() {
        let a = Normalized::new(
            "PUT is Idempotent; B+Tree indexes. 멱등 성이 보장되고 인덱스를 씁니다",
        );
        assert!(a.contains("idempot"));
        assert!(a.contains("b+tree"));
        assert!(a.contains("index"));
        assert!(a.contains("put is"));
        assert!(a.contains("멱등성"));
        assert!(a.contains("인덱스"));
        assert!(!a.contains("dempotent"));
        assert!(!a.contains("output"));
        assert!(!a.contains("트랜잭션"));
    }

    #[test]
    fn sentences_split_at_ends_but_not_inside_names() {
        assert_eq!(
            split_sentences("Node.js uses B+Tree. It is 3.5x faster!\n- next line"),
            vec!["Node.js uses B+Tree", " It is 3.5x faster", "- next line"]
        );
    }

    #[test]
    fn relating_words_separate_sentences_from_lists() {
        let words = |s: &str| normalize_text(s);
        let explains_text = |s: &str| {
            let n = words(s);
            explains(&n.split(' ').collect::<Vec<_>>())
        };
        assert!(explains_text("프로세스는 독립된 메모리 공간을 가집니다"));
        assert!(explains_text("A process has its own address space"));
        assert!(explains_text("멱등합니다"));
        assert!(!explains_text("프로세스 스레드 메모리 스택 힙 공유"));
        assert!(!explains_text("process thread memory stack heap"));
        // Nouns that only look like an ending.
        assert!(!explains_text("쓰기 비용 증가 필요 권한 재고"));
    }

    /// Grades of shipped bank questions: (bank id, language, kind, answer, lowest, highest).
    const TABLE: &[(&str, Language, &str, &str, i64, i64)] = &[
        // cs-001: process vs thread.
        (
            "cs-001",
            Language::Ko,
            "good",
            "프로세스는 운영체제로부터 독립된 메모리 공간을 할당받아 실행되는 프로그램입니다. 스레드는 프로세스 안에서 실행되는 흐름으로, 스택과 레지스터는 스레드마다 따로 가집니다. 같은 프로세스의 스레드들은 힙과 코드, 데이터 영역을 공유하기 때문에 통신이 쉽습니다. 그래서 스레드는 생성과 문맥 교환 비용이 프로세스보다 작아 가볍습니다. 다만 공유 자원에 동시에 접근하면 경쟁 상태가 생기므로 뮤텍스 같은 동기화가 필요합니다.",
            9,
            10,
        ),
        (
            "cs-001",
            Language::Ko,
            "partial",
            "프로세스는 독립된 메모리 공간을 가지는 실행 단위이고, 스레드는 프로세스 안에서 힙 메모리를 공유하며 실행됩니다.",
            3,
            5,
        ),
        (
            "cs-001",
            Language::Ko,
            "salad",
            "프로세스, 스레드, 독립 메모리, 스택, 레지스터, 힙 공유, 컨텍스트 스위칭, 동기화, 뮤텍스",
            0,
            2,
        ),
        (
            "cs-001",
            Language::Ko,
            "salad",
            "- 프로세스: 독립 메모리\n- 스레드: 힙 공유\n- 스택 별도\n- 컨텍스트 스위칭 가벼움\n- 뮤텍스 동기화",
            0,
            2,
        ),
        (
            "cs-001",
            Language::Ko,
            "salad",
            "이 질문은 프로세스, 스레드, 독립 메모리, 스택, 힙 공유, 컨텍스트 스위칭, 동기화와 관련이 있습니다.",
            0,
            4,
        ),
        (
            "cs-001",
            Language::Ko,
            "off-topic",
            "저는 대학교에서 컴퓨터공학을 전공했고 팀 프로젝트에서 리더를 맡아 일정 관리를 열심히 했습니다. 성실함이 제 가장 큰 장점이라고 생각합니다.",
            0,
            1,
        ),
        ("cs-001", Language::Ko, "empty", "", 0, 0),
        ("cs-001", Language::Ko, "empty", "  \n ", 0, 0),
        ("cs-001", Language::Ko, "empty", "모르겠습니다", 0, 0),
        (
            "cs-001",
            Language::En,
            "good",
            "A process is a running program with its own separate address space, isolated from other processes by the OS. A thread is a unit of execution inside a process; each thread has its own stack and registers. Threads of the same process share the heap, the data and the code, so they can communicate through memory. Because of that, threads are cheaper to create and a context switch between them has less overhead. The downside is that shared data needs synchronisation, for example a mutex, to avoid race conditions.",
            9,
            10,
        ),
        (
            "cs-001",
            Language::En,
            "partial",
            "A process has its own address space, while threads share the heap of the process. Each thread still has its own stack.",
            5,
            7,
        ),
        (
            "cs-001",
            Language::En,
            "salad",
            "process, thread, separate memory, stack, heap sharing, context switch, mutex, synchronization",
            0,
            2,
        ),
        (
            "cs-001",
            Language::En,
            "salad",
            "- process: own memory\n- thread: shared heap\n- context switch cheaper\n- mutex",
            0,
            2,
        ),
        (
            "cs-001",
            Language::En,
            "off-topic",
            "I would say that I am a hard worker and I always finish my tasks on time, which my last team appreciated a lot.",
            0,
            1,
        ),
        ("cs-001", Language::En, "empty", "", 0, 0),
        // be-001: HTTP methods, safety and idempotency.
        (
            "be-001",
            Language::Ko,
            "good",
            "GET, HEAD, OPTIONS는 서버 상태를 바꾸지 않는 안전한 메서드입니다. PUT과 DELETE는 같은 요청을 여러 번 보내도 결과가 같아 멱등하지만 POST는 호출할 때마다 새 리소스를 만들 수 있어 멱등하지 않습니다. PATCH는 부분 수정이라 연산에 따라 멱등하지 않을 수 있습니다. 그래서 타임아웃이 나면 멱등한 요청만 자동으로 재시도해도 안전합니다. 결제처럼 POST를 재시도해야 하면 Idempotency-Key 헤더로 멱등성 키를 보내 중복 처리를 막습니다.",
            9,
            10,
        ),
        (
            "be-001",
            Language::Ko,
            "partial",
            "GET은 서버 상태를 바꾸지 않는 안전한 메서드입니다. PUT과 DELETE는 여러 번 보내도 결과가 같은 멱등 메서드이고 POST는 멱등하지 않습니다.",
            3,
            5,
        ),
        (
            "be-001",
            Language::Ko,
            "salad",
            "GET 안전, PUT DELETE 멱등, POST 비멱등, PATCH 부분 수정, 재시도 자동, 멱등성 키",
            0,
            2,
        ),
        (
            "be-001",
            Language::En,
            "salad",
            "GET safe, PUT DELETE idempotent, POST not idempotent, PATCH partial, retry, idempotency key",
            0,
            2,
        ),
        (
            "be-001",
            Language::En,
            "good",
            "Safe methods such as GET, HEAD and OPTIONS do not change server state. PUT and DELETE are idempotent because repeating them leaves the same state, but POST is not idempotent since each call may create a new resource. PATCH is a partial update, so it may not be idempotent. That is why clients can automatically retry only idempotent requests after a timeout. For a POST that must be retried, such as a payment, the client sends an idempotency key so the server can drop duplicates.",
            9,
            10,
        ),
        // be-003: database indexes.
        (
            "be-003",
            Language::En,
            "good",
            "An index lets the database find rows without a full table scan, much like the index of a book. Most RDBMSs use a B+tree because it is shallow, so a lookup needs only a few disk page reads. Its leaf nodes are linked, which makes range scans and ORDER BY cheap. The cost is that every insert or update must also write the index, so writes get slower and it takes extra storage. An index on a low-cardinality column such as a boolean flag helps little.",
            9,
            10,
        ),
        (
            "be-003",
            Language::Ko,
            "partial",
            "인덱스는 풀 스캔 없이 원하는 행을 빠르게 찾게 해 주는 자료구조입니다. 대신 인덱스가 많으면 쓰기 성능이 저하됩니다.",
            3,
            5,
        ),
        (
            "be-003",
            Language::Ko,
            "salad",
            "인덱스는 검색을 빠르게 합니다. B+Tree, 풀 스캔, 리프 노드, 범위 검색, 카디널리티, 쓰기 비용, 디스크 페이지",
            0,
            4,
        ),
        (
            "be-003",
            Language::En,
            "off-topic",
            "Databases are very important for every company and I have used MySQL and PostgreSQL in my projects for years.",
            0,
            1,
        ),
        // fe-001: var, let, const.
        (
            "fe-001",
            Language::En,
            "good",
            "var is function-scoped, while let and const are block-scoped. All three are hoisted, but let and const stay in the temporal dead zone, so reading them before the declaration throws a ReferenceError. A var read before its declaration gives undefined because it is initialised to undefined. const only prevents reassignment; the contents of a const object can still be mutated. In practice I default to const, use let when a value must change, and avoid var.",
            9,
            10,
        ),
        (
            "fe-001",
            Language::Ko,
            "partial",
            "var는 함수 스코프이고 let과 const는 블록 스코프입니다. 셋 다 호이스팅되지만 let과 const는 TDZ 때문에 선언 전에 접근하면 ReferenceError가 납니다.",
            3,
            5,
        ),
        (
            "fe-001",
            Language::En,
            "salad",
            "function scope, block scope, hoisting, TDZ, undefined, const immutable, default const",
            0,
            2,
        ),
        // do-001: containers vs VMs.
        (
            "do-001",
            Language::Ko,
            "good",
            "VM은 하이퍼바이저 위에서 게스트 OS 전체를 실행하므로 무겁습니다. 반면 컨테이너는 호스트 커널을 공유하고, 리눅스의 네임스페이스와 cgroup으로 격리와 자원 제한을 구현합니다. 그래서 컨테이너는 가볍고 빠르게 시작되지만 커널을 공유하기 때문에 격리 수준은 VM보다 약합니다.",
            9,
            10,
        ),
        (
            "do-001",
            Language::En,
            "partial",
            "A container shares the host kernel, while a VM runs a full guest OS on a hypervisor.",
            4,
            6,
        ),
        (
            "do-001",
            Language::En,
            "off-topic",
            "I like to deploy my apps to the cloud because it is easy and my team uses it every day for our projects.",
            0,
            1,
        ),
        (
            "do-001",
            Language::Ko,
            "salad",
            "하이퍼바이저, 게스트 OS, 커널 공유, 네임스페이스, cgroup, 격리, 가벼움",
            0,
            2,
        ),
        // be-004: SQL injection.
        (
            "be-004",
            Language::Ko,
            "good",
            "SQL 인젝션은 사용자 입력을 문자열 연결로 쿼리에 이어 붙여서 쿼리의 의미가 바뀌는 공격입니다. 근본적인 방어는 PreparedStatement로 파라미터를 바인딩하는 것입니다. ORM을 쓰더라도 네이티브 쿼리나 문자열로 쿼리를 조립하면 여전히 취약합니다. 컬럼명처럼 바인딩할 수 없는 부분은 허용 목록으로 검증하고, DB 계정에는 최소 권한만 줍니다.",
            9,
            10,
        ),
        (
            "be-004",
            Language::En,
            "salad",
            "SQL injection, prepared statements, parameter binding, ORM raw queries, allowlist, least privilege",
            0,
            2,
        ),
        (
            "be-004",
            Language::En,
            "partial",
            "SQL injection happens when user input is concatenated into the query and changes its meaning. The fix is to use prepared statements with bound parameters.",
            3,
            5,
        ),
    ];

    #[test]
    fn graded_answers_land_in_their_score_bands() {
        assert!(TABLE.len() >= 30);
        let mut failures = Vec::new();
        for (id, lang, kind, answer, low, high) in TABLE {
            let entry = by_id(id).unwrap_or_else(|| panic!("bank entry {id}"));
            let g = grade(answer, &entry.key_points_in(*lang), *lang);
            if g.score < *low || g.score > *high {
                failures.push(format!(
                    "{id} {lang:?} {kind}: {} not in {low}..={high}\n  good: {:?}\n  missing: {:?}\n  answer: {answer}",
                    g.score, g.good, g.missing
                ));
            }
            // Feedback never contradicts itself: "good" never says nothing was found, and an
            // answer with nothing good has no "good" at all.
            for no in ["찾지 못", "못했", "not state any", "nothing", "없어요"] {
                assert!(!g.good.contains(no), "{id} {kind}: good says {:?}", g.good);
            }
            if *kind == "empty" || *kind == "off-topic" {
                assert_eq!(g.good, "", "{id} {kind}");
            }
            if *kind == "good" {
                assert!(!g.good.is_empty(), "{id} {kind}");
            }
            // Every item is a bullet line.
            for line in g.good.lines().chain(g.missing.lines()) {
                assert!(line.starts_with("- "), "{id} {kind}: {line:?}");
            }
            // English feedback has no Korean, Korean feedback no leftover "(를)".
            if *lang == Language::En {
                assert!(
                    !has_hangul(&g.good) && !has_hangul(&g.missing),
                    "{id} {kind}"
                );
            } else {
                assert!(!g.missing.contains("(를)") && !g.missing.contains("(가)"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_model_answer_in_the_bank_scores_at_least_eight_in_both_languages() {
        let mut low = Vec::new();
        for e in crate::apps::interview::bank::bank() {
            for lang in [Language::Ko, Language::En] {
                let g = grade(e.model_answer.get(lang), &e.key_points_in(lang), lang);
                if g.score < 8 {
                    low.push(format!("{} {lang:?}: {} — {}", e.id, g.score, g.missing));
                }
            }
        }
        assert!(low.is_empty(), "{} low:\n{}", low.len(), low.join("\n"));
    }

    #[test]
    fn a_term_list_is_told_to_explain_and_named_terms_get_their_particle() {
        let points = vec![
            point("PUT is idempotent", &[&["idempot", "멱등"]]),
            point("PATCH is partial", &[&["patch"], &["partial", "부분"]]),
        ];
        let g = grade("멱등성, PATCH", &points, Language::Ko);
        assert_eq!(g.score, 1);
        assert_eq!(g.good, "- 관련 용어를 알고 있어요: ‘멱등성’");
        assert_eq!(
            g.missing,
            "- 용어를 나열하기보다, 개념이 무엇이고 왜 그런지 완결된 문장으로 설명해 보세요.\n\
             - PUT is idempotent (‘멱등성’은 나왔지만 설명하는 문장이 없어요)\n\
             - PATCH is partial"
        );
        assert_eq!(items(&g.missing).len(), 3);
        let g = grade("idempotent", &points, Language::En);
        assert_eq!(
            g.missing,
            "- Explain in full sentences what each concept is and why, instead of listing terms.\n\
             - PUT is idempotent (“idempotent” is named but not explained)\n\
             - PATCH is partial"
        );
        // Explained in a sentence, with the named word's particle chosen by its last syllable.
        let g = grade(
            "PUT은 여러 번 보내도 결과가 같아서 멱등합니다. 캐시",
            &points,
            Language::Ko,
        );
        assert_eq!(g.score, 5);
        assert_eq!(g.good, "- PUT is idempotent");
    }

    #[test]
    fn generated_points_without_terms_need_half_their_words_in_a_sentence() {
        let points = vec![point("Indexes speed up reads but slow down writes", &[])];
        assert_eq!(
            grade(
                "An index speeds reads; writes get slower",
                &points,
                Language::En
            )
            .score,
            0
        );
        assert_eq!(
            grade(
                "Indexes speed up reads, but every insert must slow down writes too.",
                &points,
                Language::En
            )
            .score,
            10
        );
    }

    #[test]
    fn feedback_items_are_the_bullet_lines() {
        assert_eq!(items("- a\n- b\n\n"), vec!["a", "b"]);
        assert_eq!(
            items("free text from a model"),
            vec!["free text from a model"]
        );
        assert_eq!(items(""), Vec::<String>::new());
        assert_eq!(bullets(&["a".into(), "b".into()]), "- a\n- b");
    }
}
