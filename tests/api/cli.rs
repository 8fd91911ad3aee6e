//! The `confab` binary: user management, config check and start-up refusals.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, Tokens, start, test_config};

fn confab(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_confab"));
    cmd.args(args)
        .env_clear()
        .env("CONFAB_DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("confab runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("confab exits")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `confab user create Boss@Example.com --username boss --role admin` with a good
/// password (`quiet-meadow-91`) on stdin; panics unless it succeeds.
fn create_boss(dir: &std::path::Path) {
    let out = confab(
        dir,
        &[
            "user",
            "create",
            "Boss@Example.com",
            "--username",
            "boss",
            "--password-stdin",
            "--role",
            "admin",
        ],
        &[],
        "quiet-meadow-91\n",
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// A server on the SQLite file in `dir`, with boss logged in.
async fn serve_with_boss_logged_in(dir: &std::path::Path) -> (TestApp, Tokens) {
    let db = crate::helpers::fresh_db(Backend::Sqlite, dir)
        .await
        .expect("sqlite");
    let app = start(
        test_config(dir),
        db,
        Backend::Sqlite,
        tempfile::tempdir().expect("tempdir"),
    )
    .await;
    let tokens = app.login("boss@example.com", "quiet-meadow-91").await;
    (app, tokens)
}

#[test]
fn user_create_refuses_a_weak_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = confab(
        dir.path(),
        &[
            "user",
            "create",
            "weak@example.com",
            "--username",
            "weak",
            "--password-stdin",
        ],
        &[],
        "password\n",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("password"), "{}", text(&out));
}

#[test]
fn user_create_refuses_an_email_taken_in_another_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    create_boss(dir.path());
    let out = confab(
        dir.path(),
        &[
            "user",
            "create",
            "boss@example.com",
            "--username",
            "boss2",
            "--password-stdin",
        ],
        &[],
        "quiet-meadow-92\n",
    );
    assert!(!out.status.success(), "duplicate email accepted");
}

#[test]
fn user_promote_of_an_unknown_email_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    create_boss(dir.path());
    let out = confab(
        dir.path(),
        &["user", "promote", "nobody@example.com", "--role", "manager"],
        &[],
        "",
    );
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_created_on_the_command_line_logs_in_with_its_role() {
    let dir = tempfile::tempdir().expect("tempdir");
    create_boss(dir.path());
    let (app, tokens) = serve_with_boss_logged_in(dir.path()).await;
    let me = app.get_json("/api/me", &tokens.access).await;
    assert_eq!(me["role"], "admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promotion_on_the_command_line_shows_at_once_on_a_running_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    create_boss(dir.path());
    let (app, tokens) = serve_with_boss_logged_in(dir.path()).await;
    assert_eq!(
        app.get_json("/api/me", &tokens.access).await["role"],
        "admin"
    );
    let out = confab(
        dir.path(),
        &["user", "promote", "BOSS@example.com", "--role", "manager"],
        &[],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let me = app.get_json("/api/me", &tokens.access).await;
    assert_eq!(me["role"], "manager", "role changes take effect at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivation_on_the_command_line_signs_the_user_out_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    create_boss(dir.path());
    let (app, tokens) = serve_with_boss_logged_in(dir.path()).await;
    let out = confab(
        dir.path(),
        &["user", "deactivate", "boss@example.com"],
        &[],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        app.get("/api/me", Some(&tokens.access)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app
        .post_json(
            "/api/auth/login",
            json!({"email": "boss@example.com", "password": "quiet-meadow-91"}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[test]
fn config_check_prints_the_effective_config_without_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        (
            "CONFAB_JWT_SECRET",
            "super-secret-jwt-key-that-is-32-bytes-long",
        ),
        ("CONFAB_LLM_API_KEY", "sk-do-not-print"),
        ("CONFAB_QUOTA_CHAT", "9"),
    ];
    let out = confab(dir.path(), &["config", "check"], &env, "");
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("quota_chat = 9"), "{shown}");
    assert!(
        !shown.contains("super-secret") && !shown.contains("sk-do-not-print"),
        "{shown}"
    );
    assert!(shown.contains("[redacted]"), "{shown}");
}

#[test]
fn a_short_jwt_secret_or_bad_value_stops_start_up_naming_the_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = confab(
        dir.path(),
        &["serve"],
        &[("CONFAB_JWT_SECRET", "too-short")],
        "",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("CONFAB_JWT_SECRET"), "{}", text(&out));
    let out = confab(
        dir.path(),
        &[],
        &[("CONFAB_QUOTA_TIMEZONE", "Nowhere/Special")],
        "",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("CONFAB_QUOTA_TIMEZONE"),
        "{}",
        text(&out)
    );
}

#[test]
fn serve_shuts_down_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .env_clear()
        .env("CONFAB_DATA_DIR", dir.path())
        .env("CONFAB_LISTEN", format!("127.0.0.1:{port}"))
        .current_dir(dir.path())
        .env("CONFAB_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("confab is listening"));
    assert!(ready, "server never said it was listening");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("server exits");
    assert!(status.success(), "exit status {status:?}");
    assert!(dir.path().join("confab.db").exists());
}

/// `confab backup` while messages are being sent: every message acknowledged before the
/// backup started is in it, and `confab restore` brings them back on a new server. A restore
/// is refused while a server holds the database, and over a database with accounts unless
/// forced.
#[tokio::test]
async fn a_backup_under_write_load_restores_every_acknowledged_message() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let dir = tempfile::tempdir().expect("tempdir");
    create_boss(dir.path());
    let db = crate::helpers::fresh_db(Backend::Sqlite, dir.path())
        .await
        .expect("sqlite");
    let mut config = test_config(dir.path());
    config.set_quota_limit("chat", 0);
    let app = start(
        config,
        db,
        Backend::Sqlite,
        tempfile::tempdir().expect("tempdir"),
    )
    .await;
    let boss = app.login("boss@example.com", "quiet-meadow-91").await;
    let app = Arc::new(app);
    let room = app.create_room(&boss.access, "general", json!(null)).await;

    // Writers keep sending until told to stop; each records what was acknowledged.
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (app, token, room) = (app.clone(), boss.access.clone(), room.clone());
        let (stop, acked) = (stop.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let content = format!("writer {w} message {i}");
                let res = app.send(&token, &room, &content).await;
                if res.status() == StatusCode::OK {
                    acked.lock().expect("acked").push(content);
                }
                i += 1;
            }
        }));
    }
    while acked.lock().expect("acked").len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before: Vec<String> = acked.lock().expect("acked").clone();
    let backup_path = dir.path().join("nightly.db");
    let backup_arg = backup_path.to_string_lossy().into_owned();
    let out = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        let arg = backup_arg.clone();
        move || confab(&dir, &["backup", &arg], &[], "")
    })
    .await
    .expect("backup runs");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("backed up to"), "{}", text(&out));
    // Writes went on during the backup.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    let total = acked.lock().expect("acked").len();
    assert!(total > before.len(), "writes went on during the backup");

    // A backup never overwrites a file.
    let again = confab(dir.path(), &["backup", &backup_arg], &[], "");
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    // A restore while the server runs is refused.
    let busy = confab(dir.path(), &["restore", &backup_arg], &[], "");
    assert!(!busy.status.success());
    assert!(text(&busy).contains("stop the server"), "{}", text(&busy));

    // Restored into a new data directory, every message acknowledged before the backup is there.
    let fresh = tempfile::tempdir().expect("tempdir");
    let out = confab(fresh.path(), &["restore", &backup_arg], &[], "");
    assert!(out.status.success(), "{}", text(&out));
    // A second restore over the now non-empty database needs --force.
    let refused = confab(fresh.path(), &["restore", &backup_arg], &[], "");
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--force"), "{}", text(&refused));
    let forced = confab(fresh.path(), &["restore", &backup_arg, "--force"], &[], "");
    assert!(forced.status.success(), "{}", text(&forced));

    let (restored, boss) = serve_with_boss_logged_in(fresh.path()).await;
    let page: serde_json::Value = restored
        .get_json(
            &format!("/api/rooms/{room}/messages?limit=200"),
            &boss.access,
        )
        .await;
    let mut items: Vec<serde_json::Value> = page["items"].as_array().expect("items").clone();
    let mut cursor = page["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let more: serde_json::Value = restored
            .get_json(
                &format!("/api/rooms/{room}/messages?limit=200&cursor={c}"),
                &boss.access,
            )
            .await;
        items.extend(more["items"].as_array().expect("items").iter().cloned());
        cursor = more["next_cursor"].as_str().map(str::to_owned);
    }
    let stored: std::collections::HashSet<&str> = items
        .iter()
        .filter(|m| m["role"] == "user")
        .filter_map(|m| m["content"].as_str())
        .collect();
    for content in &before {
        assert!(stored.contains(content.as_str()), "{content} was lost");
    }
    assert!(stored.len() <= total);
}

#[test]
fn backup_and_restore_on_postgresql_explain_pg_dump_instead() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = [("CONFAB_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")];
    let out = confab(dir.path(), &["backup", "x.db"], &url, "");
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
    let out = confab(dir.path(), &["restore", "x.db"], &url, "");
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_restore"), "{}", text(&out));
}

#[test]
fn a_file_that_is_not_a_confab_backup_is_refused_and_nothing_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"<?php echo 'not a database'; ?>").expect("junk");
    let out = confab(dir.path(), &["restore", &junk.to_string_lossy()], &[], "");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not a SQLite database"),
        "{}",
        text(&out)
    );
    assert!(
        !dir.path().join("confab.db").exists() || {
            // Whatever exists is still an empty database, not the junk.
            std::fs::read(dir.path().join("confab.db")).map_or(true, |b| !b.starts_with(b"<?php"))
        }
    );
}
