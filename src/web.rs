//! The browser UI in `web/`: embedded into release builds (read from disk in debug builds,
//! so edits show on reload), served with an SPA fallback and cache headers.
//!
//! Caching: `index.html` is always revalidated. It is served with its asset links rewritten
//! from `/css/…`, `/js/…`, `/img/…` to `/v/{version}/…`, where `version` hashes every UI
//! file, so those versioned URLs (and every module they import relatively) are immutable
//! and cached for a year; a new build changes the version. Unversioned asset URLs still
//! work (with an ETag), which keeps `web/` deployable as plain static files.

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::extract::{Path, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::Error;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

/// Hash of every UI file: the `{version}` in `/v/{version}/…`.
fn compute_version() -> String {
    let mut names: Vec<Cow<'static, str>> = Assets::iter().collect();
    names.sort();
    let mut hasher = Sha256::new();
    for name in names {
        if let Some(file) = Assets::get(&name) {
            hasher.update(name.as_bytes());
            hasher.update(file.metadata.sha256_hash());
        }
    }
    hex(&hasher.finalize()[..6])
}

static VERSION: LazyLock<String> = LazyLock::new(compute_version);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The current asset version. Release builds hash the embedded files once; debug builds
/// read `web/` from disk, so they hash it again each time and edits get a new version.
pub fn version() -> Cow<'static, str> {
    if cfg!(debug_assertions) {
        Cow::Owned(compute_version())
    } else {
        Cow::Borrowed(VERSION.as_str())
    }
}

/// Content type by file extension (only what `web/` ships).
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

enum Caching {
    /// Versioned URL of the current build: cache for a year.
    Immutable,
    /// Revalidate with the ETag every time.
    Revalidate,
}

/// Only plain relative paths reach the asset lookup (debug builds read from disk).
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

fn serve_file(path: &str, caching: Caching, request_headers: &HeaderMap) -> Option<Response> {
    if !is_safe(path) {
        return None;
    }
    let file = Assets::get(path)?;
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    let cache = match caching {
        Caching::Immutable => "public, max-age=31536000, immutable",
        Caching::Revalidate => "no-cache",
    };
    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\"")),
        ),
    ];
    if not_modified {
        return Some((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    Some(
        (
            headers,
            [(header::CONTENT_TYPE, content_type(path))],
            file.data.into_owned(),
        )
            .into_response(),
    )
}

/// `index.html` with its asset links pointing at the versioned, immutable URLs.
fn render_index() -> Option<String> {
    let file = Assets::get("index.html")?;
    let prefix = format!("/v/{}/", version());
    let mut html = String::from_utf8_lossy(&file.data).into_owned();
    for attr in ["href=\"/", "src=\"/"] {
        for dir in ["css/", "js/", "img/"] {
            html = html.replace(
                &format!("{attr}{dir}"),
                &format!("{}{prefix}{dir}", &attr[..attr.len() - 1]),
            );
        }
    }
    Some(html)
}

/// Release builds rewrite `index.html` once; debug builds on every request (live edits).
fn index_html() -> Response {
    static INDEX: LazyLock<Option<String>> = LazyLock::new(render_index);
    let html = if cfg!(debug_assertions) {
        render_index()
    } else {
        INDEX.clone()
    };
    let Some(html) = html else {
        return Error::NotFound.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

/// `GET /v/{version}/{*path}`: a UI file under a versioned URL.
pub async fn versioned_asset(
    Path((asked, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let caching = if asked == *version() {
        Caching::Immutable
    } else {
        // An older page asking after an upgrade gets today's file, not cached for long.
        Caching::Revalidate
    };
    if path == "index.html" {
        return index_html();
    }
    serve_file(&path, caching, &headers).unwrap_or_else(|| Error::NotFound.into_response())
}

/// Everything no route matched: UI files, then the SPA's client routes (`index.html`);
/// API paths and other methods keep the JSON 404.
pub async fn fallback(request: Request) -> Response {
    let method = request.method();
    let path = request.uri().path();
    if (method != Method::GET && method != Method::HEAD)
        || path.starts_with("/api/")
        || path == "/api"
    {
        return Error::NotFound.into_response();
    }
    let relative = path.trim_start_matches('/');
    if relative.is_empty() || relative == "index.html" {
        return index_html();
    }
    if let Some(response) = serve_file(relative, Caching::Revalidate, request.headers()) {
        return response;
    }
    let last = relative.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        // A missing file, not a client route.
        return Error::NotFound.into_response();
    }
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.contains("text/html") || v.contains("*/*"));
    if wants_html {
        index_html()
    } else {
        Error::NotFound.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_ships_its_entry_points() {
        for path in ["index.html", "js/app.js", "js/api.js", "css/app.css"] {
            assert!(Assets::get(path).is_some(), "{path} is missing");
        }
        assert_eq!(version().len(), 12);
    }

    #[test]
    fn index_links_point_at_the_versioned_assets() {
        let html = render_index().expect("index.html ships");
        let prefix = format!("/v/{}/", version());
        assert!(
            html.contains(&format!("src=\"{prefix}js/app.js\"")),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"{prefix}css/app.css\"")),
            "{html}"
        );
        assert!(
            !html.contains("src=\"/js/") && !html.contains("href=\"/css/"),
            "{html}"
        );
    }

    #[test]
    fn traversal_paths_never_reach_the_file_lookup() {
        for bad in [
            "../Cargo.toml",
            "js/../../Cargo.toml",
            "/etc/passwd",
            "js//app.js",
            "a\\b",
            "./index.html",
        ] {
            assert!(!is_safe(bad), "{bad}");
        }
        assert!(is_safe("js/pages/chat.js"));
    }

    #[test]
    fn content_types_fit_module_scripts_under_nosniff() {
        assert_eq!(content_type("js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("css/app.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("img/logo.svg"), "image/svg+xml");
    }
}
