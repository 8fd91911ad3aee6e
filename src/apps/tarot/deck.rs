//! The 78-card deck that ships with confab (`data/tarot/*.json`), embedded in the binary
//! and checked at start-up ([`validate`]) so a bad edit stops the server instead of
//! breaking a reading.
//!
//! Card numbers (`num`) are 0–77 in this order, the usual one of Waite's deck:
//!
//! | num   | cards |
//! |-------|-------|
//! | 0–21  | major arcana, 0 The Fool … 21 The World (8 Strength, 11 Justice, as Waite) |
//! | 22–35 | wands: ace (rank 1) … ten (10), page (11), knight (12), queen (13), king (14) |
//! | 36–49 | cups, same ranks |
//! | 50–63 | swords, same ranks |
//! | 64–77 | pentacles, same ranks |
//!
//! so a minor card's number is `22 + 14 × suit index + rank − 1`. The meanings follow
//! A. E. Waite's *The Pictorial Key to the Tarot* (1910, public domain) and common
//! practice; every sentence was written for confab.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::lang::Language;

/// Text in both languages.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub ko: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Ko => &self.ko,
            Language::En => &self.en,
        }
    }
}

/// A list in both languages.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub ko: Vec<String>,
    pub en: Vec<String>,
}

impl Texts {
    pub fn get(&self, lang: Language) -> &[String] {
        match lang {
            Language::Ko => &self.ko,
            Language::En => &self.en,
        }
    }
}

/// Something said of the upright and of the reversed card.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sides<T> {
    pub upright: T,
    pub reversed: T,
}

impl<T> Sides<T> {
    pub fn side(&self, reversed: bool) -> &T {
        if reversed {
            &self.reversed
        } else {
            &self.upright
        }
    }
}

/// What a card says for each reading subject that has its own line in the deck.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectLines {
    pub love: Text,
    pub money: Text,
    pub career: Text,
    pub study: Text,
    pub health: Text,
}

impl SubjectLines {
    /// The line for a subject; `None` for subjects read from the general meaning
    /// (`new-year`, `today`).
    pub fn get(&self, subject: &str) -> Option<&Text> {
        match subject {
            "love" => Some(&self.love),
            "money" => Some(&self.money),
            "career" => Some(&self.career),
            "study" => Some(&self.study),
            "health" => Some(&self.health),
            _ => None,
        }
    }
}

/// One card.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// 0–77 (see the module documentation for the order).
    pub num: u8,
    /// A stable slug, e.g. `the-fool`, `page-of-cups`.
    pub id: String,
    /// `major` or `minor`.
    pub arcana: String,
    /// `wands`, `cups`, `swords`, `pentacles`; `null` for the majors.
    pub suit: Option<String>,
    /// Majors: their number 0–21. Minors: 1 (ace) … 10, 11 page, 12 knight, 13 queen, 14 king.
    pub rank: u8,
    pub name: Text,
    #[schema(value_type = Object)]
    pub keywords: Sides<Texts>,
    #[schema(value_type = Object)]
    pub meaning: Sides<Text>,
    pub subjects: SubjectLines,
    #[schema(value_type = Object)]
    pub advice: Sides<Text>,
    pub numerology: Text,
    pub element: Text,
    pub imagery: Text,
    pub explanation: Texts,
}

impl Card {
    pub fn is_major(&self) -> bool {
        self.arcana == "major"
    }

    /// The card's name, marked when reversed.
    pub fn title(&self, lang: Language, reversed: bool) -> String {
        match (lang, reversed) {
            (Language::Ko, true) => format!("{} (역방향)", self.name.ko),
            (Language::En, true) => format!("{} (reversed)", self.name.en),
            (lang, false) => self.name.get(lang).to_owned(),
        }
    }
}

/// The suits in deck order.
pub const SUITS: [&str; 4] = ["wands", "cups", "swords", "pentacles"];

/// Number of cards.
pub const DECK_SIZE: usize = 78;

