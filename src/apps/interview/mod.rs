//! The mock technical interview: catalog, sessions (start, answer, finish), cheat sheet
//! and favourites. Sessions and favourites are private: another user's is a 404.
//!
//! With an LLM configured for the `interview` app, questions, grades and the closing
//! complement come from it as validated JSON; anything invalid or failed falls back to the
//! shipped [`bank`] and its key-point grader, so the flow never breaks on model output.

pub mod bank;
mod cheatsheet;
mod favorites;
mod input;
pub mod korean;
mod llm;
pub mod offline;
pub mod prompts;
pub mod repo;
mod sessions;

use axum::Json;
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Problem, Result};
pub use crate::lang::{Language, Localized};
use crate::llm::ChatRequest;
use crate::llm::offline::OfflineAnswerer;
use crate::state::{AppState, Setup};

/// Start-up: refuses an invalid shipped bank, and answers the `tech-interview` assistant
/// offline from it (and interview questions asked of the general assistant).
pub fn init(setup: &mut Setup) -> Result<()> {
    bank::validate().map_err(|errors| {
        Error::internal(format!(
            "the shipped interview bank is invalid: {}",
            errors.join("; ")
        ))
    })?;
    setup.offline.register("tech-interview", InterviewOffline);
    Ok(())
}

struct InterviewOffline;

impl OfflineAnswerer for InterviewOffline {
    fn answer(&self, req: &ChatRequest, ko: bool) -> String {
        offline::answer(req.last_user_text(), ko)
    }

    fn aside(&self, text: &str, ko: bool) -> Option<String> {
        offline::best_match(text).map(|found| offline::render_entries(&[found], ko))
    }
}

/// Routes under `/api/interview`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_catalog))
        .routes(routes!(
            sessions::list_sessions,
            sessions::start::start_session
        ))
        .routes(routes!(sessions::get_session, sessions::delete_session))
        .routes(routes!(sessions::answer::answer_question))
        .routes(routes!(sessions::finish::finish_session))
        .routes(routes!(cheatsheet::cheatsheet))
        .routes(routes!(favorites::list_favorites, favorites::add_favorite))
        .routes(routes!(favorites::delete_favorite))
}

/// A catalog entry.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CatalogItem {
    pub id: &'static str,
    pub label: Localized,
}

const fn item(id: &'static str, ko: &'static str, en: &'static str) -> CatalogItem {
    CatalogItem {
        id,
        label: Localized::new(ko, en),
    }
}

/// Interview fields.
pub const FIELDS: &[CatalogItem] = &[
    item("backend", "백엔드", "Backend"),
    item("frontend", "프론트엔드", "Frontend"),
    item("fullstack", "풀스택", "Full-stack"),
    item("mobile", "모바일", "Mobile"),
    item("devops", "데브옵스", "DevOps"),
    item("data-ai", "데이터/AI", "Data & AI"),
    item("cs-fundamentals", "CS 기초", "CS fundamentals"),
];

/// Career levels, most junior first.
pub const CAREERS: &[CatalogItem] = &[
    item("new-grad", "신입", "New grad"),
    item("junior", "주니어 (1~3년)", "Junior (1–3 years)"),
    item("mid", "미드 (4~7년)", "Mid-level (4–7 years)"),
    item("senior", "시니어 (8년 이상)", "Senior (8+ years)"),
];

/// Difficulties as the API names them, with the Korean grade.
pub const DIFFICULTIES: &[CatalogItem] = &[
    item("easy", "하", "Easy"),
    item("medium", "중", "Medium"),
    item("hard", "상", "Hard"),
];

/// How hard a question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    /// `easy`/`medium`/`hard`, `하`/`중`/`상`, any case.
    pub fn parse(raw: &str) -> Option<Difficulty> {
        match raw.trim().to_lowercase().as_str() {
            "easy" | "하" => Some(Difficulty::Easy),
            "medium" | "중" => Some(Difficulty::Medium),
            "hard" | "상" => Some(Difficulty::Hard),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    /// Easiest first.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// Chooses the language of a session or cheat sheet: the requested `language` field when
/// given (must be `ko` or `en`), else the first of `ko`/`en` in `Accept-Language`, else
/// Korean.
pub fn choose_language(requested: Option<&str>, headers: &HeaderMap) -> Result<Language> {
    if let Some(raw) = requested {
        return Language::parse(raw.trim())
            .ok_or_else(|| Error::field("language", Problem::not_one_of(&["ko", "en"])));
    }
    let accept = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(Language::from_accept_language(accept).unwrap_or(Language::Ko))
}

/// Checks a field id.
pub fn parse_field(raw: &str) -> Result<&'static str> {
    FIELDS
        .iter()
        .find(|f| f.id == raw)
        .map(|f| f.id)
        .ok_or_else(|| {
            let ids: Vec<&str> = FIELDS.iter().map(|f| f.id).collect();
            Error::field("field", Problem::not_one_of(&ids))
        })
}

/// Checks a career level id.
pub fn parse_career(raw: &str) -> Result<&'static str> {
    CAREERS
        .iter()
        .find(|c| c.id == raw)
        .map(|c| c.id)
        .ok_or_else(|| {
            let ids: Vec<&str> = CAREERS.iter().map(|c| c.id).collect();
            Error::field("career", Problem::not_one_of(&ids))
        })
}

/// Fields, career levels and difficulties.
#[derive(Debug, Serialize, ToSchema)]
pub struct Catalog {
    pub fields: &'static [CatalogItem],
    pub careers: &'static [CatalogItem],
    pub difficulties: &'static [CatalogItem],
    /// Default and largest number of questions in a session.
    pub default_count: u32,
    pub max_count: u32,
}

/// What you can practise.
#[utoipa::path(get, path = "/api/interview/catalog", tag = "interview",
    responses((status = 200, body = Catalog)))]
async fn get_catalog() -> Json<Catalog> {
    Json(Catalog {
        fields: FIELDS,
        careers: CAREERS,
        difficulties: DIFFICULTIES,
        default_count: input::SESSION_DEFAULT_COUNT,
        max_count: input::SESSION_MAX_COUNT,
    })
}
