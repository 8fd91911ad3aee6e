//! The community board: posts (`notice` 공지, `question` 질문, `chat` 잡담) with Markdown
//! bodies rendered and sanitised on the server, an optional thumbnail (re-encoded upload in
//! the media store), view counts batched in memory, and comments with one level of
//! replies. Anyone reads; members write; only managers (and admins) post notices; authors
//! edit; authors or managers delete. On these public resources a member who may not
//! change something gets 403 (`not_author`, `notice_requires_manager`).

mod comments;
mod erase;
pub mod input;
mod posts;
pub mod repo;
mod thumbnail;
pub mod views;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::extract::AuthUser;
use crate::auth::repo::Role;
use crate::error::Result;
use crate::media::{ImageLimits, MediaStore, Thumbnailer};
use crate::state::{AppState, Setup};

/// The board's runtime state.
pub struct Board {
    pub media: MediaStore,
    pub thumbnails: Thumbnailer,
    pub views: Arc<views::Views>,
    pub lists: ListCache,
}

/// Public list pages kept in memory on a SQLite server (the only server on its file, so
/// every board write passes through it): a page is reused while no board write and no view
/// flush happened since it was made, and for at most [`ListCache::MAX_AGE`] (names of
/// authors may change elsewhere). PostgreSQL servers share the database with other
/// instances and always read it.
#[derive(Default)]
pub struct ListCache {
    generation: std::sync::atomic::AtomicU64,
    pages: std::sync::Mutex<
        std::collections::HashMap<String, (u64, std::time::Instant, bytes::Bytes)>,
    >,
}

impl ListCache {
    /// How long a page may be served from memory at most.
    pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(5);
    const MAX_PAGES: usize = 2_000;

    /// Something on the board changed: every cached page is stale.
    pub fn bump(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The current generation (read before the data a page is made from).
    pub fn generation(&self, views: &views::Views) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
            + views.flushed.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn get(&self, key: &str, generation: u64) -> Option<bytes::Bytes> {
        let pages = self.pages.lock().ok()?;
        let (made_at, at, bytes) = pages.get(key)?;
        (*made_at == generation && at.elapsed() < Self::MAX_AGE).then(|| bytes.clone())
    }

    pub fn put(&self, key: String, generation: u64, bytes: bytes::Bytes) {
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= Self::MAX_PAGES {
                pages.clear();
            }
            pages.insert(key, (generation, std::time::Instant::now(), bytes));
        }
    }
}

/// Where the UI's default thumbnail is.
pub const DEFAULT_THUMBNAIL: &str = "/img/board-default.svg";
/// Where stored media are served.
pub const MEDIA_PREFIX: &str = "/api/media/";

/// Start-up: opens the media store named by the configuration.
pub fn init(setup: &mut Setup) -> Result<()> {
    let media = MediaStore::from_config(setup.config)?;
    setup.parts.insert(Board {
        media,
        thumbnails: Thumbnailer::new(ImageLimits::default()),
        views: Arc::default(),
        lists: ListCache::default(),
    });
    setup
        .parts
        .get_or_default::<crate::me::erase::AccountErasers>()
        .register("board", erase::BoardEraser);
    Ok(())
}

/// Routes under `/api/posts`, `/api/comments` and `/api/media`.
pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(
            thumbnail::put_thumbnail,
            thumbnail::delete_thumbnail
        ))
        // Room for a 5 MiB file and its multipart framing; larger bodies are read to
        // the end and refused with 413 on `file` (see `thumbnail.rs`).
        .layer(DefaultBodyLimit::max(thumbnail::BODY_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(posts::list_posts, posts::create_post))
        .routes(routes!(
            posts::get_post,
            posts::update_post,
            posts::delete_post
        ))
        .routes(routes!(comments::list_comments, comments::create_comment))
        .routes(routes!(comments::delete_comment))
        .routes(routes!(thumbnail::get_media))
        .merge(uploads)
}

/// Whether the caller may post notices and delete anything.
pub fn is_manager(user: &AuthUser) -> bool {
    user.role >= Role::Manager
}

/// A post's or comment's author.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Author {
    pub id: Uuid,
    pub username: String,
}

/// The URL of a stored thumbnail, or of the default image.
pub fn thumbnail_url(name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{MEDIA_PREFIX}{name}"),
        None => DEFAULT_THUMBNAIL.to_owned(),
    }
}