const FILES: [(&str, &str); 5] = [
    ("major", include_str!("../../../data/tarot/major.json")),
    ("wands", include_str!("../../../data/tarot/wands.json")),
    ("cups", include_str!("../../../data/tarot/cups.json")),
    ("swords", include_str!("../../../data/tarot/swords.json")),
    (
        "pentacles",
        include_str!("../../../data/tarot/pentacles.json"),
    ),
];

fn load() -> Result<Vec<Card>, Vec<String>> {
    let mut all = Vec::with_capacity(DECK_SIZE);
    let mut errors = Vec::new();
    for (name, text) in FILES {
        match serde_json::from_str::<Vec<Card>>(text) {
            Ok(cards) => all.extend(cards),
            Err(e) => errors.push(format!("data/tarot/{name}.json: {e}")),
        }
    }
    all.sort_by_key(|c| c.num);
    if errors.is_empty() {
        Ok(all)
    } else {
        Err(errors)
    }
}

static DECK: OnceLock<Result<Vec<Card>, Vec<String>>> = OnceLock::new();

/// The deck in number order; empty when it does not load (start-up refuses that through
/// [`validate`]).
pub fn deck() -> &'static [Card] {
    match DECK.get_or_init(load) {
        Ok(cards) => cards,
        Err(_) => &[],
    }
}

/// A card by number.
pub fn card(num: u8) -> Option<&'static Card> {
    deck().get(usize::from(num)).filter(|c| c.num == num)
}

