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
