//! The offline reading: composed from the cards' meanings for the subject (each subject has
//! its own angle on every position), the positions and the reversed state, in the reader's
//! language. Deterministic: the wording variants are chosen by a hash of the whole input, so
//! the same question with the same cards always reads the same. Every paragraph is built
//! from a different card or a different part of one, so none appears twice in a reading.

mod positions;
mod summary;

use sha2::{Digest, Sha256};

use super::deck::{Card, SUITS};
use super::{Drawn, POSITIONS, Sections, Subject};
use crate::apps::interview::korean::{Particle, with_particle};
use crate::lang::Language;
use positions::position_paragraph;
use summary::{advice, conclusion, greeting};

/// Chooses wording variants from a hash of the input.
struct Chooser {
    seed: [u8; 32],
    next: usize,
}

impl Chooser {
    fn new(subject: Subject, concern: &str, lang: Language, cards: &[Drawn]) -> Chooser {
        let mut h = Sha256::new();
        h.update(subject.id.as_bytes());
        h.update([0]);
        h.update(concern.as_bytes());
        h.update([0]);
        h.update(lang.as_str().as_bytes());
        for d in cards {
            h.update([d.card.num, u8::from(d.reversed)]);
        }
        Chooser {
            seed: h.finalize().into(),
            next: 0,
        }
    }

    fn pick<'a, T>(&mut self, options: &'a [T]) -> &'a T {
        let byte = self.seed[self.next % self.seed.len()];
        self.next += 1;
        &options[usize::from(byte) % options.len()]
    }
}

/// A card's name as it stands inside a sentence: "역방향의 바보", "the reversed Fool",
/// "the Queen of Cups", "The Tower".
fn named(card: &Card, reversed: bool, lang: Language) -> String {
    match (lang, reversed) {
        (Language::Ko, true) => format!("역방향의 {}", card.name.ko),
        (Language::Ko, false) => card.name.ko.clone(),
        (Language::En, true) => {
            let bare = card.name.en.strip_prefix("The ").unwrap_or(&card.name.en);
            format!("the reversed {bare}")
        }
        (Language::En, false) => {
            let name = &card.name.en;
            if name.starts_with("The ") || (card.is_major() && name != "Wheel of Fortune") {
                name.clone()
            } else {
                format!("the {name}")
            }
        }
    }
}

fn keywords(card: &Card, reversed: bool, lang: Language) -> &[String] {
    card.keywords.side(reversed).get(lang)
}

fn first_keyword(card: &Card, reversed: bool, lang: Language) -> String {
    keywords(card, reversed, lang)
        .first()
        .cloned()
        .unwrap_or_else(|| card.name.get(lang).to_owned())
}

fn keyword_list(card: &Card, reversed: bool, lang: Language) -> String {
    let words: Vec<&str> = keywords(card, reversed, lang)
        .iter()
        .take(3)
        .map(String::as_str)
        .collect();
    match lang {
        Language::Ko => words.join(", "),
        Language::En => match words.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        },
    }
}

fn lower_first(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let mut chars = s.chars();
    match chars.next() {
        // Keep "I", acronyms and names that stay capitalised mid-sentence.
        Some(c)
            if c.is_uppercase()
                && first_word != "I"
                && !first_word.starts_with("I'")
                && !chars.clone().next().is_some_and(char::is_uppercase)
                && !["Waite", "The"].contains(&first_word) =>
        {
            c.to_lowercase().chain(chars).collect()
        }
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The whole offline reading. `cards` are the five drawn cards in position order.
pub fn compose(subject: Subject, concern: &str, cards: &[Drawn], lang: Language) -> Sections {
    debug_assert_eq!(cards.len(), POSITIONS.len());
    let mut ch = Chooser::new(subject, concern, lang, cards);
    Sections {
        greeting: greeting(subject, concern, cards, &mut ch, lang),
        past: position_paragraph(subject, 0, &cards[0], &mut ch, lang),
        present: position_paragraph(subject, 1, &cards[1], &mut ch, lang),
        future: position_paragraph(subject, 2, &cards[2], &mut ch, lang),
        advice: advice(subject, cards, &mut ch, lang),
        conclusion: conclusion(subject, cards, &mut ch, lang),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::apps::tarot::{SUBJECTS, deck};

    fn drawn(nums: [(u8, bool); 5]) -> Vec<Drawn> {
        nums.iter()
            .map(|&(n, r)| Drawn {
                card: deck::card(n).expect("card"),
                reversed: r,
            })
            .collect()
    }

    fn paragraphs(s: &Sections) -> Vec<String> {
        s.all()
            .iter()
            .flat_map(|t| t.split("\n\n"))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    }

    #[test]
    fn the_same_input_reads_the_same_and_no_paragraph_repeats() {
        let spreads = [
            [(0, false), (13, true), (19, false), (46, true), (77, false)],
            [(22, true), (23, true), (24, true), (25, false), (26, true)],
            [
                (36, false),
                (50, false),
                (64, false),
                (1, false),
                (2, false),
            ],
        ];
        for subject in SUBJECTS {
            for lang in [Language::Ko, Language::En] {
                for spread in spreads {
                    let cards = drawn(spread);
                    let a = compose(*subject, "이직해도 될까요?", &cards, lang);
                    let b = compose(*subject, "이직해도 될까요?", &cards, lang);
                    assert_eq!(a, b);
                    let ps = paragraphs(&a);
                    let unique: HashSet<&String> = ps.iter().collect();
                    assert_eq!(unique.len(), ps.len(), "{} {:?}: {ps:#?}", subject.id, lang);
                    for p in &ps {
                        let hangul = p.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
                        if lang == Language::En {
                            assert!(!hangul || p.contains('“'), "Korean in English: {p}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn each_subject_reads_the_same_cards_from_its_own_angle() {
        let cards = drawn([(0, false), (13, true), (19, false), (46, true), (77, false)]);
        let presents: HashSet<String> = SUBJECTS
            .iter()
            .map(|s| compose(*s, "q", &cards, Language::Ko).present)
            .collect();
        assert_eq!(presents.len(), SUBJECTS.len());
    }

    #[test]
    fn korean_particles_follow_the_last_syllable() {
        let cards = drawn([
            (0, false),
            (13, false),
            (19, false),
            (46, false),
            (77, false),
        ]);
        let r = compose(SUBJECTS[1], "q", &cards, Language::Ko);
        assert!(!r.past.contains("바보이") && !r.past.contains("바보은"));
        assert!(
            r.present.contains("죽음이")
                || r.present.contains("죽음입니다")
                || r.present.contains("죽음")
        );
    }

    #[test]
    fn reversed_cards_use_their_reversed_meaning() {
        let up = drawn([(16, false), (1, false), (2, false), (3, false), (4, false)]);
        let down = drawn([(16, true), (1, false), (2, false), (3, false), (4, false)]);
        let t = deck::card(16).expect("tower");
        let a = compose(SUBJECTS[0], "q", &up, Language::En);
        let b = compose(SUBJECTS[0], "q", &down, Language::En);
        assert!(a.past.contains(&t.meaning.upright.en));
        assert!(b.past.contains(&t.meaning.reversed.en));
    }
}
