//! Shuffles and readings: a shuffle deals 30 face-down candidates (each possibly reversed)
//! from a cryptographically secure generator and keeps them as the user's latest deal; a
//! reading takes five distinct cards of that deal, costs one `tarot` quota slot and is kept
//! in the archive (list, reopen, delete; another user's reading is a 404).

mod check;

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::repo::{self, NewReading, ReadingRow};
use super::{
    DEAL_SIZE, Drawn, POSITIONS, Sections, Subject, cards, deck, find_subject, llm, offline,
};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result, required_text};
use crate::extract::{AppJson, IdPath, Page, Pagination};
use crate::lang::Language;
use crate::quota::{self, Scope};
use crate::state::AppState;
use check::Checked;
pub use check::CreateReading;

/// Longest concern, in characters.
pub const CONCERN_MAX: usize = 500;

/// A card as dealt or picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardPick {
    /// 0–77.
    pub num: i64,
    pub reversed: bool,
}

/// A shuffle: the candidates to pick from, in the order dealt.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deal {
    pub cards: Vec<CardPick>,
    #[serde(with = "time::serde::rfc3339")]
    pub dealt_at: OffsetDateTime,
}

/// Deals 30 distinct cards, each reversed with even odds. `rand::rng()` is a CSPRNG
/// (ChaCha seeded from the operating system), so deals cannot be predicted.
fn deal() -> Vec<CardPick> {
    let mut rng = rand::rng();
    let mut nums: Vec<i64> = (0..deck::DECK_SIZE as i64).collect();
    nums.shuffle(&mut rng);
    nums.into_iter()
        .take(DEAL_SIZE)
        .map(|num| CardPick {
            num,
            reversed: rand::Rng::random_bool(&mut rng, 0.5),
        })
        .collect()
}

/// Shuffle and deal 30 face-down candidates; they replace your previous deal, and a
/// reading may only use cards from it.
#[utoipa::path(get, path = "/api/tarot/shuffle", tag = "tarot", security(("bearer" = [])),
    responses((status = 200, body = Deal), (status = 401, body = ErrorBody)))]