/// The number a card must have: majors keep their rank, minors follow suit order.
pub fn expected_num(arcana: &str, suit: Option<&str>, rank: u8) -> Option<u8> {
    match (arcana, suit) {
        ("major", None) if rank <= 21 => Some(rank),
        ("minor", Some(suit)) if (1..=14).contains(&rank) => {
            let index = SUITS.iter().position(|s| *s == suit)? as u8;
            Some(22 + 14 * index + rank - 1)
        }
        _ => None,
    }
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

fn check_text(errors: &mut Vec<String>, at: &str, what: &str, text: &Text) {
    if text.ko.trim().is_empty() || !has_hangul(&text.ko) {
        errors.push(format!("{at}: {what}.ko is missing or not Korean"));
    }
    if text.en.trim().is_empty() || has_hangul(&text.en) {
        errors.push(format!("{at}: {what}.en is missing or not English"));
    }
}

fn check_texts(errors: &mut Vec<String>, at: &str, what: &str, texts: &Texts, min: usize) {
    if texts.ko.len() < min || texts.en.len() < min {
        errors.push(format!(
            "{at}: {what} needs at least {min} items in each language"
        ));
    }
    if texts.ko.len() != texts.en.len() {
        errors.push(format!(
            "{at}: {what} has {} Korean and {} English items",
            texts.ko.len(),
            texts.en.len()
        ));
    }
    for (ko, en) in texts.ko.iter().zip(&texts.en) {
        check_text(
            errors,
            at,
            what,
            &Text {
                ko: ko.clone(),
                en: en.clone(),
            },
        );
    }
}

/// Checks the shipped deck: it loads, has 78 unique cards numbered 0–77 in the documented
/// order, and every field is present in both languages.
pub fn validate() -> Result<(), Vec<String>> {
    let cards = match DECK.get_or_init(load) {
        Ok(cards) => cards,
        Err(errors) => return Err(errors.clone()),
    };
    let mut errors = Vec::new();
    if cards.len() != DECK_SIZE {
        errors.push(format!(
            "the deck has {} cards, not {DECK_SIZE}",
            cards.len()
        ));
    }
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for (i, card) in cards.iter().enumerate() {
        let at = format!("card {} ({})", card.num, card.id);
        if usize::from(card.num) != i {
            errors.push(format!(
                "{at}: numbers must run 0–77 without gaps or repeats"
            ));
        }
        if expected_num(&card.arcana, card.suit.as_deref(), card.rank) != Some(card.num) {
            errors.push(format!(
                "{at}: its arcana, suit and rank call for another number"
            ));
        }
        if !ids.insert(card.id.as_str()) {
            errors.push(format!("{at}: id repeated"));
        }
        if !names.insert(card.name.en.as_str()) || !names.insert(card.name.ko.as_str()) {
            errors.push(format!("{at}: name repeated"));
        }
        check_text(&mut errors, &at, "name", &card.name);
        check_texts(
            &mut errors,
            &at,
            "keywords.upright",
            &card.keywords.upright,
            3,
        );
        check_texts(
            &mut errors,
            &at,
            "keywords.reversed",
            &card.keywords.reversed,
            3,
        );
        check_text(&mut errors, &at, "meaning.upright", &card.meaning.upright);
        check_text(&mut errors, &at, "meaning.reversed", &card.meaning.reversed);
        check_text(&mut errors, &at, "advice.upright", &card.advice.upright);
        check_text(&mut errors, &at, "advice.reversed", &card.advice.reversed);
        for (subject, line) in [
            ("love", &card.subjects.love),
            ("money", &card.subjects.money),
            ("career", &card.subjects.career),
            ("study", &card.subjects.study),
            ("health", &card.subjects.health),
        ] {
            check_text(&mut errors, &at, &format!("subjects.{subject}"), line);
        }
        check_text(&mut errors, &at, "numerology", &card.numerology);
        check_text(&mut errors, &at, "element", &card.element);
        check_text(&mut errors, &at, "imagery", &card.imagery);
        check_texts(&mut errors, &at, "explanation", &card.explanation, 2);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_deck_is_valid() {
        assert_eq!(validate(), Ok(()));
    }

    #[test]
    fn the_deck_has_78_unique_cards_numbered_0_to_77_in_the_documented_order() {
        let cards = deck();
        assert_eq!(cards.len(), 78);
        let nums: Vec<u8> = cards.iter().map(|c| c.num).collect();
        assert_eq!(nums, (0..78).collect::<Vec<u8>>());
        assert_eq!(cards.iter().filter(|c| c.is_major()).count(), 22);
        for (suit, first) in [
            ("wands", 22),
            ("cups", 36),
            ("swords", 50),
            ("pentacles", 64),
        ] {
            let of_suit: Vec<&Card> = cards
                .iter()
                .filter(|c| c.suit.as_deref() == Some(suit))
                .collect();
            assert_eq!(of_suit.len(), 14, "{suit}");
            assert_eq!(of_suit[0].num, first, "{suit} starts with its ace");
            assert_eq!(of_suit[0].rank, 1);
            assert_eq!(of_suit[13].rank, 14, "{suit} ends with its king");
        }
        assert_eq!(card(0).map(|c| c.id.as_str()), Some("the-fool"));
        assert_eq!(card(8).map(|c| c.name.en.as_str()), Some("Strength"));
        assert_eq!(card(21).map(|c| c.name.en.as_str()), Some("The World"));
        assert_eq!(
            card(77).map(|c| c.name.en.as_str()),
            Some("King of Pentacles")
        );
        assert!(card(78).is_none());
    }

    #[test]
    fn every_card_has_reversed_meanings_in_both_languages() {
        for c in deck() {
            assert!(
                !c.meaning.reversed.ko.is_empty() && !c.meaning.reversed.en.is_empty(),
                "{}",
                c.id
            );
            assert!(
                !c.keywords.reversed.ko.is_empty() && !c.keywords.reversed.en.is_empty(),
                "{}",
                c.id
            );
        }
    }

    #[test]
    fn a_minor_cards_number_follows_its_suit_and_rank() {
        assert_eq!(expected_num("minor", Some("wands"), 1), Some(22));
        assert_eq!(expected_num("minor", Some("cups"), 11), Some(46));
        assert_eq!(expected_num("minor", Some("pentacles"), 14), Some(77));
        assert_eq!(expected_num("minor", Some("coins"), 1), None);
        assert_eq!(expected_num("major", None, 22), None);
    }
}
