//! The embedded web UI: the page, its assets and their caching, the SPA fallback for client
//! routes, and JSON 404s everywhere the UI does not own. (No storage involved: SQLite only.)

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};

use crate::helpers::{Backend, error_of, spawn_app};

fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The `/v/{version}/` prefix the served page links to.
async fn asset_prefix(app: &crate::helpers::TestApp) -> String {
    let html = app.get("/", None).await.text().await.expect("body");
    let start = html.find("/v/").expect("a versioned link");
    let rest = &html[start..];
    let end = rest[3..].find('/').expect("version end") + 4;
    rest[..end].to_owned()
}

#[tokio::test]
async fn the_home_page_is_the_ui_with_a_strict_csp_and_versioned_assets() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let res = app.get("/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, CONTENT_TYPE), "text/html; charset=utf-8");
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
    let csp = header(&res, reqwest::header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = res.text().await.expect("body");
    assert!(html.contains("<main id=\"main\""), "{html}");
    assert!(!html.contains("<script>"), "no inline script");
    assert!(!html.contains("style="), "no inline style");
    let prefix = asset_prefix(&app).await;
    assert!(
        html.contains(&format!("src=\"{prefix}js/app.js\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"{prefix}css/app.css\"")),
        "{html}"
    );
}

#[tokio::test]
async fn versioned_assets_are_immutable_and_plain_ones_revalidate_with_an_etag() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let prefix = asset_prefix(&app).await;
    let res = app.get(&format!("{prefix}js/app.js"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert!(header(&res, CACHE_CONTROL).contains("immutable"));
    // Modules imported relatively from a versioned URL are versioned too.
    let res = app.get(&format!("{prefix}js/locales/en.js"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header(&res, CACHE_CONTROL).contains("immutable"));

    let res = app.get("/css/app.css", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, CONTENT_TYPE), "text/css; charset=utf-8");
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
    let etag = header(&res, ETAG);
    assert!(etag.starts_with('"'), "{etag}");
    let res = app
        .client
        .get(app.url("/css/app.css"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);

    // A page from an older build still gets today's file, just not cached for a year.
    let res = app.get("/v/000000000000/js/app.js", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn client_routes_get_the_page_but_api_paths_and_missing_files_get_json_404() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    for route in [
        "/chat",
        "/chat/0193a0b2-0000-7000-8000-000000000000",
        "/interview/favorites",
        "/login",
    ] {
        let res = app
            .client
            .get(app.url(route))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK, "{route}");
        assert!(
            header(&res, CONTENT_TYPE).starts_with("text/html"),
            "{route}"
        );
    }
    for path in [
        "/api/not-a-route",
        "/js/missing.js",
        "/favicon.ico",
        "/v/abc/js/missing.js",
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_of(res).await.0, "not_found", "{path}");
    }
    let res = app
        .client
        .get(app.url("/chat"))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "JSON clients get JSON");
    let res = app
        .client
        .post(app.url("/chat"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(res).await.0, "not_found");
}

#[tokio::test]
async fn asset_paths_cannot_escape_the_ui_folder() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    for path in [
        "/v/x/..%2F..%2FCargo.toml",
        "/v/x/%2E%2E/%2E%2E/Cargo.toml",
        "/..%2FCargo.toml",
        "/js/..%2F..%2FCargo.toml",
        "/v/x/js%2F..%2F..%2F..%2Fsrc%2Fmain.rs",
    ] {
        let res = app.get(path, None).await;
        let status = res.status();
        let body = res.text().await.expect("body");
        assert!(
            !body.contains("[package]") && !body.contains("fn main"),
            "{path}: {status}"
        );
    }
}

#[tokio::test]
async fn the_ui_s_text_files_are_compressed_when_asked_and_json_is_not() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let prefix = asset_prefix(&app).await;
    for encoding in ["gzip", "br"] {
        let res = app
            .client
            .get(app.url(&format!("{prefix}js/app.js")))
            .header(reqwest::header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, reqwest::header::CONTENT_ENCODING), encoding);
        assert!(header(&res, ETAG).starts_with('"'), "the ETag stays");
    }
    let res = app
        .client
        .get(app.url("/api/assistants"))
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(header(&res, reqwest::header::CONTENT_ENCODING), "");
}
