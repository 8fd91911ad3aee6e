//! The community board: posts, permissions, search, views, comments and replies, and
//! thumbnail uploads (hostile files included) on the local and S3 media stores.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, body_json, error_of, spawn_app, spawn_app_with};
use crate::on_both_backends;
use confab::media::MediaStore;

async fn make_manager(app: &TestApp, name: &str) -> String {
    let tokens = app.member(name).await;
    let sql: &'static str = Box::leak(
        format!("UPDATE users SET role = 'manager' WHERE username = '{name}'").into_boxed_str(),
    );
    assert_eq!(app.execute_elsewhere(sql).await, 1);
    // Role changes take effect at once; the same token now carries the manager role.
    tokens.access
}

async fn create_post(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_json("/api/posts", body, Some(token)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    body_json(res).await
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

async fn members_write_and_anyone_reads(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    let post = create_post(
        &app,
        &alice.access,
        json!({"title": "첫 글", "content": "**안녕하세요** <script>alert(1)</script>", "category": "chat"}),
    )
    .await;
    assert_eq!(post["author"]["username"], "alice");
    assert_eq!(post["category"], "chat");
    assert_eq!(post["has_thumbnail"], false);
    assert_eq!(post["thumbnail_url"], "/img/board-default.svg");
    let html = post["html"].as_str().expect("html");
    assert!(html.contains("<strong>안녕하세요</strong>"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert_eq!(post["can_edit"], true);

    // A visitor reads the list and the post.
    let res = app.get("/api/posts", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = body_json(res).await;
    assert_eq!(list["items"][0]["title"], "첫 글");
    assert_eq!(
        list["items"][0]["excerpt"],
        "안녕하세요 <script>alert(1)</script>"
    );
    assert_eq!(list["items"][0]["comment_count"], 0);
    let path = format!("/api/posts/{}", id_of(&post));
    let read = body_json(app.get(&path, None).await).await;
    assert_eq!(read["can_edit"], false);
    assert_eq!(read["can_delete"], false);

    // Writing needs a login.
    let res = app
        .post_json(
            "/api/posts",
            json!({"title": "x", "content": "y", "category": "chat"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn bad_posts_name_every_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    let res = app
        .post_json(
            "/api/posts",
            json!({"title": "", "content": "x".repeat(20_001), "category": "rant"}),
            Some(&alice.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = body_json(res).await;
    let codes = &body["error"]["field_codes"];
    assert_eq!(codes["title"], "required");
    assert_eq!(codes["content"], "too_long");
    assert_eq!(codes["category"], "not_one_of");
    let res = app
        .post_json(
            "/api/posts",
            json!({"title": "t", "content": "c", "category": "chat", "author_id": "x"}),
            Some(&alice.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        body_json(res).await["error"]["field_codes"]["author_id"],
        "unknown_field"
    );
    let res = app.get("/api/posts?category=rant", None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.get("/api/posts?cursor=nope", None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.get("/api/posts?limit=500", None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/api/posts/not-an-id", None).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn only_managers_post_notices(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    let res = app
        .post_json(
            "/api/posts",
            json!({"title": "공지", "content": "모두 보세요", "category": "notice"}),
            Some(&alice.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await.0, "notice_requires_manager");
    // Nor by turning a post into one.
    let post = create_post(
        &app,
        &alice.access,
        json!({"title": "t", "content": "c", "category": "chat"}),
    )
    .await;
    let path = format!("/api/posts/{}", id_of(&post));
    let res = app
        .patch_json(&path, json!({"category": "notice"}), &alice.access)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await.0, "notice_requires_manager");

    let boss = make_manager(&app, "boss").await;
    let notice = create_post(
        &app,
        &boss,
        json!({"title": "공지", "content": "모두 보세요", "category": "notice"}),
    )
    .await;
    assert_eq!(notice["category"], "notice");
    let notices = body_json(app.get("/api/posts?category=notice", None).await).await;
    assert_eq!(notices["items"].as_array().map(Vec::len), Some(1));
    let chats = body_json(app.get("/api/posts?category=chat", None).await).await;
    assert_eq!(chats["items"].as_array().map(Vec::len), Some(1));
}

async fn authors_edit_and_authors_or_managers_delete(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    let bob = app.member("bob").await;
    let post = create_post(
        &app,
        &alice.access,
        json!({"title": "원래 제목", "content": "본문", "category": "question"}),
    )
    .await;
    let path = format!("/api/posts/{}", id_of(&post));

    let res = app
        .patch_json(&path, json!({"title": "바꿈"}), &bob.access)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await.0, "not_author");
    let res = app.delete(&path, &bob.access).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = app
        .patch_json(&path, json!({"title": "고친 제목"}), &alice.access)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let edited = body_json(res).await;
    assert_eq!(edited["title"], "고친 제목");
    assert_eq!(edited["content"], "본문");
    let res = app
        .patch_json(&path, json!({"title": " "}), &alice.access)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // A manager deletes anyone's post; it is gone for everyone.
    let boss = make_manager(&app, "boss").await;
    assert_eq!(
        app.delete(&path, &boss).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&path, None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.delete(&path, &alice.access).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn search_finds_korean_substrings_and_pages_follow_the_cursor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    for i in 0..5 {
        create_post(
            &app,
            &alice.access,
            json!({"title": format!("글 {i}"), "content": "평범한 내용", "category": "chat"}),
        )
        .await;
    }
    create_post(
        &app,
        &alice.access,
        json!({"title": "함수 이름 짓기", "content": "변수명을 **잘** 짓는 법: Naming_Things 100%", "category": "question"}),
    )
    .await;
    for (q, hits) in [
        ("변수명", 1),
        ("이름 짓", 1),
        ("naming_things", 1),
        ("100%", 1),
        ("평범", 5),
        ("없는말", 0),
    ] {
        let path = format!("/api/posts?q={}", urlencode(q));
        let body = body_json(app.get(&path, None).await).await;
        assert_eq!(
            body["items"].as_array().map(Vec::len),
            Some(hits),
            "search {q}"
        );
    }
    // Pagination: 6 posts, pages of 4 then 2.
    let first = body_json(app.get("/api/posts?limit=4", None).await).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(4));
    let cursor = first["next_cursor"].as_str().expect("next_cursor");
    let second = body_json(
        app.get(&format!("/api/posts?limit=4&cursor={cursor}"), None)
            .await,
    )
    .await;
    assert_eq!(second["items"].as_array().map(Vec::len), Some(2));
    assert!(second["next_cursor"].is_null());
    assert_eq!(second["items"][1]["title"], "글 0");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn a_viewer_counts_once_an_hour(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    let bob = app.member("bob").await;
    let post = create_post(
        &app,
        &alice.access,
        json!({"title": "t", "content": "c", "category": "chat"}),
    )
    .await;
    let path = format!("/api/posts/{}", id_of(&post));
    for _ in 0..5 {
        let read = body_json(app.get(&path, Some(&bob.access)).await).await;
        assert_eq!(read["view_count"], 1);
    }
    let read = body_json(app.get(&path, Some(&alice.access)).await).await;
    assert_eq!(read["view_count"], 2);
    let read = body_json(app.get(&path, None).await).await;
    assert_eq!(read["view_count"], 3);
    let list = body_json(app.get("/api/posts", None).await).await;
    assert_eq!(list["items"][0]["view_count"], 3);
    // The counts reach the database in the background, in batches.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let stored: i64 = match &app.db {
            confab::db::Db::Sqlite(s) => sqlx::query_scalar("SELECT view_count FROM board_posts")
                .fetch_one(&s.pool)
                .await
                .expect("count"),
            confab::db::Db::Postgres(p) => sqlx::query_scalar("SELECT view_count FROM board_posts")
                .fetch_one(p)
                .await
                .expect("count"),
        };
        if stored == 3 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "views never stored");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let read = body_json(app.get(&path, None).await).await;
    assert_eq!(read["view_count"], 3);
}

async fn comments_have_one_level_of_replies_and_deleted_placeholders(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    let bob = app.member("bob").await;
    let post = create_post(
        &app,
        &alice.access,
        json!({"title": "t", "content": "c", "category": "question"}),
    )
    .await;
    let comments = format!("/api/posts/{}/comments", id_of(&post));
    let res = app
        .post_json(
            &comments,
            json!({"content": "좋은 질문!"}),
            Some(&bob.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let top = body_json(res).await;
    let top_id = id_of(&top);
    let res = app
        .post_json(
            &comments,
            json!({"content": "고마워요", "parent_id": top_id}),
            Some(&alice.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let reply = body_json(res).await;
    // No reply to a reply.
    let res = app
        .post_json(
            &comments,
            json!({"content": "더 깊이", "parent_id": id_of(&reply)}),
            Some(&bob.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        body_json(res).await["error"]["field_codes"]["parent_id"],
        "not_found"
    );
    let res = app
        .post_json(&comments, json!({"content": ""}), Some(&bob.access))
        .await;
    assert_eq!(
        body_json(res).await["error"]["field_codes"]["content"],
        "required"
    );
    let res = app
        .post_json(
            "/api/posts/00000000-0000-0000-0000-000000000000/comments",
            json!({"content": "x"}),
            Some(&bob.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let list = body_json(app.get(&comments, None).await).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0]["replies"][0]["content"], "고마워요");
    let post_now = body_json(app.get(&format!("/api/posts/{}", id_of(&post)), None).await).await;
    assert_eq!(post_now["comment_count"], 2);

    // Another member may not delete it; its author may, and it stays as a placeholder.
    let top_path = format!("/api/comments/{top_id}");
    let res = app.delete(&top_path, &alice.access).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.delete(&top_path, &bob.access).await.status(),
        StatusCode::NO_CONTENT
    );
    let list = body_json(app.get(&comments, None).await).await;
    let placeholder = &list["items"][0];
    assert_eq!(placeholder["deleted"], true);
    assert!(placeholder["content"].is_null());
    assert!(placeholder["author"].is_null());
    assert_eq!(placeholder["replies"][0]["content"], "고마워요");
    assert_eq!(
        app.delete(&top_path, &bob.access).await.status(),
        StatusCode::NOT_FOUND
    );

    // When the last reply goes, the placeholder goes too.
    let reply_path = format!("/api/comments/{}", id_of(&reply));
    assert_eq!(
        app.delete(&reply_path, &alice.access).await.status(),
        StatusCode::NO_CONTENT
    );
    let list = body_json(app.get(&comments, None).await).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    let post_now = body_json(app.get(&format!("/api/posts/{}", id_of(&post)), None).await).await;
    assert_eq!(post_now["comment_count"], 0);
}

async fn comment_pages_follow_the_cursor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let alice = app.member("alice").await;
    let post = create_post(
        &app,
        &alice.access,
        json!({"title": "t", "content": "c", "category": "chat"}),
    )
    .await;
    let comments = format!("/api/posts/{}/comments", id_of(&post));
    for i in 0..3 {
        app.post_json(
            &comments,
            json!({"content": format!("댓글 {i}")}),
            Some(&alice.access),
        )
        .await;
    }
    let first = body_json(app.get(&format!("{comments}?limit=2"), None).await).await;
    assert_eq!(first["items"][0]["content"], "댓글 0");
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = body_json(
        app.get(&format!("{comments}?limit=2&cursor={cursor}"), None)
            .await,
    )
    .await;
    assert_eq!(second["items"][0]["content"], "댓글 2");
    assert!(second["next_cursor"].is_null());
}

on_both_backends!(
    members_write_and_anyone_reads,
    bad_posts_name_every_field,
    only_managers_post_notices,
    authors_edit_and_authors_or_managers_delete,
    search_finds_korean_substrings_and_pages_follow_the_cursor,
    a_viewer_counts_once_an_hour,
    comments_have_one_level_of_replies_and_deleted_placeholders,
    comment_pages_follow_the_cursor,
);

// ---- uploads ----

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 7 % 256) as u8,
            (y * 13 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
        &mut out, 90,
    ))
    .expect("encode jpeg");
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba([10, 200, 30, 255]));
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
        .expect("encode png");
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A small PNG whose header claims `width` × `height` (a decompression bomb's header).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(1, 1);
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A JPEG with an EXIF segment holding a GPS position.
fn jpeg_with_gps() -> Vec<u8> {
    let plain = jpeg(64, 48);
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: one entry, GPSInfo (0x8825) → the GPS IFD at offset 26.
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: GPSLatitudeRef = "N".
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"GPS-SECRET-37.5665N-126.9780E");
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A multipart/form-data body with one part: (content type, body).
fn multipart(part: &str, filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("confab{}", uuid::Uuid::new_v4().simple());
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn put_form(
    app: &TestApp,
    token: &str,
    post: &str,
    form: (String, Vec<u8>),
) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/posts/{post}/thumbnail")))
        .bearer_auth(token)
        .header("content-type", form.0)
        .body(form.1)
        .send()
        .await
        .expect("upload sent")
}

async fn upload(
    app: &TestApp,
    token: &str,
    post: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    put_form(app, token, post, multipart("file", name, &bytes)).await
}

async fn media_names(media: &MediaStore) -> Vec<String> {
    let mut names = media.names().await.expect("list media");
    names.sort();
    names
}

async fn thumbnails_are_reencoded_and_served_safely(app: TestApp, media: MediaStore) {
    let alice = app.member("alice").await;
    let bob = app.member("bob").await;
    let post = create_post(
        &app,
        &alice.access,
        json!({"title": "사진", "content": "c", "category": "chat"}),
    )
    .await;
    let id = id_of(&post);

    // A JPEG with GPS EXIF: accepted, shrunk, and the EXIF is gone.
    let res = upload(&app, &alice.access, &id, "holiday.jpg", jpeg_with_gps()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let with_thumb = body_json(res).await;
    assert_eq!(with_thumb["has_thumbnail"], true);
    let url = with_thumb["thumbnail_url"]
        .as_str()
        .expect("url")
        .to_owned();
    assert!(
        url.starts_with("/api/media/") && url.ends_with(".jpg"),
        "{url}"
    );
    let res = app.get(&url, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap_or("")
            .starts_with("inline")
    );
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap_or("")
            .contains("default-src 'none'")
    );
    assert!(
        h["cache-control"]
            .to_str()
            .unwrap_or("")
            .contains("max-age=31536000")
    );
    let served = res.bytes().await.expect("bytes");
    assert!(!contains(&served, b"Exif"), "EXIF survived");
    assert!(!contains(&served, b"GPS-SECRET"), "GPS survived");
    assert_eq!(media_names(&media).await.len(), 1);

    // A big PNG with a script appended: re-encoded, the payload is gone, the old file too.
    let mut polyglot = png(1600, 900);
    polyglot.extend_from_slice(b"<script>alert(document.cookie)</script>");
    let res = upload(&app, &alice.access, &id, "x.png", polyglot).await;
    assert_eq!(res.status(), StatusCode::OK);
    let replaced = body_json(res).await;
    let new_url = replaced["thumbnail_url"].as_str().expect("url").to_owned();
    assert_ne!(new_url, url);
    assert_eq!(app.get(&url, None).await.status(), StatusCode::NOT_FOUND);
    let served = app.get(&new_url, None).await.bytes().await.expect("bytes");
    assert!(!contains(&served, b"<script>"));
    let decoded = image::load_from_memory(&served).expect("our bytes decode");
    assert_eq!((decoded.width(), decoded.height()), (640, 360));
    assert_eq!(media_names(&media).await.len(), 1);

    // Hostile files: refused with a 4xx naming `file`, and nothing stored.
    let before = media_names(&media).await;
    let mut truncated = jpeg(400, 300);
    truncated.truncate(truncated.len() / 3);
    let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
    huge.resize(6 * 1024 * 1024, 7);
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "shell.png",
            b"<?php system($_GET['c']); ?>".to_vec(),
            StatusCode::BAD_REQUEST,
            "unsupported_type",
        ),
        (
            "page.png",
            b"<html><script>alert(1)</script></html>".to_vec(),
            StatusCode::BAD_REQUEST,
            "unsupported_type",
        ),
        (
            "vector.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            StatusCode::BAD_REQUEST,
            "unsupported_type",
        ),
        (
            "bomb.png",
            png_claiming(50_000, 50_000),
            StatusCode::BAD_REQUEST,
            "too_many_pixels",
        ),
        (
            "cut.jpg",
            truncated,
            StatusCode::BAD_REQUEST,
            "invalid_image",
        ),
        ("big.png", huge, StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        ("empty.png", Vec::new(), StatusCode::BAD_REQUEST, "required"),
    ];
    for (name, bytes, status, code) in cases {
        let res = upload(&app, &alice.access, &id, name, bytes).await;
        assert_eq!(res.status(), status, "{name}");
        let body = body_json(res).await;
        assert_eq!(body["error"]["field_codes"]["file"], code, "{name}: {body}");
    }
    // A body that is not multipart, and a form without `file`.
    let res = app
        .put_json(
            &format!("/api/posts/{id}/thumbnail"),
            json!({"file": "x"}),
            &alice.access,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let res = put_form(&app, &alice.access, &id, multipart("other", "x.png", b"x")).await;
    assert_eq!(
        body_json(res).await["error"]["field_codes"]["file"],
        "required"
    );
    // Another member's post.
    let res = upload(&app, &bob.access, &id, "a.jpg", jpeg(32, 32)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .delete(&format!("/api/posts/{id}/thumbnail"), &bob.access)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(media_names(&media).await, before);
    let read = body_json(app.get(&format!("/api/posts/{id}"), None).await).await;
    assert_eq!(read["thumbnail_url"], new_url.as_str());

    // Unknown media names are 404, never a path outside the store.
    for bad in ["/api/media/..%2F..%2Fconfab.db", "/api/media/x.svg"] {
        assert_eq!(
            app.get(bad, None).await.status(),
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }

    // Removing the thumbnail, then deleting a post, removes their files.
    let res = app
        .delete(&format!("/api/posts/{id}/thumbnail"), &alice.access)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(media_names(&media).await.is_empty());
    let res = upload(&app, &alice.access, &id, "again.jpg", jpeg(800, 600)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(media_names(&media).await.len(), 1);
    let list = body_json(app.get("/api/posts", None).await).await;
    assert_eq!(list["items"][0]["has_thumbnail"], true);
    assert_eq!(
        app.delete(&format!("/api/posts/{id}"), &alice.access)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(media_names(&media).await.is_empty());

    // Deleting an account removes its posts' files, its comments, and the counts and
    // placeholders they leave on other members' posts.
    let res = upload(
        &app,
        &alice.access,
        &id_of(
            &create_post(
                &app,
                &alice.access,
                json!({"title": "떠날 글", "content": "c", "category": "chat"}),
            )
            .await,
        ),
        "last.jpg",
        jpeg(800, 600),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let url = body_json(res).await["thumbnail_url"]
        .as_str()
        .expect("url")
        .to_owned();
    assert_eq!(media_names(&media).await.len(), 1);
    let bobs = id_of(
        &create_post(
            &app,
            &bob.access,
            json!({"title": "남을 글", "content": "c", "category": "chat"}),
        )
        .await,
    );
    let comments = format!("/api/posts/{bobs}/comments");
    let comment = |token: String, body: Value| {
        let (app, comments) = (&app, &comments);
        async move {
            let res = app.post_json(comments, body, Some(&token)).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            id_of(&body_json(res).await)
        }
    };
    let asked = comment(bob.access.clone(), json!({"content": "질문 있어요"})).await;
    comment(
        alice.access.clone(),
        json!({"content": "답은 이거예요", "parent_id": asked}),
    )
    .await;
    comment(alice.access.clone(), json!({"content": "저도 한마디"})).await;
    comment(bob.access.clone(), json!({"content": "남는 댓글"})).await;
    let leaving = comment(
        alice.access.clone(),
        json!({"content": "떠나는 사람의 질문"}),
    )
    .await;
    comment(
        bob.access.clone(),
        json!({"content": "남는 답글", "parent_id": leaving}),
    )
    .await;
    assert_eq!(
        app.delete(&format!("/api/comments/{asked}"), &bob.access)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let post_now = body_json(app.get(&format!("/api/posts/{bobs}"), None).await).await;
    assert_eq!(post_now["comment_count"], 5);
    let res = app
        .request(
            reqwest::Method::DELETE,
            "/api/me",
            Some(&alice.access),
            Some(json!({"password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(media_names(&media).await.is_empty());
    assert_eq!(app.get(&url, None).await.status(), StatusCode::NOT_FOUND);
    let post_now = body_json(app.get(&format!("/api/posts/{bobs}"), None).await).await;
    assert_eq!(post_now["comment_count"], 2);
    // The leaver's comment that another member answered stays as a placeholder, and the
    // answer with it; the leaver's other comments, and the placeholder left without a
    // reply, are gone.
    let list = body_json(app.get(&comments, None).await).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(list["items"][0]["content"], "남는 댓글");
    let kept = &list["items"][1];
    assert_eq!(kept["id"], leaving.as_str(), "{list}");
    assert_eq!(kept["deleted"], true);
    assert!(kept["author"].is_null() && kept["content"].is_null() && kept["html"].is_null());
    assert_eq!(kept["can_delete"], false);
    assert_eq!(kept["replies"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(kept["replies"][0]["content"], "남는 답글");
    assert_eq!(kept["replies"][0]["author"]["username"], "bob");
    let posts = body_json(app.get("/api/posts", None).await).await;
    assert_eq!(posts["items"].as_array().map(Vec::len), Some(1), "{posts}");
    assert_eq!(posts["items"][0]["title"], "남을 글");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn uploads_on_the_local_store(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let media = MediaStore::local(&app.dir.path().join("media")).expect("local store");
    thumbnails_are_reencoded_and_served_safely(app, media).await;
}

async fn uploads_on_an_s3_compatible_store(backend: Backend) {
    let Some(endpoint) = std::env::var("CONFAB_TEST_S3_ENDPOINT")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("CONFAB_TEST_S3_ENDPOINT is not set (scripts/test starts one): S3 run skipped");
        return;
    };
    let bucket = format!("confab-{}", uuid::Uuid::new_v4().simple());
    // moto creates a bucket on a plain PUT.
    let res = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("bucket created");
    assert!(res.status().is_success(), "create bucket: {}", res.status());
    let s3 = |c: &mut confab::config::Config| {
        c.media_url = Some(format!("s3://{bucket}/uploads"));
        c.media_s3_endpoint = Some(endpoint.clone());
        c.media_s3_region = Some("us-east-1".into());
        c.media_s3_access_key_id = Some("testing".into());
        c.media_s3_secret_access_key = Some(confab::config::Secret::new("testing"));
    };
    let mut config = confab::config::Config::default();
    s3(&mut config);
    let media = MediaStore::from_config(&config).expect("s3 store");
    assert_eq!(media.kind(), "s3");
    let Some(app) = spawn_app_with(backend, s3).await else {
        return;
    };
    thumbnails_are_reencoded_and_served_safely(app, media).await;
}

on_both_backends!(
    uploads_on_the_local_store,
    uploads_on_an_s3_compatible_store
);
