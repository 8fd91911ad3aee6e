//! Posts: list (category, search, cursor), read (counts a view), create, edit, delete.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{self, Category, CreatePost, PostInput, UpdatePost};
use super::repo::{self, PostRow, PostSummaryRow, PostText};
use super::{Author, Board, is_manager, thumbnail_url};
use crate::auth::extract::AuthUser;
use crate::chat::render;
use crate::error::{Error, ErrorBody, FieldErrors, Result};
use crate::extract::{AppJson, AppQuery, ClientIp, IdPath, Page, Pagination};
use crate::state::AppState;

/// A post in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostSummary {
    pub id: Uuid,
    pub category: String,
    pub title: String,
    /// The start of the body as plain text.
    pub excerpt: String,
    pub author: Author,
    /// The thumbnail, or the default image when the post has none.
    pub thumbnail_url: String,
    pub has_thumbnail: bool,
    pub view_count: i64,
    pub comment_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A post.
#[derive(Debug, Serialize, ToSchema)]
pub struct Post {
    pub id: Uuid,
    pub category: String,
    pub title: String,
    /// The Markdown as written.
    pub content: String,
    /// The Markdown rendered and sanitised.
    pub html: String,
    pub author: Author,
    pub thumbnail_url: String,
    pub has_thumbnail: bool,
    pub view_count: i64,
    pub comment_count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Whether the caller may edit it (the author).
    pub can_edit: bool,
    /// Whether the caller may delete it (the author or a manager).
    pub can_delete: bool,
}

impl Post {
    pub fn from_row(row: PostRow, caller: Option<&AuthUser>, unsaved_views: i64) -> Post {
        let mine = caller.is_some_and(|c| c.id == row.author_id);
        Post {
            id: row.id,
            category: row.category,
            title: row.title,
            content: row.content,
            html: row.html,
            author: Author {
                id: row.author_id,
                username: row.author_name,
            },
            thumbnail_url: thumbnail_url(row.thumbnail.as_deref()),
            has_thumbnail: row.thumbnail.is_some(),
            view_count: row.view_count + unsaved_views,
            comment_count: row.comment_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
            can_edit: mine,
            can_delete: mine || caller.is_some_and(is_manager),
        }
    }
}

fn summary(row: PostSummaryRow, unsaved_views: i64) -> PostSummary {
    PostSummary {
        id: row.id,
        category: row.category,
        title: row.title,
        excerpt: row.excerpt,
        author: Author {
            id: row.author_id,
            username: row.author_name,
        },
        thumbnail_url: thumbnail_url(row.thumbnail.as_deref()),
        has_thumbnail: row.thumbnail.is_some(),
        view_count: row.view_count + unsaved_views,
        comment_count: row.comment_count,
        created_at: row.created_at,
    }
}

/// `?category=&q=` of the list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub category: Option<String>,
    pub q: Option<String>,
}

/// Posts, newest first: `?category=notice|question|chat`, `?q=` (a substring of the title
/// or body, any script, case-insensitive), `?cursor=&limit=`.
#[utoipa::path(get, path = "/api/posts", tag = "board",
    params(("category" = Option<String>, Query), ("q" = Option<String>, Query),
        ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<PostSummary>), (status = 400, body = ErrorBody)))]
pub async fn list_posts(
    State(state): State<AppState>,
    page: Pagination,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Response> {
    let mut fields = FieldErrors::new();
    let category = match query.category.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(raw) => fields.check("category", Category::parse(raw)),
    };
    let pattern = fields
        .check(
            "q",
            input::search_pattern(query.q.as_deref().unwrap_or_default()),
        )
        .flatten();
    let cursor = fields.take(page.id_cursor())?.flatten();
    fields.finish()?;
    let board = state.part::<Board>()?;
    let cache = state.db.page_store().is_some().then(|| {
        let key = format!(
            "{}|{}|{}|{}",
            category.map(Category::as_str).unwrap_or(""),
            pattern.as_deref().unwrap_or(""),
            page.cursor.as_deref().unwrap_or(""),
            page.limit
        );
        (key, board.lists.generation(&board.views))
    });
    if let Some((key, generation)) = &cache
        && let Some(bytes) = board.lists.get(key, *generation)
    {
        return Ok(json_bytes(bytes));
    }
    let (rows, unsaved) = board
        .views
        .read_consistent(
            || {
                repo::list_posts(
                    &state.db,
                    category.map(Category::as_str),
                    pattern.as_deref(),
                    cursor,
                    page.fetch_limit(),
                )
            },
            |rows| rows.iter().map(|r| r.id).collect(),
        )
        .await?;
    let page = page.page(
        rows,
        |r| r.id.to_string(),
        |r| {
            let views = unsaved.get(&r.id).copied().unwrap_or(0);
            summary(r, views)
        },
    );
    let bytes = bytes::Bytes::from(serde_json::to_vec(&page).map_err(Error::internal)?);
    if let Some((key, generation)) = cache {
        board.lists.put(key, generation, bytes.clone());
    }
    Ok(json_bytes(bytes))
}

