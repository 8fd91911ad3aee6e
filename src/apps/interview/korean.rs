//! Korean grammar for generated text: choosing a particle by the last syllable of the word
//! it follows (을/를, 이/가, 은/는, 과/와, 으로/로), and stripping particles and verb endings
//! from a word so its stem can be compared (the offline grader).
//!
//! The last syllable decides: a Hangul syllable with a final consonant (받침) takes 을, 이,
//! 은, 과, 으로 — except that a final ㄹ takes 로. A word that ends in a digit or a Latin
//! letter is read aloud: digits as Sino-Korean numbers (일, 이, 삼 …; 0 as 영), an acronym
//! spelt out letter by letter (`SQL` ends in 엘, `API` in 아이), other Latin words by a few
//! English spelling rules (`put` → 풋, `lock` → 락, `mutex` → 뮤텍스, `json` → 제이슨).
//! Closing quotes and brackets after the word are skipped.

/// A particle whose form depends on the word before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Particle {
    /// Object: 을/를.
    Object,
    /// Subject: 이/가.
    Subject,
    /// Topic: 은/는.
    Topic,
    /// "And/with": 과/와.
    And,
    /// Means or direction: 으로/로.
    Toward,
}

/// What ends the spoken word: no final consonant, a final ㄹ, or another final consonant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Final {
    None,
    Rieul,
    Other,
}

/// The particle's form after `word`.
pub fn particle(word: &str, p: Particle) -> &'static str {
    let f = final_of(word);
    match (p, f) {
        (Particle::Object, Final::None) => "를",
        (Particle::Object, _) => "을",
        (Particle::Subject, Final::None) => "가",
        (Particle::Subject, _) => "이",
        (Particle::Topic, Final::None) => "는",
        (Particle::Topic, _) => "은",
        (Particle::And, Final::None) => "와",
        (Particle::And, _) => "과",
        (Particle::Toward, Final::Other) => "으로",
        (Particle::Toward, _) => "로",
    }
}

/// `word` followed by its particle.
pub fn with_particle(word: &str, p: Particle) -> String {
    format!("{word}{}", particle(word, p))
}

fn final_of(word: &str) -> Final {
    let trimmed = word.trim_end_matches(|c: char| !c.is_alphanumeric());
    let Some(last) = trimmed.chars().last() else {
        return Final::None;
    };
    if ('\u{AC00}'..='\u{D7A3}').contains(&last) {
        return match (last as u32 - 0xAC00) % 28 {
            0 => Final::None,
            8 => Final::Rieul,
            _ => Final::Other,
        };
    }
    if last.is_ascii_digit() {
        return digit_final(last);
    }
    if last.is_ascii_alphabetic() {
        // The Latin word at the end of the text.
        let latin: String = trimmed
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return latin_final(&latin);
    }
    Final::None
}

