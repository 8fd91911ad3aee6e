//! Two confab processes on one PostgreSQL database behave as one service (issue 19): the
//! daily limit is exact across them, a session ended on one (logout, password change, an
//! admin's deactivation) is refused by the other at the next request, a thumbnail uploaded through one is served by the other from the shared
//! S3-compatible store, an OAuth flow started on one finishes on the other, and a rolling
//! restart (SIGTERM to one while answers stream through it) loses nothing and shows no
//! client an error. The processes are the real `confab` binary; the LLM, the OAuth provider
//! and the S3 store are real servers on loopback. PostgreSQL only (a SQLite file has one
//! server by design); skipped when no PostgreSQL is configured.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::chat::read_events;
use crate::fake_oauth::{FakeOAuth, Identity};
use crate::fake_upstream::{Behavior, FakeUpstream};
use crate::helpers::{Backend, PASSWORD, body_json, fresh_db_in_schema, postgres_url};

/// The daily chat limit both instances are configured with.
const LIMIT: usize = 5;
/// How long a stopping instance may take to let its answers finish.
const DRAIN_SECS: u64 = 20;

/// One `confab serve` process.
struct Instance {
    name: &'static str,
    child: Child,
    base: String,
    log: PathBuf,
}

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {}", self.name);
    }

    /// Waits for the process to exit; returns its status and how long it took.
    async fn exited(&mut self, within: Duration) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status, started.elapsed());
            }
            assert!(
                started.elapsed() < within,
                "{} did not exit within {within:?}; its log:\n{}",
                self.name,
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What both instances share: the database, the LLM, the OAuth provider, the media store.
struct Shared {
    database_url: String,
    upstream: String,
    oauth: String,
    s3: Option<(String, String)>,
    public_url: String,
}

/// Starts `confab serve` and waits until it says where it listens.
async fn start_instance(name: &'static str, shared: &Shared, dir: &Path) -> Instance {
    let data = dir.join(name);
    std::fs::create_dir_all(&data).expect("data dir");
    let log = dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).expect("log file");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_confab"));
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info")
        .env("CONFAB_LOG_FORMAT", "text")
        .env("CONFAB_LISTEN", "127.0.0.1:0")
        .env("CONFAB_DATA_DIR", &data)
        .env("CONFAB_DATABASE_URL", &shared.database_url)
        .env("CONFAB_DB_MAX_CONNECTIONS", "8")
        .env("CONFAB_PUBLIC_URL", &shared.public_url)
        .env("CONFAB_LLM_PROVIDER", "openai")
        .env("CONFAB_LLM_BASE_URL", &shared.upstream)
        .env("CONFAB_LLM_API_KEY", "scale-test-key")
        .env("CONFAB_LLM_MODEL", "fake-model")
        .env("CONFAB_LLM_TIMEOUT_SECS", "30")
        .env("CONFAB_QUOTA_CHAT", LIMIT.to_string())
        .env("CONFAB_SIGNUP_MAX_PER_IP", "1000")
        .env("CONFAB_SHUTDOWN_DRAIN_SECS", DRAIN_SECS.to_string())
        .env("CONFAB_ADMIN_EMAILS", "boss@example.com")
        .env("CONFAB_GITHUB_CLIENT_ID", crate::fake_oauth::CLIENT_ID)
        .env(
            "CONFAB_GITHUB_CLIENT_SECRET",
            crate::fake_oauth::CLIENT_SECRET,
        )
        .env(
            "CONFAB_GITHUB_AUTHORIZE_URL",
            format!("{}/github/authorize", shared.oauth),
        )
        .env(
            "CONFAB_GITHUB_TOKEN_URL",
            format!("{}/github/token", shared.oauth),
        )
        .env(
            "CONFAB_GITHUB_USERINFO_URL",
            format!("{}/github/userinfo", shared.oauth),
        )
        .current_dir(&data)
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("log file"))
        .stderr(out);
    if let Some((endpoint, bucket)) = &shared.s3 {
        cmd.env("CONFAB_MEDIA_URL", format!("s3://{bucket}/uploads"))
            .env("CONFAB_MEDIA_S3_ENDPOINT", endpoint)
            .env("CONFAB_MEDIA_S3_REGION", "us-east-1")
            .env("CONFAB_MEDIA_S3_ACCESS_KEY_ID", "testing")
            .env("CONFAB_MEDIA_S3_SECRET_ACCESS_KEY", "testing");
    }
    let child = cmd.spawn().expect("confab starts");
    let mut instance = Instance {
        name,
        child,
        base: String::new(),
        log,
    };
    let started = Instant::now();
    loop {
        let text = instance.log_text();
        if let Some(line) = text.lines().find(|l| l.contains("confab is listening"))
            && let Some(at) = line.find("127.0.0.1:")
        {
            let port: String = line[at + "127.0.0.1:".len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            instance.base = format!("http://127.0.0.1:{port}");
            break;
        }
        if let Some(status) = instance.child.try_wait().expect("try_wait") {
            panic!("{name} exited at start ({status}):\n{text}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{name} did not start:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    instance
}

/// A client that opens a new connection for every request (as a load balancer's health
/// state would see them) and follows no redirects.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

async fn post(at: &Instance, path: &str, body: Value, token: Option<&str>) -> reqwest::Response {
    let mut req = client().post(at.url(path)).json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request sent")
}

async fn get(at: &Instance, path: &str, token: &str) -> reqwest::Response {
    client()
        .get(at.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent")
}

/// Signs up on `at` and logs in; returns (access token, user id).
async fn member(at: &Instance, name: &str) -> (String, String) {
    let email = format!("{name}@example.com");
    let res = post(
        at,
        "/api/auth/signup",
        json!({"email": email, "username": name, "password": PASSWORD, "password2": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "sign-up of {name}");
    login(at, &email, PASSWORD).await
}

async fn login(at: &Instance, email: &str, password: &str) -> (String, String) {
    let res = post(
        at,
        "/api/auth/login",
        json!({"email": email, "password": password}),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "login of {email}");
    let body = body_json(res).await;
    (
        body["access_token"].as_str().expect("access").to_owned(),
        body["user"]["id"].as_str().expect("id").to_owned(),
    )
}

async fn room(at: &Instance, token: &str) -> String {
    let res = post(
        at,
        "/api/rooms",
        json!({"assistant": "general", "settings": null}),
        Some(token),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "room");
    body_json(res).await["id"]
        .as_str()
        .expect("room id")
        .to_owned()
}

async fn me_status(at: &Instance, token: &str) -> StatusCode {
    get(at, "/api/me", token).await.status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgresql_behave_as_one() {
    if postgres_url().is_none() {
        eprintln!("no PostgreSQL configured: the scale-out test is skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // A fresh schema, migrated; both processes reach it through the URL's search_path.
    let (_db, schema) = fresh_db_in_schema(Backend::Postgres, dir.path())
        .await
        .expect("postgres schema");
    let schema = schema.expect("schema name");
    let base = postgres_url().expect("postgres url");
    let sep = if base.contains('?') { '&' } else { '?' };
    let database_url = format!("{base}{sep}options=-c%20search_path%3D{schema}");

    let upstream = FakeUpstream::start(Behavior {
        reply: "Shared answer from the fake upstream.".into(),
        latency: Duration::from_millis(50),
        ..Behavior::default()
    })
    .await;
    let oauth = FakeOAuth::start().await;
    let s3 = match std::env::var("CONFAB_TEST_S3_ENDPOINT")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(endpoint) => {
            let bucket = format!("scale-{}", uuid::Uuid::new_v4().simple());
            let res = reqwest::Client::new()
                .put(format!("{endpoint}/{bucket}"))
                .send()
                .await
                .expect("bucket created");
            assert!(res.status().is_success(), "create bucket: {}", res.status());
            Some((endpoint, bucket))
        }
        None => {
            eprintln!("CONFAB_TEST_S3_ENDPOINT is not set: the shared-thumbnail part is skipped");
            None
        }
    };
    let shared = Shared {
        database_url,
        upstream: upstream.openai_base(),
        oauth: oauth.base_url(),
        s3,
        public_url: "http://confab.test".into(),
    };
    let a = start_instance("a", &shared, dir.path()).await;
    let mut b = start_instance("b", &shared, dir.path()).await;

    exact_limit_across_instances(&a, &b, &upstream).await;
    sessions_end_everywhere(&a, &b).await;
    if shared.s3.is_some() {
        thumbnails_are_shared(&a, &b).await;
    }
    oauth_flow_crosses_instances(&a, &b, &oauth).await;
    rolling_restart(a, &mut b, &upstream, &shared, dir.path()).await;
}

/// 200 parallel sends by one user, alternating between the instances, against a limit of 5:
/// exactly 5 answers and exactly 5 upstream calls; three times, with three users.
async fn exact_limit_across_instances(a: &Instance, b: &Instance, upstream: &FakeUpstream) {
    for round in 0..3 {
        let (token, _) = member(a, &format!("burst{round}")).await;
        let rooms = [room(a, &token).await, room(b, &token).await];
        let calls_before = upstream.calls();
        let sends = (0..200).map(|i| {
            let at = if i % 2 == 0 { a } else { b };
            let path = format!("/api/rooms/{}/messages", rooms[i % 2]);
            let token = token.clone();
            async move {
                post(
                    at,
                    &path,
                    json!({"content": format!("question {i}")}),
                    Some(&token),
                )
                .await
                .status()
            }
        });
        let statuses = futures::future::join_all(sends).await;
        let ok = statuses.iter().filter(|s| s.is_success()).count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(ok, LIMIT, "round {round}: {statuses:?}");
        assert_eq!(refused, 200 - LIMIT, "round {round}: {statuses:?}");
        assert_eq!(
            upstream.calls() - calls_before,
            LIMIT,
            "round {round}: one upstream call per counted send"
        );
        for at in [a, b] {
            let quota = body_json(get(at, "/api/me/quota", &token).await).await;
            let chat = quota["scopes"]
                .as_array()
                .expect("scopes")
                .iter()
                .find(|s| s["scope"] == "chat")
                .cloned()
                .expect("chat scope");
            assert_eq!(chat["used"], LIMIT, "round {round} on {}: {chat}", at.name);
        }
    }
}

/// Logout, a password change and an admin's deactivation on one instance end the session
/// (and the API keys) on the other at its next request (each instance caches callers; the
/// cache is never stale).
async fn sessions_end_everywhere(a: &Instance, b: &Instance) {
    // Logout on A.
    let (token, _) = member(a, "leaver").await;
    assert_eq!(
        me_status(b, &token).await,
        StatusCode::OK,
        "B knows the token"
    );
    let res = post(a, "/api/auth/logout", json!({}), Some(&token)).await;
    assert!(res.status().is_success(), "logout: {}", res.status());
    assert_eq!(
        me_status(b, &token).await,
        StatusCode::UNAUTHORIZED,
        "logged out on A, refused on B"
    );

    // A password change on B ends the other sessions, on A too.
    let (first, _) = member(a, "changer").await;
    let (second, _) = login(b, "changer@example.com", PASSWORD).await;
    assert_eq!(me_status(a, &first).await, StatusCode::OK);
    let new = "a-brand-new-passphrase-7";
    let res = client()
        .put(b.url("/api/me/password"))
        .bearer_auth(&second)
        .json(&json!({"current_password": PASSWORD, "new_password": new, "new_password2": new}))
        .send()
        .await
        .expect("password change");
    assert!(
        res.status().is_success(),
        "password change: {}",
        res.status()
    );
    assert_eq!(
        me_status(a, &first).await,
        StatusCode::UNAUTHORIZED,
        "the other session ends on A"
    );
    login(a, "changer@example.com", new).await;

    // An admin deactivates a member on A: the member's token and API key stop on B.
    let (boss, _) = member(a, "boss").await;
    let (victim, victim_id) = member(b, "victim").await;
    let res = post(
        b,
        "/api/me/api-keys",
        json!({"name": "script"}),
        Some(&victim),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "API key");
    let key = body_json(res).await["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_eq!(get(b, "/v1/models", &key).await.status(), StatusCode::OK);
    assert_eq!(me_status(b, &victim).await, StatusCode::OK);
    let res = client()
        .patch(a.url(&format!("/api/admin/users/{victim_id}")))
        .bearer_auth(&boss)
        .json(&json!({"is_active": false}))
        .send()
        .await
        .expect("deactivate");
    assert_eq!(res.status(), StatusCode::OK, "deactivation on A");
    assert_eq!(
        me_status(b, &victim).await,
        StatusCode::UNAUTHORIZED,
        "deactivated on A, the token is refused on B"
    );
    assert_eq!(
        get(b, "/v1/models", &key).await.status(),
        StatusCode::UNAUTHORIZED,
        "and the API key too"
    );
}

/// A tiny valid PNG (a 2×2 image), built by the `image` crate.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(2, 2, image::Rgb([200, 40, 40]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png encodes");
    out.into_inner()
}

/// A thumbnail uploaded through A is served by B.
async fn thumbnails_are_shared(a: &Instance, b: &Instance) {
    let (token, _) = member(a, "painter").await;
    let res = post(
        a,
        "/api/posts",
        json!({"title": "공유 썸네일", "content": "두 인스턴스", "category": "chat"}),
        Some(&token),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "post");
    let id = body_json(res).await["id"]
        .as_str()
        .expect("post id")
        .to_owned();
    let boundary = "scale-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"red.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&png());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = client()
        .put(a.url(&format!("/api/posts/{id}/thumbnail")))
        .bearer_auth(&token)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::OK, "upload through A");
    let url = body_json(res).await["thumbnail_url"]
        .as_str()
        .expect("thumbnail url")
        .to_owned();
    assert!(url.starts_with("/api/media/"), "{url}");
    let res = client().get(b.url(&url)).send().await.expect("media");
    assert_eq!(res.status(), StatusCode::OK, "served by B");
    let bytes = res.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"\x89PNG") || bytes.starts_with(&[0xFF, 0xD8]));
    // And the post as B lists it points at the same image.
    let post = body_json(get(b, &format!("/api/posts/{id}"), &token).await).await;
    assert_eq!(post["thumbnail_url"], url.as_str());
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `name=value` pairs a response sets, as one `Cookie` header.
fn cookies(res: &reqwest::Response) -> String {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// An OAuth flow started on A finishes on B, and its session works on A.
async fn oauth_flow_crosses_instances(a: &Instance, b: &Instance, oauth: &FakeOAuth) {
    oauth.set_identity(
        "github",
        Identity::new("9001", Some("crosser@example.com"), true, "crosser"),
    );
    let res = client()
        .get(a.url("/api/auth/oauth/github/authorize?next=%2Fboard"))
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), StatusCode::FOUND, "authorize on A");
    let flow_cookie = cookies(&res);
    assert!(flow_cookie.contains("confab_oauth="), "{flow_cookie}");
    let res = client().get(location(&res)).send().await.expect("provider");
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "the provider redirects back"
    );
    let back = location(&res);
    let (_, query) = back.split_once('?').expect("callback query");
    let res = client()
        .get(b.url(&format!("/api/auth/oauth/github/callback?{query}")))
        .header(header::COOKIE, &flow_cookie)
        .send()
        .await
        .expect("callback on B");
    assert_eq!(res.status(), StatusCode::FOUND, "callback on B");
    assert_eq!(location(&res), "/board", "finished on B");
    let session = cookies(&res);
    assert!(session.contains("confab_refresh="), "{session}");
    let res = client()
        .post(a.url("/api/auth/refresh"))
        .header("x-confab-client", "web")
        .header(header::COOKIE, session)
        .send()
        .await
        .expect("refresh on A");
    assert_eq!(res.status(), StatusCode::OK, "the session works on A");
    assert_eq!(body_json(res).await["user"]["email"], "crosser@example.com");
}

/// SIGTERM to A while answers stream through it: A refuses new connections at once, lets
/// every running answer finish and be stored, and exits 0 well within the drain time. A
/// client that balances between the instances (a refused connection goes to the other one,
/// as a load balancer retries it) sees no error for any request, before, during or after.
async fn rolling_restart(
    mut a: Instance,
    b: &mut Instance,
    upstream: &FakeUpstream,
    shared: &Shared,
    dir: &Path,
) {
    // Answers of 40 words at 60 ms a word: about 2.5 s each.
    let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let reply = words.join(" ");
    upstream.set(Behavior {
        reply: reply.clone(),
        token_delay: Duration::from_millis(60),
        ..Behavior::default()
    });
    let mut streams = Vec::new();
    let mut owners = Vec::new();
    let calls_before = upstream.calls();
    for i in 0..4 {
        let (token, _) = member(&a, &format!("streamer{i}")).await;
        let room = room(&a, &token).await;
        let res = client()
            .post(a.url(&format!("/api/rooms/{room}/messages")))
            .bearer_auth(&token)
            .header(header::ACCEPT, "text/event-stream")
            .json(&json!({"content": "tell me a long story"}))
            .send()
            .await
            .expect("streamed send");
        assert_eq!(res.status(), StatusCode::OK);
        streams.push(tokio::spawn(read_events(res, usize::MAX)));
        owners.push((token, room));
    }
    // Every stream has reached the upstream.
    let started = Instant::now();
    while upstream.calls() - calls_before < 4 {
        assert!(started.elapsed() < Duration::from_secs(20), "streams start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The balancing client: round-robin over both; a refused connection is retried on the
    // other instance. Every answered request must be a success.
    let (token, _) = member(b, "balanced").await;
    let bases = Arc::new([a.base.clone(), b.base.clone()]);
    let served = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (bases, served, stop, token) =
            (bases.clone(), served.clone(), stop.clone(), token.clone());
        load.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            let mut turn = worker;
            while !stop.load(Ordering::SeqCst) {
                turn += 1;
                let first = turn % 2;
                let mut answered = false;
                for pick in [first, 1 - first] {
                    let res = client()
                        .get(format!("{}/api/rooms", bases[pick]))
                        .bearer_auth(&token)
                        .send()
                        .await;
                    match res {
                        Ok(res) if res.status().is_success() => {
                            served[pick].fetch_add(1, Ordering::SeqCst);
                            answered = true;
                        }
                        Ok(res) => failures.push(format!("{}: {}", bases[pick], res.status())),
                        // Refused before anything was sent: the balancer tries the other.
                        Err(err) if err.is_connect() => continue,
                        Err(err) => failures.push(format!("{}: {err}", bases[pick])),
                    }
                    break;
                }
                if !answered && failures.is_empty() {
                    failures.push("neither instance accepted a connection".into());
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            failures
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    a.terminate();
    // New connections to A are refused at once while its answers are still running.
    let refused_by = Instant::now();
    loop {
        match client().get(a.url("/healthz")).send().await {
            Err(err) if err.is_connect() => break,
            _ => {}
        }
        assert!(
            refused_by.elapsed() < Duration::from_secs(2),
            "A still accepts connections after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, took) = a.exited(Duration::from_secs(DRAIN_SECS + 10)).await;
    assert!(status.success(), "A exits 0: {status:?}\n{}", a.log_text());
    assert!(
        took < Duration::from_secs(DRAIN_SECS),
        "A finished its answers and exited in {took:?}, inside the drain time"
    );
    assert!(
        signalled.elapsed() >= Duration::from_millis(500),
        "A waited for its answers instead of dropping them"
    );
    // Every stream through A got its whole answer and `done`.
    for stream in streams {
        let events = stream.await.expect("stream task");
        let text: String = events
            .iter()
            .filter(|e| e.0 == "delta")
            .filter_map(|e| e.1["text"].as_str())
            .collect();
        assert_eq!(text.split_whitespace().collect::<Vec<_>>(), words);
        assert_eq!(
            events.last().map(|e| e.0.as_str()),
            Some("done"),
            "{events:?}"
        );
    }
    // Stored complete, as B reads them.
    for (token, room) in &owners {
        let page = body_json(get(b, &format!("/api/rooms/{room}/messages"), token).await).await;
        let items = page["items"].as_array().expect("items");
        let answer = items.last().expect("answer");
        assert_eq!(answer["status"], "complete", "{answer}");
        assert_eq!(answer["content"], reply.as_str());
    }

    // A comes back (the second half of a rolling restart) and takes traffic again.
    let a = start_instance("a2", shared, dir).await;
    for at in [&a, &*b] {
        assert_eq!(me_status(at, &token).await, StatusCode::OK, "{}", at.name);
    }
    stop.store(true, Ordering::SeqCst);
    let mut failures = Vec::new();
    for worker in load {
        failures.extend(worker.await.expect("load task"));
    }
    assert!(failures.is_empty(), "clients saw errors: {failures:?}");
    assert!(
        served[0].load(Ordering::SeqCst) > 0 && served[1].load(Ordering::SeqCst) > 0,
        "both instances served the balanced client"
    );
    eprintln!(
        "scale-out: A exited 0 {took:?} after SIGTERM with its 4 answers whole; the balanced \
         client saw no error ({} requests served by A, {} by B)",
        served[0].load(Ordering::SeqCst),
        served[1].load(Ordering::SeqCst)
    );
    b.terminate();
    let (status, _) = b.exited(Duration::from_secs(DRAIN_SECS + 10)).await;
    assert!(status.success(), "B exits 0: {status:?}");
}
