//! A post's thumbnail: `PUT` (multipart part `file`) and `DELETE` by the author, and the
//! stored images served under server-chosen names with safe headers.
//!
//! An upload is checked and re-encoded before anything is stored (`media::image`); the
//! new object is written first, then the post is pointed at it only if its thumbnail is
//! still the one read before (compare and swap), and the old object is removed. A refused
//! upload therefore stores nothing, and a lost race removes its own object.

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

use super::posts::{Post, not_author};
use super::{Board, repo};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, ErrorDetail, Problem, Result};
use crate::extract::IdPath;
use crate::media::image::too_large;
use crate::media::store::{new_name, valid_name};
use crate::state::AppState;

/// The largest request body read for an upload: a 5 MiB file, its framing, and room to
/// read an oversized file to its end (so the client gets our 413 rather than a reset).
pub const BODY_LIMIT: usize = 12 * 1024 * 1024;

/// 413 naming `file`.
fn file_too_large(max: usize) -> Response {
    let problem = too_large(max);
    let body = ErrorBody {
        error: ErrorDetail {
            code: "payload_too_large".into(),
            message: format!("invalid input: file {}", problem.message),
            fields: Some(BTreeMap::from([("file".into(), problem.message.clone())])),
            field_codes: Some(BTreeMap::from([("file".into(), problem.code.into())])),
            scope: None,
            limit: None,
            resets_at: None,
        },
    };
    (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
}

/// What reading the multipart body found.
enum Upload {
    File(Vec<u8>),
    TooLarge,
}

/// Reads the part named `file`, at most `max` bytes kept; other parts are skipped.
async fn read_file(mut multipart: Multipart, max: usize) -> Result<Upload> {
    let mut found: Option<Upload> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Ok(Upload::TooLarge);
            }
            Err(_) => {
                return Err(Error::BadRequest {
                    code: "invalid_body",
                    message: "the multipart body could not be read".into(),
                });
            }
        };
        let is_file = field.name() == Some("file") && found.is_none();
        let mut field = field;
        let mut bytes = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if is_file && !over {
                        if bytes.len() + chunk.len() > max {
                            over = true;
                            bytes = Vec::new();
                        } else {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                }
                Ok(None) => break,
                Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Ok(Upload::TooLarge);
                }
                Err(_) => {
                    return Err(Error::BadRequest {
                        code: "invalid_body",
                        message: "the multipart body could not be read".into(),
                    });
                }
            }
        }
        if is_file {
            found = Some(if over {
                Upload::TooLarge
            } else {
                Upload::File(bytes)
            });
        }
    }
    found.ok_or_else(|| Error::field("file", Problem::required()))
}

/// The post, if the caller wrote it: 404 when missing, 403 `not_author` otherwise.
async fn own_post(state: &AppState, user: &AuthUser, id: uuid::Uuid) -> Result<repo::PostRow> {
    let row = repo::get_post(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    if row.author_id != user.id {
        return Err(not_author());
    }
    Ok(row)
}

/// Set a post's thumbnail: multipart part `file`, a PNG, JPEG, WebP or GIF of at most
/// 5 MiB and 40 megapixels, stored re-encoded (JPEG, or PNG with transparency, at most
/// 640 px wide).
#[utoipa::path(put, path = "/api/posts/{id}/thumbnail", tag = "board", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "part `file`: the image"),
    responses((status = 200, body = Post), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn put_thumbnail(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    let row = own_post(&state, &user, id).await?;
    let multipart = multipart.map_err(|_| {
        Error::UnsupportedMediaType(
            "expected a multipart/form-data body with a part named `file`".into(),
        )
    })?;
    let board = state.part::<Board>()?;
    let max = board.thumbnails.limits().max_bytes;
    let bytes = match read_file(multipart, max).await? {
        Upload::File(bytes) => bytes,
        Upload::TooLarge => return Ok(file_too_large(max)),
    };
    let encoded = board.thumbnails.thumbnail("file", bytes).await?;
    let name = new_name(encoded.extension);
    board.media.put(&name, encoded.bytes).await?;
    let swapped = repo::swap_thumbnail(
        &state.db,
        id,
        user.id,
        row.thumbnail.as_deref(),
        Some(&name),
    )
    .await;
    match swapped {
        Ok(true) => {}
        Ok(false) => {
            board.media.forget(&name).await;
            return Err(Error::Conflict {
                code: "post_changed",
                message: "the post changed meanwhile; try again".into(),
            });
        }
        Err(err) => {
            board.media.forget(&name).await;
            return Err(err);
        }
    }
    board.lists.bump();
    if let Some(old) = &row.thumbnail {
        board.media.forget(old).await;
    }
    let (row, unsaved) = board
        .views
        .read_consistent(|| repo::get_post(&state.db, id), |_| vec![id])
        .await?;
    let row = row.ok_or(Error::NotFound)?;
    let unsaved = unsaved.get(&id).copied().unwrap_or(0);
    Ok(Json(Post::from_row(row, Some(&user), unsaved)).into_response())
}

/// Remove a post's thumbnail (the post then shows the default image).
#[utoipa::path(delete, path = "/api/posts/{id}/thumbnail", tag = "board", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_thumbnail(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    let row = own_post(&state, &user, id).await?;
    let Some(old) = row.thumbnail else {
        return Ok(StatusCode::NO_CONTENT);
    };
    if !repo::swap_thumbnail(&state.db, id, user.id, Some(&old), None).await? {
        return Err(Error::Conflict {
            code: "post_changed",
            message: "the post changed meanwhile; try again".into(),
        });
    }
    let board = state.part::<Board>()?;
    board.lists.bump();
    board.media.forget(&old).await;
    Ok(StatusCode::NO_CONTENT)
}

/// A stored image. Names are ours and never reused, so it may be cached for a year.
#[utoipa::path(get, path = "/api/media/{name}", tag = "board",
    params(("name" = String, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
pub async fn get_media(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response> {
    if !valid_name(&name) {
        return Err(Error::NotFound);
    }
    let bytes = state
        .part::<Board>()?
        .media
        .get(&name)
        .await?
        .ok_or(Error::NotFound)?;
    let content_type = if name.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
