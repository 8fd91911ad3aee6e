//! Search over the caller's own messages.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{MessageView, Page, input, render, repo};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{AppQuery, Pagination};
use crate::state::AppState;

/// `?q=` of a search (the page's `cursor` and `limit` are read by [`Pagination`]).
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// A search hit: the message and where it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    pub message: MessageView,
    pub room_id: Uuid,
    /// `null` for an untitled room.
    pub room_title: Option<String>,
    /// The message as plain text (no Markdown syntax), cut around the first match.
    pub excerpt: String,
}

/// Length of a search hit's excerpt, in characters.
const EXCERPT_CHARS: usize = 160;

/// `content` as one line of plain text, at most `max` characters, around the first
/// case-insensitive match of `needle` (the match stays whole when it fits); `…` marks cuts.
fn excerpt_around(content: &str, needle: &str, max: usize) -> String {
    let plain = render::excerpt(&render::plain_text(content), usize::MAX);
    let chars: Vec<char> = plain.chars().collect();
    if chars.len() <= max {
        return plain;
    }
    let fold = |c: char| c.to_lowercase().next().unwrap_or(c);
    let hay: Vec<char> = chars.iter().copied().map(fold).collect();
    let pin: Vec<char> = needle.chars().map(fold).collect();
    let at = if pin.is_empty() {
        None
    } else {
        hay.windows(pin.len()).position(|w| w == pin.as_slice())
    };
    let budget = max.saturating_sub(2);
    let start = match at {
        Some(at) => {
            let before = budget.saturating_sub(pin.len()) / 3;
            at.saturating_sub(before)
                .min(chars.len().saturating_sub(budget))
        }
        None => 0,
    };
    let end = (start + budget).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// Search your own messages (substring, any language).
#[utoipa::path(get, path = "/api/search", tag = "chat", security(("bearer" = [])),
    params(("q" = String, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<SearchHit>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn search_messages(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
    AppQuery(query): AppQuery<SearchQuery>,
) -> Result<Json<Page<SearchHit>>> {
    let q = input::search_text(query.q.as_deref()).map_err(|p| Error::field("q", p))?;
    let rows = repo::search(
        &state.db,
        user.id,
        &q,
        page.id_cursor()?,
        page.fetch_limit(),
    )
    .await?;
    Ok(Json(page.page(
        rows,
        |r| r.message.id.to_string(),
        |r| SearchHit {
            room_id: r.message.room_id,
            room_title: Some(r.room_title).filter(|t| !t.is_empty()),
            excerpt: excerpt_around(&r.message.content, &q, EXCERPT_CHARS),
            message: MessageView::from(r.message),
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_plain_text_around_the_match() {
        assert_eq!(excerpt_around("**짧은** 글", "글", 160), "짧은 글");
        let long = format!("{} 소유권 **규칙** {}", "앞".repeat(300), "뒤".repeat(300));
        let cut = excerpt_around(&long, "소유권", 60);
        assert!(cut.contains("소유권 규칙"), "{cut}");
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.chars().count() <= 60, "{cut}");
        let head = excerpt_around(&format!("Rust {}", "x ".repeat(200)), "RUST", 40);
        assert!(head.starts_with("Rust") && head.ends_with('…'), "{head}");
    }
}
