//! The encyclopedia: the deck list, one card, its face and the card back. The deck is
//! fixed at build time, so every answer is serialised once at start-up and served with a
//! strong ETag (a matching `If-None-Match` is a 304).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::deck::{self, Card, Text};
use super::svg::{Image, Images};
use crate::error::{Error, ErrorBody, Result};
use crate::extract::AppQuery;
use crate::lang::Language;
use crate::state::AppState;

/// A card in the deck list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardSummary {
    pub num: u8,
    pub id: String,
    /// `major` or `minor`.
    pub arcana: String,
    pub suit: Option<String>,
    pub rank: u8,
    pub name: Text,
}

/// The whole deck, numbers 0–77.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardList {
    pub items: Vec<CardSummary>,
    /// Always `null`: the deck is one page.
    pub next_cursor: Option<String>,
}

/// Serialised answers, ready to send.
pub struct Encyclopedia {
    list: Image,
    cards: HashMap<u8, Image>,
    pub images: Images,
}

impl Encyclopedia {
    pub fn build() -> Result<Encyclopedia> {
        let items: Vec<CardSummary> = deck::deck()
            .iter()
            .map(|c| CardSummary {
                num: c.num,
                id: c.id.clone(),
                arcana: c.arcana.clone(),
                suit: c.suit.clone(),
                rank: c.rank,
                name: c.name.clone(),
            })
            .collect();
        let list = serde_json::to_vec(&CardList {
            items,
            next_cursor: None,
        })
        .map_err(Error::internal)?;
        let mut cards = HashMap::new();
        for c in deck::deck() {
            cards.insert(
                c.num,
                Image::tagged(serde_json::to_vec(c).map_err(Error::internal)?),
            );
        }
        Ok(Encyclopedia {
            list: Image::tagged(list),
            cards,
            images: Images::render(),
        })
    }
}

/// Sends a prepared answer, or 304 when the client has it.
fn send(image: &Image, content_type: &'static str, headers: &HeaderMap, vary: bool) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == image.etag || t.trim() == "*")
        });
    let mut out = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], image.body.clone()).into_response()
    };
    let h = out.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&image.etag) {
        h.insert(header::ETAG, etag);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if vary {
        h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    out
}

/// A card number from the path: 0–77, anything else is not found.
fn card_num(raw: &str) -> Result<u8> {
    raw.parse::<u8>()
        .ok()
        .filter(|n| usize::from(*n) < deck::DECK_SIZE)
        .ok_or(Error::NotFound)
}

/// The deck: 22 major arcana (0–21) then wands, cups, swords and pentacles (ace to king),
/// with names in Korean and English (everything else is in `GET /api/tarot/cards/{num}`).
#[utoipa::path(get, path = "/api/tarot/cards", tag = "tarot",
    responses((status = 200, body = CardList), (status = 304)))]
pub async fn list_cards(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let e = state.part::<Encyclopedia>()?;
    Ok(send(&e.list, "application/json", &headers, false))
}

/// One card with its upright and reversed meanings, per-subject lines, advice, numerology,
/// element, imagery and explanation, in Korean and English.
#[utoipa::path(get, path = "/api/tarot/cards/{num}", tag = "tarot",
    params(("num" = u8, Path, description = "0–77")),
    responses((status = 200, body = Card), (status = 304), (status = 404, body = ErrorBody)))]
pub async fn get_card(
    State(state): State<AppState>,
    Path(num): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let num = card_num(&num)?;
    let e = state.part::<Encyclopedia>()?;
    let card = e.cards.get(&num).ok_or(Error::NotFound)?;
    Ok(send(card, "application/json", &headers, false))
}

/// `?lang=ko|en` for a card face.
#[derive(Debug, Deserialize)]
pub struct ImageQuery {
    pub lang: Option<String>,
}

/// A card face drawn by confab (SVG). The name is in `lang` (`ko`/`en`), else the first of
/// them in `Accept-Language`, else Korean. A reversed card is this face rotated.
#[utoipa::path(get, path = "/api/tarot/cards/{num}/image.svg", tag = "tarot",
    params(("num" = u8, Path, description = "0–77"), ("lang" = Option<String>, Query)),
    responses((status = 200, content_type = "image/svg+xml"), (status = 304), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn card_image(
    State(state): State<AppState>,
    Path(num): Path<String>,
    AppQuery(query): AppQuery<ImageQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let num = card_num(&num)?;
    let lang = match query.lang.as_deref() {
        Some(raw) => Language::parse(raw).ok_or_else(|| {
            Error::field("lang", crate::error::Problem::not_one_of(&["ko", "en"]))
        })?,
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::from_accept_language)
            .unwrap_or(Language::Ko),
    };
    let e = state.part::<Encyclopedia>()?;
    let image = e.images.face(num, lang).ok_or(Error::NotFound)?;
    Ok(send(image, "image/svg+xml", &headers, query.lang.is_none()))
}

/// The card back (SVG).
#[utoipa::path(get, path = "/api/tarot/back.svg", tag = "tarot",
    responses((status = 200, content_type = "image/svg+xml"), (status = 304)))]
pub async fn card_back(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let e = state.part::<Encyclopedia>()?;
    Ok(send(&e.images.back, "image/svg+xml", &headers, false))
}

/// A card by number, for the other modules (the deck is validated at start-up).
pub fn lookup(num: i64) -> Option<&'static Card> {
    u8::try_from(num).ok().and_then(deck::card)
}