/// 영 일 이 삼 사 오 육 칠 팔 구.
fn digit_final(d: char) -> Final {
    match d {
        '1' | '7' | '8' => Final::Rieul,
        '0' | '3' | '6' => Final::Other,
        _ => Final::None,
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u')
}

/// Whether an all-capital word is spelt out (`SQL`, `API`) rather than read (`PUT`, `JSON`).
fn spelt_out(word: &str) -> bool {
    if !word.chars().all(|c| c.is_ascii_uppercase()) || word.len() < 2 {
        return false;
    }
    if !word.chars().any(is_vowel) {
        return true;
    }
    let shape: String = word
        .chars()
        .map(|c| if is_vowel(c) { 'v' } else { 'c' })
        .collect();
    // Three letters read as a word only as consonant–vowel–consonant (GET, PUT).
    word.len() <= 3 && shape != "cvc"
}

fn latin_final(word: &str) -> Final {
    if word.is_empty() {
        return Final::None;
    }
    if spelt_out(word) {
        // Letter names: 엘 (L), 엠 (M), 엔 (N), 알 (R); the rest end in a vowel.
        return match word.chars().last().map(|c| c.to_ascii_lowercase()) {
            Some('l') | Some('r') => Final::Rieul,
            Some('m') | Some('n') => Final::Other,
            _ => Final::None,
        };
    }
    let w = word.to_ascii_lowercase();
    let chars: Vec<char> = w.chars().collect();
    let n = chars.len();
    let last = chars[n - 1];
    let before = if n >= 2 { Some(chars[n - 2]) } else { None };
    match last {
        'l' => Final::Rieul,
        'm' | 'n' => Final::Other,
        'g' if before == Some('n') => Final::Other, // -ng: 싱크 … 링
        // A silent e: the consonant before it decides (file 파일, time 타임, line 라인).
        'e' => match before {
            Some('l') => Final::Rieul,
            Some('m') | Some('n') => Final::Other,
            _ => Final::None,
        },
        // A final stop after a vowel is a 받침 (put 풋, lock 락, heap 힙); after another
        // consonant it gets a vowel of its own (post 포스트, client 클라이언트).
        'k' => {
            if before == Some('c') || before.is_some_and(is_vowel) {
                Final::Other
            } else {
                Final::None
            }
        }
        't' | 'p' => {
            if before.is_some_and(is_vowel) {
                Final::Other
            } else {
                Final::None
            }
        }
        _ => Final::None,
    }
}

/// Endings and particles stripped from the end of a Korean word, longest first.
const SUFFIXES: &[&str] = &[
    "이기때문에",
    "하기때문에",
    "기때문에",
    "때문에",
    "합니다",
    "입니다",
    "됩니다",
    "습니다",
    "니다",
    "이에요",
    "에서는",
    "으로는",
    "으로써",
    "으로서",
    "이라서",
    "이므로",
    "하므로",
    "되므로",
    "해야",
    "하는",
    "하기",
    "하며",
    "하고",
    "하면",
    "해서",
    "하여",
    "하게",
    "하다",
    "한다",
    "했다",
    "되는",
    "되며",
    "되고",
    "되면",
    "되어",
    "돼서",
    "된다",
    "이며",
    "이고",
    "이면",
    "이다",
    "인데",
    "에서",
    "에게",
    "으로",
    "까지",
    "부터",
    "보다",
    "처럼",
    "마다",
    "라서",
    "므로",
    "지만",
    "는데",
    "니까",
    "도록",
    "예요",
    "에요",
    "해요",
    "돼요",
    "이나",
    "이랑",
    "한",
    "된",
    "할",
    "될",
    "함",
    "됨",
    "음",
    "을",
    "를",
    "은",
    "는",
    "이",
    "가",
    "에",
    "로",
    "와",
    "과",
    "의",
    "도",
    "만",
    "요",
    "다",
    "며",
    "죠",
];

/// A Korean word without its trailing particle or ending (one strip, longest first), and
/// whether anything was stripped. A stem keeps at least one syllable: "이" and "가" stay.
pub fn strip(word: &str) -> (&str, bool) {
    for suffix in SUFFIXES {
        if let Some(stem) = word.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return (stem, true);
        }
    }
    (word, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_words_choose_by_their_final_consonant() {
        assert_eq!(with_particle("인덱스", Particle::Object), "인덱스를");
        assert_eq!(with_particle("트랜잭션", Particle::Object), "트랜잭션을");
        assert_eq!(with_particle("캐시", Particle::Subject), "캐시가");
        assert_eq!(with_particle("멱등성", Particle::Subject), "멱등성이");
        assert_eq!(with_particle("스레드", Particle::Topic), "스레드는");
        assert_eq!(
            with_particle("프로세스 격리", Particle::Topic),
            "프로세스 격리는"
        );
        assert_eq!(with_particle("힙", Particle::And), "힙과");
        assert_eq!(with_particle("스택", Particle::And), "스택과");
        assert_eq!(with_particle("메모리", Particle::And), "메모리와");
        // ㄹ takes 로, other finals 으로, none 로.
        assert_eq!(with_particle("파일", Particle::Toward), "파일로");
        assert_eq!(with_particle("밖", Particle::Toward), "밖으로");
        assert_eq!(with_particle("서버", Particle::Toward), "서버로");
        // Quotes and brackets after the word are skipped.
        assert_eq!(particle("「멱등성」", Particle::Topic), "은");
        assert_eq!(particle("‘캐시’", Particle::Topic), "는");
        assert_eq!(particle("", Particle::Object), "를");
    }

    #[test]
    fn digits_read_as_sino_korean_numbers() {
        assert_eq!(with_particle("HTTP/2", Particle::Topic), "HTTP/2는");
        assert_eq!(with_particle("IPv6", Particle::Topic), "IPv6은");
        assert_eq!(with_particle("3", Particle::Object), "3을");
        assert_eq!(with_particle("1", Particle::Toward), "1로");
        assert_eq!(with_particle("10", Particle::Subject), "10이");
        assert_eq!(with_particle("5", Particle::Subject), "5가");
    }

    #[test]
    fn latin_words_choose_by_how_they_are_read() {
        // Read as words.
        assert_eq!(with_particle("PUT", Particle::Topic), "PUT은");
        assert_eq!(with_particle("GET", Particle::Subject), "GET이");
        assert_eq!(with_particle("POST", Particle::Topic), "POST는");
        assert_eq!(with_particle("lock", Particle::Object), "lock을");
        assert_eq!(with_particle("mutex", Particle::Object), "mutex를");
        assert_eq!(with_particle("cache", Particle::Subject), "cache가");
        assert_eq!(with_particle("JSON", Particle::Toward), "JSON으로");
        assert_eq!(with_particle("file", Particle::Toward), "file로");
        assert_eq!(with_particle("heap", Particle::And), "heap과");
        assert_eq!(with_particle("client", Particle::And), "client와");
        assert_eq!(with_particle("Kotlin", Particle::Topic), "Kotlin은");
        assert_eq!(with_particle("string", Particle::Subject), "string이");
        assert_eq!(with_particle("idempotent", Particle::Topic), "idempotent는");
        // Spelt out letter by letter.
        assert_eq!(with_particle("SQL", Particle::Toward), "SQL로");
        assert_eq!(with_particle("API", Particle::Object), "API를");
        assert_eq!(with_particle("JWT", Particle::Subject), "JWT가");
        assert_eq!(with_particle("URL", Particle::Topic), "URL은");
        assert_eq!(with_particle("ORM", Particle::Subject), "ORM이");
        assert_eq!(with_particle("DNS", Particle::Object), "DNS를");
    }

    #[test]
    fn stripping_removes_one_particle_or_ending() {
        assert_eq!(strip("멱등성이"), ("멱등성", true));
        assert_eq!(strip("인덱스를"), ("인덱스", true));
        assert_eq!(strip("공유합니다"), ("공유", true));
        assert_eq!(strip("메모리에서"), ("메모리", true));
        assert_eq!(strip("스택"), ("스택", false));
        assert_eq!(strip("이"), ("이", false));
    }
}
