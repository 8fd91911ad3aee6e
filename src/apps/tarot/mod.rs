//! Tarot: the card encyclopedia (public), card faces drawn as SVG, shuffles and five-card
//! readings with an archive (private: another user's reading is a 404), and nearby tarot
//! shops through Kakao Local.
//!
//! A reading may only use cards from the caller's latest shuffle (`tarot_deals`, one row per
//! user, replaced by each shuffle), so a client cannot choose its cards; a bad pick is a 400
//! that costs no quota. A reading costs one `tarot` quota slot. With a model configured for
//! the `tarot` app the sections come from it as validated JSON; anything invalid or failed
//! falls back to the offline reading ([`offline`]), so a reading never fails on model output.

mod cards;
pub mod deck;
mod llm;
pub mod offline;
mod prompts;
mod readings;
mod repo;
mod shops;
pub mod svg;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::lang::Localized;
use crate::state::{AppState, Setup};

/// Start-up: refuses an invalid shipped deck, renders every card image once and prepares
/// the encyclopedia's answers and the shops client.
pub fn init(setup: &mut Setup) -> Result<()> {
    deck::validate().map_err(|errors| {
        Error::internal(format!(
            "the shipped tarot deck is invalid: {}",
            errors.join("; ")
        ))
    })?;
    setup.parts.insert(cards::Encyclopedia::build()?);
    setup.parts.insert(shops::Shops::new(setup.config)?);
    Ok(())
}

/// Routes under `/api/tarot`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(cards::list_cards))
        .routes(routes!(cards::get_card))
        .routes(routes!(cards::card_image))
        .routes(routes!(cards::card_back))
        .routes(routes!(readings::shuffle))
        .routes(routes!(readings::list_readings, readings::create_reading))
        .routes(routes!(readings::get_reading, readings::delete_reading))
        .routes(routes!(shops::list_shops))
        .routes(routes!(shops::shops_map))
}

/// A reading subject and how the offline reader speaks of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// The API value.
    pub id: &'static str,
    pub label: Localized,
    /// The greeting's sentence about the subject.
    pub intro: Localized,
    /// Where advice is applied ("in love").
    pub domain: Localized,
    /// The conclusion's subject-specific sentence.
    pub closing: Localized,
}

const fn subject(
    id: &'static str,
    label: (&'static str, &'static str),
    intro: (&'static str, &'static str),
    domain: (&'static str, &'static str),
    closing: (&'static str, &'static str),
) -> Subject {
    Subject {
        id,
        label: Localized::new(label.0, label.1),
        intro: Localized::new(intro.0, intro.1),
        domain: Localized::new(domain.0, domain.1),
        closing: Localized::new(closing.0, closing.1),
    }
}

/// Every subject, in display order.
pub const SUBJECTS: &[Subject] = &[
    subject(
        "new-year",
        ("신년운", "New year"),
        (
            "새해의 흐름을 묻는 신년운 리딩입니다.",
            "This is a new-year reading of the year ahead.",
        ),
        ("새해에", "in the new year"),
        (
            "이 다섯 장이 보여 준 흐름을 달력 첫 장에 적어 두고, 계절이 바뀔 때마다 꺼내 보세요.",
            "Write the flow these five cards showed on the first page of your calendar, and look at it again as each season turns.",
        ),
    ),
    subject(
        "love",
        ("애정운", "Love"),
        (
            "마음과 관계를 살피는 애정운 리딩입니다.",
            "This is a love reading about your heart and your relationships.",
        ),
        ("사랑에", "in love"),
        (
            "사랑은 혼자 풀 수 없는 문제이니, 카드가 비춘 마음을 상대와 나누는 대화로 이어 가 보세요.",
            "Love is not a puzzle solved alone, so carry what the cards showed into an honest conversation.",
        ),
    ),
    subject(
        "money",
        ("금전운", "Money"),
        (
            "돈의 흐름을 살피는 금전운 리딩입니다.",
            "This is a money reading about how your finances flow.",
        ),
        ("돈 문제에", "with money"),
        (
            "돈의 흐름은 작은 습관에서 바뀌니, 이번 달 지출 하나를 골라 카드의 조언대로 다뤄 보세요.",
            "Money changes course through small habits: pick one expense this month and handle it as the cards advise.",
        ),
    ),
    subject(
        "study",
        ("학업운", "Study"),
        (
            "배움과 시험을 살피는 학업운 리딩입니다.",
            "This is a study reading about learning and exams.",
        ),
        ("공부에", "in your studies"),
        (
            "공부는 꾸준함이 재능을 이기는 영역이니, 오늘 할 분량을 작게 정해 끝까지 해내 보세요.",
            "In study, steadiness beats talent: set today's portion small and see it through.",
        ),
    ),
    subject(
        "career",
        ("직장운", "Career"),
        (
            "일과 직장을 살피는 직장운 리딩입니다.",
            "This is a career reading about your work and workplace.",
        ),
        ("일에", "at work"),
        (
            "일의 흐름은 함께 일하는 사람들과 함께 바뀌니, 믿을 만한 동료와 이 고민을 나눠 보세요.",
            "Work changes with the people around you, so share this question with a colleague you trust.",
        ),
    ),
    subject(
        "health",
        ("건강운", "Health"),
        (
            "몸과 마음의 균형을 살피는 건강운 리딩입니다.",
            "This is a health reading about the balance of body and mind.",
        ),
        ("건강을 돌보는 데", "in caring for your health"),
        (
            "다만 건강에 관한 카드는 참고일 뿐이니, 몸이 보내는 신호가 계속된다면 꼭 전문가와 상의하세요.",
            "Cards about health are only a reflection: if your body keeps sending a signal, do see a professional.",
        ),
    ),
    subject(
        "today",
        ("오늘의 운세", "Today"),
        (
            "오늘 하루를 비추는 오늘의 운세입니다.",
            "This is a reading for today.",
        ),
        ("오늘 하루에", "today"),
        (
            "카드가 건넨 한마디를 주머니 속 쪽지처럼 지니고 다니며 오늘 하루 가볍게 떠올려 보세요.",
            "Carry the cards' word with you today like a note in your pocket.",
        ),
    ),
];

/// A subject by its API value.
pub fn find_subject(id: &str) -> Option<Subject> {
    SUBJECTS.iter().copied().find(|s| s.id == id)
}

/// The five positions of a reading, in the order the cards are sent.
pub const POSITIONS: [&str; 5] = ["past", "present", "future", "advice-1", "advice-2"];

/// How many face-down cards a shuffle deals.
pub const DEAL_SIZE: usize = 30;

/// A card in a reading.
#[derive(Debug, Clone, Copy)]
pub struct Drawn {
    pub card: &'static deck::Card,
    pub reversed: bool,
}

/// The sections of a reading, each plain text (paragraphs separated by a blank line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    pub greeting: String,
    pub past: String,
    pub present: String,
    pub future: String,
    pub advice: String,
    pub conclusion: String,
}

impl Sections {
    pub fn all(&self) -> [&String; 6] {
        [
            &self.greeting,
            &self.past,
            &self.present,
            &self.future,
            &self.advice,
            &self.conclusion,
        ]
    }
}
