//! Cached JSON pages on a SQLite server (the HTTP side of `db/cache.rs`).
//!
//! A page is cached under an explicit [`PageScope`] and the request inputs the handler
//! actually used, at the caller's `data_version` (read by the auth extractor before the
//! handler reads anything). Only scopes whose tables bump `data_version` through triggers
//! (migrations/sqlite/0004) exist here, so a page of another table cannot be cached by
//! mistake; and query parameters a handler ignores never reach the key, so one user cannot
//! fill the cache with `?x=1`, `?x=2`, ….

use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::extract::DataVersion;
use crate::error::{Error, Result};
use crate::state::AppState;

/// What a cached page shows: only data whose changes bump the owner's `data_version`.
#[derive(Clone, Copy, Debug)]
pub enum PageScope {
    /// The caller's room list.
    Rooms,
    /// A page of one room's messages.
    Messages(Uuid),
}

impl PageScope {
    fn key(self, inputs: &str) -> String {
        match self {
            PageScope::Rooms => format!("rooms|{inputs}"),
            PageScope::Messages(room) => format!("messages|{room}|{inputs}"),
        }
    }
}

/// The caller's `data_version` for this request, when pages may be cached. Extract it
/// after `AuthUser` (axum runs extractors in order); before it, nothing is cached.
#[derive(Clone, Copy, Debug)]
pub struct PageCache(Option<DataVersion>);

impl<S: Send + Sync> FromRequestParts<S> for PageCache {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        Ok(PageCache(parts.extensions.get::<DataVersion>().copied()))
    }
}

impl PageCache {
    /// Answers with `build`'s JSON, or with the same bytes cached for this caller, scope
    /// and `inputs` (the handler's validated parameters) at the current `data_version`.
    pub async fn json<T, F>(
        self,
        state: &AppState,
        scope: PageScope,
        inputs: &str,
        build: F,
    ) -> Result<Response>
    where
        T: Serialize,
        F: Future<Output = Result<T>>,
    {
        let store = state.db.page_store().zip(self.0);
        let key = scope.key(inputs);
        if let Some((store, v)) = store
            && let Some(body) = store.page(v.user, v.version, &key)
        {
            return Ok(json_response(body));
        }
        let value = build.await?;
        let body = Bytes::from(
            serde_json::to_vec(&value).map_err(|e| Error::internal(format!("json: {e}")))?,
        );
        if let Some((store, v)) = store {
            store.put_page(v.user, v.version, &key, body.clone());
        }
        Ok(json_response(body))
    }
}

fn json_response(body: Bytes) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}
