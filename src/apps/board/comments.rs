//! Comments with one level of replies. A page holds top-level comments, oldest first, each
//! with its replies; a deleted comment that has replies stays as a placeholder
//! (`deleted: true`, no author or text).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{CommentInput, CreateComment};
use super::posts::not_author;
use super::repo::{self, CommentRow, Deleted, NewCommentError};
use super::{Author, Board, is_manager};
use crate::auth::extract::AuthUser;
use crate::chat::render;
use crate::error::{Error, ErrorBody, Problem, Result};
use crate::extract::{AppJson, IdPath, Page, Pagination};
use crate::state::AppState;

/// A comment or reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    pub id: Uuid,
    pub post_id: Uuid,
    pub parent_id: Option<Uuid>,
    /// `null` for a deleted placeholder.
    pub author: Option<Author>,
    /// The Markdown as written; `null` for a deleted placeholder.
    pub content: Option<String>,
    /// Rendered and sanitised; `null` for a deleted placeholder.
    pub html: Option<String>,
    pub deleted: bool,
    /// Whether the caller may delete it (its author or a manager).
    pub can_delete: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Replies, oldest first (top-level comments only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub replies: Option<Vec<Comment>>,
}

impl Comment {
    fn from_row(row: CommentRow, caller: Option<&AuthUser>) -> Comment {
        // A comment whose author's account is gone is a placeholder whatever it holds.
        let author = match (row.deleted, row.author_id, row.author_name) {
            (false, Some(id), Some(username)) => Some(Author { id, username }),
            _ => None,
        };
        let live = author.is_some();
        let can_delete = live
            && caller.is_some_and(|c| Some(c.id) == author.as_ref().map(|a| a.id) || is_manager(c));
        Comment {
            id: row.id,
            post_id: row.post_id,
            parent_id: row.parent_id,
            author,
            content: live.then_some(row.content),
            html: live.then_some(row.html),
            deleted: !live,
            can_delete,
            created_at: row.created_at,
            replies: None,
        }
    }
}

/// A post's comments: top-level ones oldest first (`?cursor=&limit=`), each with its replies.
#[utoipa::path(get, path = "/api/posts/{id}/comments", tag = "board",
    params(("id" = String, Path), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<Comment>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(state): State<AppState>,
    user: Option<AuthUser>,
    IdPath(post): IdPath,
    page: Pagination,
) -> Result<Json<Page<Comment>>> {
    let after = page.id_cursor()?;
    if !repo::post_exists(&state.db, post).await? {
        return Err(Error::NotFound);
    }
    let mut rows = repo::list_comments(&state.db, post, after, page.fetch_limit()).await?;
    let more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let mut replies = match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => repo::list_replies(&state.db, post, first.id, last.id).await?,
        _ => Vec::new(),
    };
    let next_cursor = more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    let items = rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            let mut comment = Comment::from_row(row, user.as_ref());
            let (mine, rest): (Vec<CommentRow>, Vec<CommentRow>) = std::mem::take(&mut replies)
                .into_iter()
                .partition(|r| r.parent_id == Some(id));
            replies = rest;
            comment.replies = Some(
                mine.into_iter()
                    .map(|r| Comment::from_row(r, user.as_ref()))
                    .collect(),
            );
            comment
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}

/// Comment on a post, or reply to a top-level comment (`parent_id`).
#[utoipa::path(post, path = "/api/posts/{id}/comments", tag = "board", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CreateComment,
    responses((status = 201, body = Comment), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn create_comment(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(post): IdPath,
    AppJson(body): AppJson<CreateComment>,
) -> Result<(StatusCode, Json<Comment>)> {
    let comment = CommentInput::parse(&body)?;
    let html = render::markdown_to_html(&comment.content);
    match repo::insert_comment(
        &state.db,
        post,
        comment.parent_id,
        user.id,
        &comment.content,
        &html,
    )
    .await?
    {
        Ok(row) => {
            state.part::<Board>()?.lists.bump();
            let mut view = Comment::from_row(row, Some(&user));
            if view.parent_id.is_none() {
                view.replies = Some(Vec::new());
            }
            Ok((StatusCode::CREATED, Json(view)))
        }
        Err(NewCommentError::NoPost) => Err(Error::NotFound),
        Err(NewCommentError::BadParent) => Err(Error::field(
            "parent_id",
            Problem::new(
                "not_found",
                "is not a live top-level comment of this post (replies go one level deep)",
            ),
        )),
    }
}

/// Delete a comment (its author or a manager). One with replies stays as a placeholder.
#[utoipa::path(delete, path = "/api/comments/{id}", tag = "board", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_comment(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    match repo::delete_comment(&state.db, id, user.id, is_manager(&user)).await? {
        Deleted::Done => {
            state.part::<Board>()?.lists.bump();
            Ok(StatusCode::NO_CONTENT)
        }
        Deleted::NotFound => Err(Error::NotFound),
        Deleted::Forbidden => Err(not_author()),
    }
}
