//! `spawn_app()`: a real confab server on 127.0.0.1:0 with its own SQLite file, or its own
//! PostgreSQL schema when `CONFAB_TEST_DATABASE_URL` is set, plus typed request helpers.
#![allow(dead_code)]

use std::path::Path;

use confab::app::Application;
use confab::config::{Config, Secret};
use confab::db::{Db, DbOptions};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Which storage backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `name::sqlite` and `name::postgres` tests from `async fn name(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )*};
}

/// The PostgreSQL test database, when configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("CONFAB_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A fresh, migrated database of the given backend; `None` for PostgreSQL when
/// `CONFAB_TEST_DATABASE_URL` is unset (the test then has nothing to run against).
pub async fn fresh_db(backend: Backend, dir: &Path) -> Option<Db> {
    fresh_db_in_schema(backend, dir).await.map(|(db, _)| db)
}

/// Like [`fresh_db`], also naming the PostgreSQL schema so it can be reconnected.
pub async fn fresh_db_in_schema(backend: Backend, dir: &Path) -> Option<(Db, Option<String>)> {
    let mut pg_schema = None;
    let db = match backend {
        Backend::Sqlite => Db::connect(&DbOptions {
            url: format!("sqlite://{}", dir.join("confab.db").display()),
            max_connections: 8,
            sqlite_synchronous: "full".into(),
        })
        .await
        .expect("sqlite connects"),
        Backend::Postgres => {
            let Some(url) = postgres_url() else {
                eprintln!("CONFAB_TEST_DATABASE_URL is not set: PostgreSQL run skipped");
                return None;
            };
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = sqlx::PgPool::connect(&url)
                .await
                .expect("postgres connects");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&admin)
                .await
                .expect("create schema");
            admin.close().await;
            let db = Db::connect_postgres_schema(&url, &schema, 12)
                .await
                .expect("postgres schema connects");
            pg_schema = Some(schema);
            db
        }
    };
    Some((db, pg_schema))
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub backend: Backend,
    pub dir: TempDir,
    pub pg_schema: Option<String>,
    /// The zone whose days the quota counts (see [`test_config`]).
    pub quota_timezone: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// Tokens from a login.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
}

/// The configuration every test starts from: port 0, a temp data dir, and quota days
/// counted in a zone where it is about noon (not the default, Seoul: a test counting a day's
/// quota over several requests once straddled Seoul's midnight, 15:00 UTC, and the new day
/// rightly let more through). A test about Seoul's day sets it back.
pub fn test_config(dir: &Path) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.to_path_buf(),
        quota_timezone: quota_zone_far_from_midnight(),
        ..Config::default()
    }
}

/// A time zone where it is about noon now, so that midnight (when every day's quota starts
/// again) is at least 11 hours away. `Etc/GMT-N` is UTC+N (POSIX signs).
fn quota_zone_far_from_midnight() -> String {
    let offset = 12 - i32::from(time::OffsetDateTime::now_utc().hour());
    match offset {
        0 => "Etc/UTC".into(),
        east if east > 0 => format!("Etc/GMT-{east}"),
        west => format!("Etc/GMT+{}", -west),
    }
}

/// Starts a server on `backend` with the default test configuration.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Starts a server after letting the test adjust the configuration.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, schema) = fresh_db_in_schema(backend, dir.path()).await?;
    let mut config = test_config(dir.path());
    adjust(&mut config);
    let mut app = start(config, db, backend, dir).await;
    app.pg_schema = schema;
    Some(app)
}

/// Starts a server on `backend` whose LLM is the OpenAI-compatible API at `base_url` (a fake
/// upstream's `openai_base()`; key `sk-test-secret-key`, model `fake-model`, 2 s timeout),
/// after letting the test adjust the configuration.
/// Starts a server whose model is Gemini's native API at `base_url` (a fake upstream).
pub async fn spawn_app_with_gemini(backend: Backend, base_url: String) -> Option<TestApp> {
    spawn_app_with(backend, |c| {
        c.llm_provider = "gemini".into();
        c.llm_base_url = Some(base_url);
        c.llm_api_key = Some(Secret::new("gemini-test-key"));
        c.llm_model = Some("gemini-fake".into());
    })
    .await
}

pub async fn spawn_app_with_openai(
    backend: Backend,
    base_url: String,
    adjust: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    spawn_app_with(backend, |c| {
        c.llm_provider = "openai".into();
        c.llm_base_url = Some(base_url);
        c.llm_api_key = Some(Secret::new("sk-test-secret-key"));
        c.llm_model = Some("fake-model".into());
        c.llm_timeout_secs = 2;
        adjust(c);
    })
    .await
}

/// Builds and runs an application on an existing database and directory.
pub async fn start(config: Config, db: Db, backend: Backend, dir: TempDir) -> TestApp {
    // `RUST_LOG=…` shows the servers' logs (a 500's cause) in a failing test's output.
    if std::env::var_os("RUST_LOG").is_some() {
        confab::telemetry::init_tracing(false);
    }
    let quota_timezone = config.quota_timezone.clone();
    let app = Application::build_with_db(config, db.clone())
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        backend,
        dir,
        pg_schema: None,
        quota_timezone,
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    /// Stops the server and waits until it has let go of its database and lock.
    pub async fn stop(mut self) -> (Db, TempDir, Option<String>) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ran");
        }
        let db = match (&self.pg_schema, postgres_url()) {
            (Some(schema), Some(url)) => Db::connect_postgres_schema(&url, schema, 12)
                .await
                .expect("postgres reconnects"),
            _ => fresh_sqlite(self.dir.path()).await,
        };
        (db, self.dir, self.pg_schema.take())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request with an optional JSON body and bearer token.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request sent")
    }

    /// Asserts that each request, sent with `token`, is a 404 whose body does not contain
    /// `secret`: how another user's resources must look.
    pub async fn assert_not_found_for(
        &self,
        token: &str,
        routes: Vec<(Method, String, Option<Value>)>,
        secret: &str,
    ) {
        for (method, path, body) in routes {
            let res = self.request(method.clone(), &path, Some(token), body).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
            let text = res.text().await.expect("body");
            assert!(!text.contains(secret), "{method} {path} leaked: {text}");
        }
    }

    /// Runs a statement on the database the way another process would: on SQLite through
    /// a connection of its own (as the `confab user` CLI does beside a running server), on
    /// PostgreSQL through the shared pool. The server must see the change on its next
    /// request.
    pub async fn execute_elsewhere(&self, sql: &'static str) -> u64 {
        match &self.db {
            Db::Sqlite(_) => {
                let other = fresh_sqlite(self.dir.path()).await;
                let Db::Sqlite(other) = &other else {
                    unreachable!("fresh_sqlite opens SQLite")
                };
                let done = sqlx::query(sql)
                    .execute(&other.pool)
                    .await
                    .expect("statement runs");
                other.pool.close().await;
                done.rows_affected()
            }
            Db::Postgres(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .expect("statement runs")
                .rows_affected(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    /// GETs `path` with `token`; panics unless 200, returns the JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let res = self.get(path, Some(token)).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        body_json(res).await
    }

    pub async fn post_json(&self, path: &str, body: Value, token: Option<&str>) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch_json(&self, path: &str, body: Value, token: &str) -> Response {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn put_json(&self, path: &str, body: Value, token: &str) -> Response {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// Creates a room; panics unless 201, returns its id.
    pub async fn create_room(&self, token: &str, assistant: &str, settings: Value) -> String {
        let res = self
            .post_json(
                "/api/rooms",
                json!({"assistant": assistant, "settings": settings}),
                Some(token),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "create {assistant} room");
        let body = body_json(res).await;
        body["id"].as_str().expect("id").to_owned()
    }

    /// Sends a message to a room and waits for the whole answer (JSON).
    pub async fn send(&self, token: &str, room: &str, content: &str) -> Response {
        self.post_json(
            &format!("/api/rooms/{room}/messages"),
            json!({"content": content}),
            Some(token),
        )
        .await
    }

    /// Sends a message to a room asking for the answer as server-sent events.
    pub async fn send_streamed(&self, token: &str, room: &str, content: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/rooms/{room}/messages")))
            .bearer_auth(token)
            .header("accept", "text/event-stream")
            .json(&json!({"content": content}))
            .send()
            .await
            .expect("request sent")
    }

    /// A room's first page of messages (oldest first); panics unless 200.
    pub async fn room_messages(&self, token: &str, room: &str) -> Vec<Value> {
        let page = self
            .get_json(&format!("/api/rooms/{room}/messages"), token)
            .await;
        page["items"].as_array().expect("items").clone()
    }

    /// How much of today's quota `scope` the caller has used.
    pub async fn quota_used(&self, token: &str, scope: &str) -> i64 {
        let body = self.get_json("/api/me/quota", token).await;
        body["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .find(|s| s["scope"] == scope)
            .unwrap_or_else(|| panic!("scope {scope} in {body}"))["used"]
            .as_i64()
            .expect("used")
    }

    /// Starts an interview session; panics unless 201, returns the session.
    pub async fn start_interview(&self, token: &str, body: Value) -> Value {
        let res = self
            .post_json("/api/interview/sessions", body, Some(token))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "start interview");
        body_json(res).await
    }

    /// Answers one question of an interview session.
    pub async fn answer_question(
        &self,
        token: &str,
        session: &str,
        question: &str,
        answer: &str,
    ) -> Response {
        self.post_json(
            &format!("/api/interview/sessions/{session}/questions/{question}/answer"),
            json!({ "answer": answer }),
            Some(token),
        )
        .await
    }

    /// Finishes an interview session.
    pub async fn finish_interview(&self, token: &str, session: &str) -> Response {
        self.post_json(
            &format!("/api/interview/sessions/{session}/finish"),
            json!({}),
            Some(token),
        )
        .await
    }

    /// Exchanges a refresh token (in the body) for new tokens.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json(
            "/api/auth/refresh",
            json!({"refresh_token": refresh_token}),
            None,
        )
        .await
    }

    /// Signs up; panics unless 201.
    pub async fn signup(&self, email: &str, username: &str, password: &str) -> Value {
        let res = self
            .post_json(
                "/api/auth/signup",
                json!({"email": email, "username": username, "password": password, "password2": password}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "signup failed");
        res.json().await.expect("json")
    }

    /// Logs in; panics unless 200.
    pub async fn login(&self, email: &str, password: &str) -> Tokens {
        let res = self
            .post_json(
                "/api/auth/login",
                json!({"email": email, "password": password}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login failed");
        let body: Value = res.json().await.expect("json");
        tokens_from(&body)
    }

    /// A new member, logged in.
    pub async fn member(&self, name: &str) -> Tokens {
        let email = format!("{name}@example.com");
        self.signup(&email, name, PASSWORD).await;
        self.login(&email, PASSWORD).await
    }
}

/// A password that passes the policy.
pub const PASSWORD: &str = "blue-lantern-42!";

pub fn tokens_from(body: &Value) -> Tokens {
    Tokens {
        access: body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned(),
        refresh: body["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        user_id: body["user"]["id"].as_str().expect("user.id").to_owned(),
    }
}

async fn fresh_sqlite(dir: &Path) -> Db {
    Db::connect(&DbOptions {
        url: format!("sqlite://{}", dir.join("confab.db").display()),
        max_connections: 8,
        sqlite_synchronous: "full".into(),
    })
    .await
    .expect("sqlite reconnects")
}

/// Reads a JSON body.
pub async fn body_json(res: Response) -> Value {
    res.json().await.expect("JSON body")
}

/// Reads a JSON error envelope and returns (code, fields).
pub async fn error_of(res: Response) -> (String, Value) {
    let body: Value = res.json().await.expect("error body is JSON");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned();
    assert!(
        body["error"]["message"].is_string(),
        "error.message missing: {body}"
    );
    (code, body["error"]["fields"].clone())
}