pub async fn shuffle(State(state): State<AppState>, user: AuthUser) -> Result<Response> {
    let cards = deal();
    let json = serde_json::to_string(&cards).map_err(Error::internal)?;
    repo::save_deal(&state.db, user.id, &json).await?;
    let mut res = Json(Deal {
        cards,
        dealt_at: crate::db::now(),
    })
    .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A card in a reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingCard {
    /// `past`, `present`, `future`, `advice-1` or `advice-2`.
    pub position: String,
    pub num: i64,
    pub reversed: bool,
    /// The card's name in the reading's language.
    pub name: String,
    /// The card's face in the reading's language (rotate it when reversed).
    pub image: String,
}

/// A reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingView {
    pub id: Uuid,
    pub subject: String,
    pub concern: String,
    pub language: String,
    /// `llm` when a model wrote it, `offline` when confab composed it.
    pub source: String,
    pub cards: Vec<ReadingCard>,
    pub sections: Sections,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A reading in the archive list (without its sections).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingSummary {
    pub id: Uuid,
    pub subject: String,
    pub concern: String,
    pub language: String,
    pub source: String,
    pub cards: Vec<ReadingCard>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn reading_cards(json: &str, lang: &str) -> Vec<ReadingCard> {
    let picks: Vec<CardPick> = serde_json::from_str(json).unwrap_or_default();
    let language = Language::parse(lang).unwrap_or(Language::Ko);
    picks
        .iter()
        .zip(POSITIONS)
        .map(|(p, position)| ReadingCard {
            position: position.to_owned(),
            num: p.num,
            reversed: p.reversed,
            name: cards::lookup(p.num)
                .map(|c| c.name.get(language).to_owned())
                .unwrap_or_default(),
            image: format!(
                "/api/tarot/cards/{}/image.svg?lang={}",
                p.num,
                language.as_str()
            ),
        })
        .collect()
}

fn view(row: ReadingRow) -> Result<ReadingView> {
    let sections: Sections = serde_json::from_str(&row.sections).map_err(Error::internal)?;
    Ok(ReadingView {
        cards: reading_cards(&row.cards, &row.language),
        id: row.id,
        subject: row.subject,
        concern: row.concern,
        language: row.language,
        source: row.source,
        sections,
        created_at: row.created_at,
    })
}

/// A reading of five cards from your latest shuffle, for the positions past, present,
/// future, advice 1 and advice 2. Costs one `tarot` quota slot; a request with repeated,
/// undealt or unknown cards is a 400 and costs nothing.
#[utoipa::path(post, path = "/api/tarot/readings", tag = "tarot", security(("bearer" = [])),
    request_body = CreateReading,
    responses((status = 201, body = ReadingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_reading(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    AppJson(body): AppJson<CreateReading>,
) -> Result<Response> {
    let checked = Checked::parse(&state, &user, &body, &headers).await?;
    let reservation = quota::reserve(&state, user.id, Scope::Tarot).await?;
    let stored = async {
        let (sections, source) = match llm::reading(
            &state,
            checked.subject,
            &checked.concern,
            &checked.cards,
            checked.language,
        )
        .await
        {
            Some(sections) => (sections, "llm"),
            None => (
                offline::compose(
                    checked.subject,
                    &checked.concern,
                    &checked.cards,
                    checked.language,
                ),
                "offline",
            ),
        };
        let picks: Vec<CardPick> = checked
            .cards
            .iter()
            .map(|d| CardPick {
                num: i64::from(d.card.num),
                reversed: d.reversed,
            })
            .collect();
        let row = repo::insert_reading(
            &state.db,
            user.id,
            &NewReading {
                subject: checked.subject.id,
                concern: &checked.concern,
                language: checked.language.as_str(),
                source,
                cards: serde_json::to_string(&picks).map_err(Error::internal)?,
                sections: serde_json::to_string(&sections).map_err(Error::internal)?,
            },
        )
        .await?;
        view(row)
    }
    .await;
    match stored {
        Ok(view) => {
            quota::keep(&state, &reservation).await;
            Ok((StatusCode::CREATED, reservation.headers(), Json(view)).into_response())
        }
        Err(err) => {
            if let Err(e) = quota::refund(&state, &reservation).await {
                tracing::error!(error = %e, "quota refund failed");
            }
            Err(err)
        }
    }
}

/// Your readings, newest first.
#[utoipa::path(get, path = "/api/tarot/readings", tag = "tarot", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<ReadingSummary>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_readings(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
) -> Result<Json<Page<ReadingSummary>>> {
    let rows =
        repo::list_readings(&state.db, user.id, page.id_cursor()?, page.fetch_limit()).await?;
    Ok(Json(page.page(
        rows,
        |r| r.id.to_string(),
        |r| ReadingSummary {
            cards: reading_cards(&r.cards, &r.language),
            id: r.id,
            subject: r.subject,
            concern: r.concern,
            language: r.language,
            source: r.source,
            created_at: r.created_at,
        },
    )))
}

/// One of your readings.
#[utoipa::path(get, path = "/api/tarot/readings/{id}", tag = "tarot", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ReadingView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get_reading(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<Json<ReadingView>> {
    let row = repo::get_reading(&state.db, user.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(view(row)?))
}

/// Delete one of your readings.
#[utoipa::path(delete, path = "/api/tarot/readings/{id}", tag = "tarot", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn delete_reading(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    if repo::delete_reading(&state.db, user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::check::{check_cards, check_concern};
    use super::*;

    fn pick(num: i64, reversed: bool) -> CardPick {
        CardPick { num, reversed }
    }

    #[test]
    fn a_deal_has_30_distinct_cards_of_the_deck() {
        let d = deal();
        assert_eq!(d.len(), 30);
        let nums: HashSet<i64> = d.iter().map(|c| c.num).collect();
        assert_eq!(nums.len(), 30);
        assert!(nums.iter().all(|n| (0..78).contains(n)));
    }

    #[test]
    fn picks_must_be_five_distinct_known_cards_of_the_deal() {
        let dealt: Vec<CardPick> = (0..30).map(|n| pick(n, n % 2 == 0)).collect();
        let good: Vec<CardPick> = (0..5).map(|n| pick(n, n % 2 == 0)).collect();
        assert!(check_cards(&good, Some(&dealt)).is_ok());
        let code = |picks: &[CardPick], deal: Option<&[CardPick]>| {
            check_cards(picks, deal).err().map(|p| p.code)
        };
        assert_eq!(code(&good[..4], Some(&dealt)), Some("wrong_count"));
        let mut repeated = good.clone();
        repeated[4] = repeated[0];
        assert_eq!(code(&repeated, Some(&dealt)), Some("repeated_card"));
        let mut unknown = good.clone();
        unknown[2] = pick(78, false);
        assert_eq!(code(&unknown, Some(&dealt)), Some("unknown_card"));
        let mut undealt = good.clone();
        undealt[1] = pick(40, false);
        assert_eq!(code(&undealt, Some(&dealt)), Some("not_dealt"));
        let mut flipped = good.clone();
        flipped[0] = pick(0, false);
        assert_eq!(code(&flipped, Some(&dealt)), Some("not_dealt"));
        assert_eq!(code(&good, None), Some("not_dealt"));
    }

    #[test]
    fn a_concern_is_required_bounded_and_free_of_control_characters() {
        assert!(check_concern("  ").is_err());
        assert_eq!(check_concern(" 이직? ").ok().as_deref(), Some("이직?"));
        assert!(check_concern(&"가".repeat(501)).is_err());
        assert!(check_concern("a\u{0}b").is_err());
        assert!(check_concern("line\nline").is_ok());
    }
}