fn json_bytes(bytes: bytes::Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

/// 403 `notice_requires_manager` unless the caller may post notices.
fn check_notice(user: &AuthUser, category: Category) -> Result<()> {
    if category == Category::Notice && !is_manager(user) {
        return Err(Error::Forbidden {
            code: "notice_requires_manager",
            message: "only managers may post notices".into(),
        });
    }
    Ok(())
}

pub(super) fn not_author() -> Error {
    Error::Forbidden {
        code: "not_author",
        message: "only the author may do this".into(),
    }
}

fn stored_text(input: &PostInput) -> (String, String, String) {
    let html = render::markdown_to_html(&input.content);
    let excerpt = render::excerpt(&render::plain_text(&input.content), input::EXCERPT_CHARS);
    let search = input::search_text(&input.title, &input.content);
    (html, excerpt, search)
}

/// Write a post. The author is the caller; only managers post notices.
#[utoipa::path(post, path = "/api/posts", tag = "board", security(("bearer" = [])),
    request_body = CreatePost,
    responses((status = 201, body = Post), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn create_post(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(body): AppJson<CreatePost>,
) -> Result<(StatusCode, Json<Post>)> {
    let post = PostInput::parse(&body)?;
    check_notice(&user, post.category)?;
    let (html, excerpt, search) = stored_text(&post);
    let id = repo::insert_post(
        &state.db,
        user.id,
        &PostText {
            category: post.category.as_str(),
            title: &post.title,
            content: &post.content,
            html: &html,
            excerpt: &excerpt,
            search_text: &search,
        },
    )
    .await?;
    state.part::<Board>()?.lists.bump();
    let row = repo::get_post(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(Post::from_row(row, Some(&user), 0)),
    ))
}

/// Read a post (counts one view per viewer per hour).
#[utoipa::path(get, path = "/api/posts/{id}", tag = "board",
    params(("id" = String, Path)),
    responses((status = 200, body = Post), (status = 404, body = ErrorBody)))]
pub async fn get_post(
    State(state): State<AppState>,
    user: Option<AuthUser>,
    ClientIp(ip): ClientIp,
    IdPath(id): IdPath,
) -> Result<Json<Post>> {
    let views = &state.part::<Board>()?.views;
    let (row, unsaved) = views
        .read_consistent(|| repo::get_post(&state.db, id), |_| vec![id])
        .await?;
    let row = row.ok_or(Error::NotFound)?;
    let viewer = match &user {
        Some(u) => format!("u:{}", u.id),
        None => format!("ip:{ip}"),
    };
    // This view is added to the snapshot's pending count, not read from the database, so a
    // flush in between cannot count it twice.
    let new = i64::from(views.record(&state.db, id, viewer));
    let unsaved = unsaved.get(&id).copied().unwrap_or(0) + new;
    Ok(Json(Post::from_row(row, user.as_ref(), unsaved)))
}

/// Edit your post; absent fields stay. Making it a notice needs a manager.
#[utoipa::path(patch, path = "/api/posts/{id}", tag = "board", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = UpdatePost,
    responses((status = 200, body = Post), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn update_post(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    AppJson(body): AppJson<UpdatePost>,
) -> Result<Json<Post>> {
    let row = repo::get_post(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    if row.author_id != user.id {
        return Err(not_author());
    }
    let current_category = Category::parse(&row.category)
        .map_err(|_| Error::internal("a stored post has an unknown category"))?;
    let post = PostInput::patch(
        PostInput {
            title: row.title,
            content: row.content,
            category: current_category,
        },
        &body,
    )?;
    if post.category != current_category {
        check_notice(&user, post.category)?;
    }
    let (html, excerpt, search) = stored_text(&post);
    let changed = repo::update_post(
        &state.db,
        id,
        user.id,
        &PostText {
            category: post.category.as_str(),
            title: &post.title,
            content: &post.content,
            html: &html,
            excerpt: &excerpt,
            search_text: &search,
        },
    )
    .await?;
    if !changed {
        return Err(Error::NotFound);
    }
    state.part::<Board>()?.lists.bump();
    let (row, unsaved) = state
        .part::<Board>()?
        .views
        .read_consistent(|| repo::get_post(&state.db, id), |_| vec![id])
        .await?;
    let row = row.ok_or(Error::NotFound)?;
    let unsaved = unsaved.get(&id).copied().unwrap_or(0);
    Ok(Json(Post::from_row(row, Some(&user), unsaved)))
}

/// Delete a post (its author or a manager); its comments and thumbnail go with it.
#[utoipa::path(delete, path = "/api/posts/{id}", tag = "board", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_post(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    let row = repo::get_post(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let manager = is_manager(&user);
    if row.author_id != user.id && !manager {
        return Err(not_author());
    }
    let Some(thumbnail) = repo::delete_post(&state.db, id, user.id, manager).await? else {
        return Err(Error::NotFound);
    };
    state.part::<Board>()?.lists.bump();
    if let Some(name) = thumbnail {
        state.part::<Board>()?.media.forget(&name).await;
    }
    Ok(StatusCode::NO_CONTENT)
}
