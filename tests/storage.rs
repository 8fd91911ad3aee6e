//! The storage contract, run on SQLite and (with `CONFAB_TEST_DATABASE_URL`) PostgreSQL,
//! and the schema-parity check between the two migration trees.

#[path = "api/helpers.rs"]
mod helpers;

use std::collections::BTreeSet;

use confab::auth::repo::{self, FailureScope, NewUser, Role, Rotation};
use confab::crypto::tokens::new_refresh_token;
use confab::db::Db;
use confab::error::Error;
use helpers::{Backend, fresh_db_in_schema, postgres_url};

async fn migrated(backend: Backend, dir: &std::path::Path) -> Option<Db> {
    let (db, _) = fresh_db_in_schema(backend, dir).await?;
    db.migrate().await.expect("migrations apply");
    db.migrate().await.expect("migrations are idempotent");
    Some(db)
}

/// A cutoff no session in these tests is older than.
fn long_ago() -> time::OffsetDateTime {
    confab::db::now() - time::Duration::days(3650)
}

fn new_user<'a>(email: &'a str, username: &'a str) -> NewUser<'a> {
    NewUser {
        email,
        email_normalized: email,
        username,
        username_normalized: username,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        role: Role::Member,
    }
}

on_both_backends!(
    users_round_trip_and_unique_violations_name_the_field,
    sessions_rotate_exactly_once_and_reuse_revokes_the_family,
    login_failures_are_counted_per_scope_within_the_window,
    the_first_stored_secret_wins,
    deleting_a_user_cascades_to_sessions_and_tokens,
    a_database_of_the_previous_release_upgrades_keeping_its_data,
);

/// The newest migration of the previous release (0001–0007: accounts, chat, interview, caches,
/// throttles, social identities, running answers). Raise it when a release ships.
const PREVIOUS_RELEASE: i64 = 7;

/// A database made by the previous release's schema, with an account, a session, a room with
/// messages, today's quota use and an interview-free history, upgrades to this binary's schema
/// at start-up and keeps every row; the upgraded database then works for new writes.
async fn a_database_of_the_previous_release_upgrades_keeping_its_data(backend: Backend) {
    use std::borrow::Cow;
    let dir = tempfile::tempdir().expect("tempdir");
    let Some((db, _schema)) = fresh_db_in_schema(backend, dir.path()).await else {
        return;
    };
    let all = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    let previous = sqlx::migrate::Migrator {
        migrations: Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version <= PREVIOUS_RELEASE)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    match &db {
        Db::Sqlite(sqlite) => previous.run(&sqlite.pool).await,
        Db::Postgres(pool) => previous.run(pool).await,
    }
    .expect("the previous release's migrations apply");

    let user = uuid::Uuid::now_v7();
    let room = uuid::Uuid::now_v7();
    let now = confab::db::now();
    /// A value bound to a statement.
    #[derive(Clone, Copy)]
    enum Arg {
        Id(uuid::Uuid),
        At(time::OffsetDateTime),
    }
    use Arg::{At, Id};
    let fresh = uuid::Uuid::now_v7;
    let statements: Vec<(&str, Vec<Arg>)> = vec![
        (
            "INSERT INTO users (id, email, email_normalized, username, username_normalized, \
             password_hash, role, is_active, created_at, updated_at, email_verified) \
             VALUES ($1, 'Old@example.com', 'old@example.com', 'old', 'old', 'h', 'member', TRUE, $2, $2, FALSE)",
            vec![Id(user), At(now)],
        ),
        (
            "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) \
             VALUES ($1, $2, $3, $3, $3)",
            vec![Id(fresh()), Id(user), At(now)],
        ),
        (
            "INSERT INTO rooms (id, owner_id, assistant, title, settings, created_at, updated_at, last_activity_us) \
             VALUES ($1, $2, 'general', 'kept', '{}', $3, $3, 1)",
            vec![Id(room), Id(user), At(now)],
        ),
        (
            "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, model, created_at) \
             VALUES ($1, $2, $3, 'user', 'hello', '<p>hello</p>', 'complete', NULL, $4)",
            vec![Id(fresh()), Id(room), Id(user), At(now)],
        ),
        (
            "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, model, created_at) \
             VALUES ($1, $2, $3, 'assistant', 'hi', '<p>hi</p>', 'complete', 'offline', $4)",
            vec![Id(fresh()), Id(room), Id(user), At(now)],
        ),
        (
            "INSERT INTO quota_usage (user_id, scope, day, used) VALUES ($1, 'chat', '2026-12-01', 3)",
            vec![Id(user)],
        ),
    ];
    for (sql, args) in statements {
        let result = match &db {
            Db::Sqlite(sqlite) => {
                let mut q = sqlx::query(sql);
                for arg in args {
                    q = match arg {
                        Id(id) => q.bind(id),
                        At(at) => q.bind(confab::db::storable(at)),
                    };
                }
                q.execute(&sqlite.pool).await.map(|_| ())
            }
            Db::Postgres(pool) => {
                let mut q = sqlx::query(sql);
                for arg in args {
                    q = match arg {
                        Id(id) => q.bind(id),
                        At(at) => q.bind(at),
                    };
                }
                q.execute(pool).await.map(|_| ())
            }
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    db.migrate()
        .await
        .expect("this release's migrations apply to a database with data");

    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            match &db {
                Db::Sqlite(sqlite) => sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&sqlite.pool)
                    .await
                    .expect("count"),
                Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(pool)
                    .await
                    .expect("count"),
            }
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM rooms").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM messages").await, 2);
    assert_eq!(count("SELECT COUNT(*) FROM quota_usage").await, 1);
    let found = repo::find_user_by_email(&db, "old@example.com")
        .await
        .expect("query")
        .expect("the account is kept");
    assert_eq!(found.id, user);
    // New writes work on the upgraded schema.
    repo::insert_user(&db, new_user("new@example.com", "newcomer"))
        .await
        .expect("a new account on the upgraded database");
}

async fn users_round_trip_and_unique_violations_name_the_field(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(db) = migrated(backend, dir.path()).await else {
        return;
    };
    let user = repo::insert_user(&db, new_user("a@example.com", "alpha"))
        .await
        .expect("insert");
    let found = repo::find_user_by_email(&db, "a@example.com")
        .await
        .expect("query")
        .expect("found");
    assert_eq!(found.id, user.id);
    assert!(found.is_active);
    assert_eq!(found.role(), Role::Member);
    assert!(
        repo::set_role(&db, "a@example.com", Role::Manager)
            .await
            .expect("role")
    );
    assert_eq!(
        repo::find_user(&db, user.id)
            .await
            .expect("q")
            .expect("found")
            .role(),
        Role::Manager
    );
    assert!(
        !repo::set_role(&db, "nobody@example.com", Role::Admin)
            .await
            .expect("role")
    );

    match repo::insert_user(&db, new_user("a@example.com", "beta")).await {
        Err(Error::Validation { fields }) => assert!(fields.contains("email"), "{fields:?}"),
        other => panic!("expected a 400 on email, got {other:?}"),
    }
    match repo::insert_user(&db, new_user("b@example.com", "alpha")).await {
        Err(Error::Validation { fields }) => assert!(fields.contains("username"), "{fields:?}"),
        other => panic!("expected a 400 on username, got {other:?}"),
    }
    assert_eq!(
        repo::taken(&db, "a@example.com", "zzz").await.expect("q"),
        (true, false)
    );
}

async fn sessions_rotate_exactly_once_and_reuse_revokes_the_family(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(db) = migrated(backend, dir.path()).await else {
        return;
    };
    let user = repo::insert_user(&db, new_user("s@example.com", "sess"))
        .await
        .expect("insert");
    let later = confab::db::now() + time::Duration::days(1);
    let first = new_refresh_token();
    let sid = repo::create_session(
        &db,
        user.id,
        &first.hash,
        later,
        Some("test"),
        Some("127.0.0.1"),
    )
    .await
    .expect("session");
    assert!(
        repo::live_session_user(&db, sid, user.id)
            .await
            .expect("q")
            .is_some()
    );
    assert!(
        repo::live_session_user(&db, sid, uuid::Uuid::now_v7())
            .await
            .expect("q")
            .is_none(),
        "sub must match"
    );

    let second = new_refresh_token();
    match repo::rotate_refresh_token(&db, &first.hash, &second.hash, later, long_ago())
        .await
        .expect("rotate")
    {
        Rotation::Rotated {
            session_id,
            user: u,
        } => assert_eq!((session_id, u.id), (sid, user.id)),
        _ => panic!("first presentation must rotate"),
    }
    let third = new_refresh_token();
    assert!(matches!(
        repo::rotate_refresh_token(&db, &first.hash, &third.hash, later, long_ago())
            .await
            .expect("rotate"),
        Rotation::Reused
    ));
    assert!(
        repo::live_session_user(&db, sid, user.id)
            .await
            .expect("q")
            .is_none(),
        "reuse revokes the session"
    );
    assert!(matches!(
        repo::rotate_refresh_token(&db, &second.hash, &third.hash, later, long_ago())
            .await
            .expect("rotate"),
        Rotation::Invalid
    ));
    let unknown = new_refresh_token();
    assert!(matches!(
        repo::rotate_refresh_token(&db, &unknown.hash, &third.hash, later, long_ago())
            .await
            .expect("rotate"),
        Rotation::Invalid
    ));

    let expired = new_refresh_token();
    let past = confab::db::now() - time::Duration::seconds(1);
    let old = repo::create_session(&db, user.id, &expired.hash, past, None, None)
        .await
        .expect("session");
    assert!(
        repo::live_session_user(&db, old, user.id)
            .await
            .expect("q")
            .is_none(),
        "expired sessions are dead"
    );
}

async fn login_failures_are_counted_per_scope_within_the_window(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(db) = migrated(backend, dir.path()).await else {
        return;
    };
    let window = time::Duration::minutes(15);
    let since = || confab::db::now() - window;
    let limits = |ip| {
        [
            (FailureScope::Account, "x@example.com", 3),
            (FailureScope::Ip, ip, 5),
        ]
    };
    let mut recorded = Vec::new();
    for _ in 0..3 {
        let ids = repo::try_record_attempt(&db, &limits("10.0.0.1"), since(), window)
            .await
            .expect("query")
            .expect("under the limit");
        assert_eq!(ids.len(), 2, "one row per subject");
        recorded.push(ids);
    }
    // The account is at its limit: refused, with the time until the oldest attempt leaves
    // the window, and nothing recorded (the IP's count stays at 3).
    let retry = repo::try_record_attempt(&db, &limits("10.0.0.1"), since(), window)
        .await
        .expect("query")
        .expect_err("at the account's limit");
    assert!(
        retry > time::Duration::minutes(14) && retry <= window,
        "{retry}"
    );
    let other_account = [(FailureScope::Ip, "10.0.0.1", 5)];
    for _ in 0..2 {
        repo::try_record_attempt(&db, &other_account, since(), window)
            .await
            .expect("query")
            .expect("the IP had 3 of 5");
    }
    assert!(
        repo::try_record_attempt(&db, &other_account, since(), window)
            .await
            .expect("query")
            .is_err(),
        "the IP is at 5"
    );
    // Another IP is counted apart; a window that has passed counts nothing.
    assert!(
        repo::try_record_attempt(&db, &[(FailureScope::Ip, "10.0.0.2", 1)], since(), window)
            .await
            .expect("query")
            .is_ok()
    );
    let later = confab::db::now() + time::Duration::seconds(5);
    assert!(
        repo::try_record_attempt(&db, &limits("10.0.0.3"), later, window)
            .await
            .expect("query")
            .is_ok(),
        "attempts before the window do not count"
    );
    // A success forgets the account's attempts and its own IP row, not the IP's others.
    let last = recorded.pop().expect("an attempt");
    repo::forget_after_success(&db, "x@example.com", &last)
        .await
        .expect("forget");
    assert!(
        repo::try_record_attempt(&db, &limits("10.0.0.9"), since(), window)
            .await
            .expect("query")
            .is_ok(),
        "the account may try again"
    );
    assert!(
        repo::try_record_attempt(&db, &[(FailureScope::Ip, "10.0.0.1", 5)], since(), window)
            .await
            .expect("query")
            .is_ok(),
        "one of the IP's five rows was forgotten"
    );
}

async fn the_first_stored_secret_wins(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(db) = migrated(backend, dir.path()).await else {
        return;
    };
    let a = repo::get_or_create_secret(&db, "jwt_secret", "first-candidate")
        .await
        .expect("secret");
    let b = repo::get_or_create_secret(&db, "jwt_secret", "second-candidate")
        .await
        .expect("secret");
    assert_eq!(
        (a.as_str(), b.as_str()),
        ("first-candidate", "first-candidate")
    );
}

async fn deleting_a_user_cascades_to_sessions_and_tokens(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(db) = migrated(backend, dir.path()).await else {
        return;
    };
    let user = repo::insert_user(&db, new_user("d@example.com", "deleted"))
        .await
        .expect("insert");
    let token = new_refresh_token();
    let later = confab::db::now() + time::Duration::days(1);
    repo::create_session(&db, user.id, &token.hash, later, None, None)
        .await
        .expect("session");
    assert!(repo::delete_user(&db, user.id).await.expect("delete"));
    let counts: (i64, i64) = confab::on_db!(&db, |pool| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM refresh_tokens)",
        )
        .fetch_one(pool)
        .await
    })
    .expect("count");
    assert_eq!(counts, (0, 0));
}

/// (table, column, nullable) for every user table of a backend.
async fn schema_of(db: &Db) -> BTreeSet<(String, String, bool)> {
    match db {
        Db::Sqlite(sqlite) => {
            let pool = &sqlite.pool;
            let tables: Vec<String> = sqlx::query_scalar(
                // `user_versions` is SQLite's own: it validates the single server's
                // in-memory caches (migrations/sqlite/0004_cache_versions.sql).
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '_sqlx_%' AND name <> 'user_versions'",
            )
            .fetch_all(pool)
            .await
            .expect("tables");
            let mut out = BTreeSet::new();
            for table in tables {
                let cols: Vec<(String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT name, \"notnull\", pk FROM pragma_table_info('{table}')"
                )))
                .fetch_all(pool)
                .await
                .expect("columns");
                for (name, notnull, pk) in cols {
                    out.insert((table.clone(), name, notnull == 0 && pk == 0));
                }
            }
            out
        }
        Db::Postgres(pool) => {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx\\_%'",
            )
            .fetch_all(pool)
            .await
            .expect("columns");
            rows.into_iter()
                .map(|(t, c, n)| (t, c, n == "YES"))
                .collect()
        }
    }
}

/// Every query of SQLite's fast path (rusqlite) gives the same rows as the same query on
/// sqlx's pool, on one file: reads after writes through either path, and writes through
/// either path read back by the other.
#[tokio::test]
async fn every_fast_path_query_gives_the_same_rows_through_both_sqlite_drivers() {
    use confab::chat::repo as chat;
    use confab::quota::repo as quota;

    let dir = tempfile::tempdir().expect("tempdir");
    let Some(fast) = migrated(Backend::Sqlite, dir.path()).await else {
        return;
    };
    let slow = fast.without_fast_path();
    let user = repo::insert_user(&fast, new_user("p@example.com", "parity"))
        .await
        .expect("user");
    let expires = confab::db::now() + time::Duration::days(1);
    let session = repo::create_session(&fast, user.id, &[1; 32], expires, None, None)
        .await
        .expect("session");

    // Writes alternate between the paths; every read is compared across them.
    let mut rooms = Vec::new();
    for (i, db) in [&fast, &slow, &fast].into_iter().enumerate() {
        let room = chat::insert_room(db, user.id, "general", "", "{}")
            .await
            .expect("room");
        for n in 0..3 {
            let writer = if n % 2 == 0 { &fast } else { &slow };
            chat::insert_message(
                writer,
                chat::NewMessage {
                    room_id: room.id,
                    owner_id: user.id,
                    role: if n % 2 == 0 { "user" } else { "assistant" },
                    content: &format!("message {i}.{n} 한국어"),
                    html: "<p>x</p>",
                    status: "complete",
                    model: (n % 2 == 1).then_some("offline"),
                    preview: "preview",
                    title_if_empty: Some("제목"),
                },
            )
            .await
            .expect("message");
        }
        // Newer than every usable turn: answers the model's context must never see.
        for (status, content) in [("failed", "boom"), ("incomplete", ""), ("streaming", "")] {
            chat::insert_message(
                db,
                chat::NewMessage {
                    room_id: room.id,
                    owner_id: user.id,
                    role: "assistant",
                    content,
                    html: "",
                    status,
                    model: Some("offline"),
                    preview: "preview",
                    title_if_empty: None,
                },
            )
            .await
            .expect("unusable answer");
        }
        rooms.push(room.id);
    }
    fn both<T: PartialEq + std::fmt::Debug>(fast: T, slow: T) {
        assert_eq!(fast, slow, "fast and slow paths disagree");
    }

    both(
        repo::live_session_user(&fast, session, user.id)
            .await
            .expect("fast"),
        repo::live_session_user(&slow, session, user.id)
            .await
            .expect("slow"),
    );
    assert!(
        repo::live_session_user(&fast, session, user.id)
            .await
            .expect("q")
            .is_some()
    );
    let page = chat::list_rooms(&fast, user.id, None, 2)
        .await
        .expect("fast");
    both(
        page.clone(),
        chat::list_rooms(&slow, user.id, None, 2)
            .await
            .expect("slow"),
    );
    let last = page.last().expect("a room");
    let after = Some((last.last_activity_us, last.id));
    both(
        chat::list_rooms(&fast, user.id, after, 2)
            .await
            .expect("fast"),
        chat::list_rooms(&slow, user.id, after, 2)
            .await
            .expect("slow"),
    );
    for &room in &rooms {
        let one = chat::get_room(&fast, user.id, room).await.expect("fast");
        assert_eq!(one.as_ref().map(|r| r.title.as_str()), Some("제목"));
        both(
            one,
            chat::get_room(&slow, user.id, room).await.expect("slow"),
        );
        let messages = chat::list_messages(&fast, user.id, room, None, 2)
            .await
            .expect("fast");
        assert_eq!(messages.len(), 2);
        both(
            messages.clone(),
            chat::list_messages(&slow, user.id, room, None, 2)
                .await
                .expect("slow"),
        );
        let before = messages.last().map(|m| m.id);
        both(
            chat::list_messages(&fast, user.id, room, before, 2)
                .await
                .expect("fast"),
            chat::list_messages(&slow, user.id, room, before, 2)
                .await
                .expect("slow"),
        );
        let turns = chat::recent_turns(&fast, room, 10, 18).await.expect("fast");
        let texts: Vec<(bool, &str)> = turns
            .iter()
            .map(|t| (t.assistant, t.content.as_str()))
            .collect();
        assert!(
            turns.iter().all(|t| t.chars == t.content.chars().count()),
            "each turn carries its length in characters"
        );
        let i = rooms.iter().position(|r| *r == room).expect("room");
        assert_eq!(
            texts,
            [
                (false, format!("message {i}.2 한국어").as_str()),
                (true, format!("message {i}.1 한국어").as_str()),
            ],
            "newest first, skipping failed, empty and streaming answers; \
             the turn that passes the budget is the last"
        );
        both(
            turns,
            chat::recent_turns(&slow, room, 10, 18).await.expect("slow"),
        );
    }

    for (db, limit) in [(&fast, 2), (&slow, 2), (&fast, 2)] {
        quota::try_increment(db, user.id, "chat", "2026-12-04", limit, Vec::new())
            .await
            .expect("increment");
    }
    both(
        quota::used_on(&fast, user.id, "2026-12-04")
            .await
            .expect("fast"),
        quota::used_on(&slow, user.id, "2026-12-04")
            .await
            .expect("slow"),
    );
    assert_eq!(
        quota::used_on(&fast, user.id, "2026-12-04")
            .await
            .expect("q"),
        vec![("chat".to_owned(), 2)]
    );
    slow.hot_execute(quota::decrement_stmt(user.id, "chat", "2026-12-04"))
        .await
        .expect("refund");
    fast.hot_execute(quota::decrement_stmt(user.id, "chat", "2026-12-04"))
        .await
        .expect("refund");
    quota::set_override(&fast, user.id, "chat", Some(9))
        .await
        .expect("override");
    both(
        quota::override_for(&fast, user.id, "chat")
            .await
            .expect("fast"),
        quota::override_for(&slow, user.id, "chat")
            .await
            .expect("slow"),
    );
    both(
        quota::used_on(&fast, user.id, "2026-12-04")
            .await
            .expect("fast"),
        vec![("chat".to_owned(), 0)],
    );

    // A room deleted through either path takes its messages along.
    assert!(
        chat::delete_room(&fast, user.id, rooms[0])
            .await
            .expect("delete")
    );
    assert!(
        chat::delete_room(&slow, user.id, rooms[1])
            .await
            .expect("delete")
    );
    assert!(
        !chat::delete_room(&fast, user.id, rooms[1])
            .await
            .expect("gone")
    );
    both(
        chat::list_rooms(&fast, user.id, None, 10)
            .await
            .expect("fast"),
        chat::list_rooms(&slow, user.id, None, 10)
            .await
            .expect("slow"),
    );
    assert!(
        chat::list_messages(&slow, user.id, rooms[0], None, 10)
            .await
            .expect("q")
            .is_empty()
    );
}

/// The model's context is read through the partial index of usable turns (migration 0013):
/// a change to the query that stops repeating the index's WHERE terms would silently fall
/// back to reading every streaming answer of a busy room from the table.
#[tokio::test]
async fn the_context_read_uses_the_index_of_usable_turns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(db) = migrated(Backend::Sqlite, dir.path()).await else {
        return;
    };
    let Db::Sqlite(sqlite) = &db else {
        panic!("a SQLite database");
    };
    use sqlx::Row as _;
    let sql = format!(
        "EXPLAIN QUERY PLAN {}",
        confab::chat::repo::RECENT_TURNS_SQL
    );
    let plan: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(uuid::Uuid::nil())
        .bind(200_i64)
        .fetch_all(&sqlite.pool)
        .await
        .expect("plan")
        .iter()
        .map(|row| row.try_get::<String, _>("detail").expect("detail"))
        .collect();
    assert!(
        plan.iter()
            .any(|step| step.contains("messages_context_idx")),
        "{plan:?}"
    );
}

#[tokio::test]
async fn both_backends_have_the_same_tables_columns_and_nullability() {
    let Some(_) = postgres_url() else {
        eprintln!("CONFAB_TEST_DATABASE_URL is not set: schema parity skipped");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = migrated(Backend::Sqlite, dir.path()).await.expect("sqlite");
    let postgres = migrated(Backend::Postgres, dir.path())
        .await
        .expect("postgres");
    let (a, b) = (schema_of(&sqlite).await, schema_of(&postgres).await);
    assert!(a.len() > 10, "{a:?}");
    let only_sqlite: Vec<_> = a.difference(&b).collect();
    let only_postgres: Vec<_> = b.difference(&a).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_postgres:?}"
    );
}

#[test]
fn both_migration_trees_have_the_same_files() {
    let names = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations dir")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
}

/// A SQLite database in `dir` with the migrations before `version` applied, on one connection
/// (the one a `-- no-transaction` migration runs on must have its foreign keys back on).
async fn sqlite_migrated_before(dir: &std::path::Path, version: i64) -> Db {
    let db = Db::connect(&confab::db::DbOptions {
        url: format!("sqlite://{}", dir.join("confab.db").display()),
        max_connections: 1,
        sqlite_synchronous: "full".into(),
    })
    .await
    .expect("sqlite connects");
    let Db::Sqlite(sqlite) = &db else {
        unreachable!("a SQLite URL")
    };
    let all = sqlx::migrate!("./migrations/sqlite");
    let before = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version < version)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    before
        .run(&sqlite.pool)
        .await
        .expect("the earlier migrations apply");
    db
}

/// One number a query gives.
async fn scalar(pool: &sqlx::SqlitePool, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .expect("a number")
}

/// SQLite's `0006` rebuilds `users` (its email became nullable): an existing database keeps
/// every account and everything that points at one, and foreign keys work afterwards (a
/// `DROP TABLE users` with foreign keys on would have cascaded into every child table).
#[tokio::test]
async fn the_sqlite_users_rebuild_keeps_accounts_and_what_they_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_migrated_before(dir.path(), 6).await;
    let Db::Sqlite(sqlite) = &db else {
        unreachable!("a SQLite URL")
    };
    let user = uuid::Uuid::now_v7();
    let now = confab::db::now();
    sqlx::query(
        "INSERT INTO users (id, email, email_normalized, username, username_normalized, \
         password_hash, role, is_active, created_at, updated_at) \
         VALUES ($1, 'Old@example.com', 'old@example.com', 'old', 'old', 'h', 'admin', TRUE, $2, $2)",
    )
    .bind(user)
    .bind(now)
    .execute(&sqlite.pool)
    .await
    .expect("user");
    for sql in [
        "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $3, $3)",
        "INSERT INTO rooms (id, owner_id, assistant, title, settings, created_at, updated_at, last_activity_us) \
         VALUES ($1, $2, 'general', 't', '{}', $3, $3, 1)",
    ] {
        sqlx::query(sql)
            .bind(uuid::Uuid::now_v7())
            .bind(user)
            .bind(now)
            .execute(&sqlite.pool)
            .await
            .expect("child row");
    }

    db.migrate()
        .await
        .expect("0006 applies to a database with data");

    let count = |sql: &'static str| scalar(&sqlite.pool, sql);
    assert_eq!(count("SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM rooms").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM user_versions").await, 1);
    let row = repo::find_user(&db, user).await.expect("q").expect("kept");
    assert_eq!(row.email.as_deref(), Some("Old@example.com"));
    assert_eq!((row.role(), row.email_verified), (Role::Admin, false));
    assert_eq!(count("PRAGMA foreign_keys").await, 1);
    // Foreign keys and the cache triggers work on the rebuilt table.
    sqlx::query("UPDATE users SET username = 'renamed' WHERE id = $1")
        .bind(user)
        .execute(&sqlite.pool)
        .await
        .expect("update");
    assert_eq!(count("SELECT auth_version FROM user_versions").await, 1);
    assert!(repo::delete_user(&db, user).await.expect("delete"));
    assert_eq!(count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM rooms").await, 0);
}

/// SQLite's `0014` rebuilds `board_comments` (its author became nullable, `ON DELETE SET
/// NULL`): every comment and reply survives the rebuild, replies still go with their comment
/// and comments with their post, and deleting an author keeps their comments for the
/// account's erasure to have dealt with (no cascade into other members' replies).
#[tokio::test]
async fn the_sqlite_board_comments_rebuild_keeps_every_comment_and_reply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_migrated_before(dir.path(), 14).await;
    let Db::Sqlite(sqlite) = &db else {
        unreachable!("a SQLite URL")
    };
    let asker = repo::insert_user(&db, new_user("asker@example.com", "asker"))
        .await
        .expect("user")
        .id;
    let answerer = repo::insert_user(&db, new_user("answerer@example.com", "answerer"))
        .await
        .expect("user")
        .id;
    let now = confab::db::now();
    let post = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO board_posts (id, author_id, category, title, content, html, excerpt, \
         search_text, created_at, updated_at) VALUES ($1, $2, 'chat', 't', 'c', 'c', 'c', 'c', $3, $3)",
    )
    .bind(post)
    .bind(answerer)
    .bind(now)
    .execute(&sqlite.pool)
    .await
    .expect("post");
    let comment = |parent: Option<uuid::Uuid>, author: uuid::Uuid| {
        let pool = sqlite.pool.clone();
        async move {
            let id = uuid::Uuid::now_v7();
            sqlx::query(
                "INSERT INTO board_comments (id, post_id, parent_id, author_id, content, html, \
                 deleted, created_at) VALUES ($1, $2, $3, $4, 'x', 'x', FALSE, $5)",
            )
            .bind(id)
            .bind(post)
            .bind(parent)
            .bind(author)
            .bind(now)
            .execute(&pool)
            .await
            .expect("comment");
            id
        }
    };
    let asked = comment(None, asker).await;
    comment(Some(asked), answerer).await;
    let other = comment(None, answerer).await;
    comment(Some(other), asker).await;

    db.migrate()
        .await
        .expect("0014 applies to a database with data");

    let count = |sql: &'static str| scalar(&sqlite.pool, sql);
    assert_eq!(count("PRAGMA foreign_keys").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM board_comments").await, 4);
    assert_eq!(
        count("SELECT COUNT(*) FROM board_comments WHERE parent_id IS NOT NULL").await,
        2
    );
    // The author goes; their comments stay (the erasure decides what they become), and the
    // reply to their question with them.
    assert!(repo::delete_user(&db, asker).await.expect("delete"));
    assert_eq!(count("SELECT COUNT(*) FROM board_comments").await, 4);
    assert_eq!(
        count("SELECT COUNT(*) FROM board_comments WHERE author_id IS NULL").await,
        2
    );
    // A comment still takes its replies along, and a post its comments.
    sqlx::query("DELETE FROM board_comments WHERE id = $1")
        .bind(other)
        .execute(&sqlite.pool)
        .await
        .expect("delete comment");
    assert_eq!(count("SELECT COUNT(*) FROM board_comments").await, 2);
    sqlx::query("DELETE FROM board_posts WHERE id = $1")
        .bind(post)
        .execute(&sqlite.pool)
        .await
        .expect("delete post");
    assert_eq!(count("SELECT COUNT(*) FROM board_comments").await, 0);
}

/// SQLite's `0015` stores quota holds WITHOUT ROWID: every hold survives the rebuild with its
/// values, the table has no hidden rowid (nor the automatic index on `id` that came with
/// one), and its foreign keys still act (a deleted answer leaves the hold with no message; a
/// deleted user takes their holds).
#[tokio::test]
async fn the_sqlite_quota_holds_rebuild_keeps_every_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_migrated_before(dir.path(), 15).await;
    let Db::Sqlite(sqlite) = &db else {
        unreachable!("a SQLite URL")
    };
    let user = repo::insert_user(&db, new_user("holder@example.com", "holder"))
        .await
        .expect("user")
        .id;
    let now = confab::db::now();
    let room = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO rooms (id, owner_id, assistant, title, settings, created_at, updated_at, \
         last_activity_us) VALUES ($1, $2, 'general', '', '{}', $3, $3, 0)",
    )
    .bind(room)
    .bind(user)
    .bind(now)
    .execute(&sqlite.pool)
    .await
    .expect("room");
    let answer = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO messages (id, room_id, owner_id, role, content, html, status, created_at) \
         VALUES ($1, $2, $3, 'assistant', '', '', 'streaming', $4)",
    )
    .bind(answer)
    .bind(room)
    .bind(user)
    .bind(now)
    .execute(&sqlite.pool)
    .await
    .expect("answer");
    let (chat, travel) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    for (hold, scope, message, stop) in [
        (chat, "chat", Some(answer), true),
        (travel, "travel", None, false),
    ] {
        sqlx::query(
            "INSERT INTO quota_holds (id, user_id, scope, day, held_at_us, message_id, stop_requested) \
             VALUES ($1, $2, $3, '2026-12-06', 42, $4, $5)",
        )
        .bind(hold)
        .bind(user)
        .bind(scope)
        .bind(message)
        .bind(stop)
        .execute(&sqlite.pool)
        .await
        .expect("hold");
    }

    db.migrate()
        .await
        .expect("0015 applies to a database with data");

    let count = |sql: &'static str| scalar(&sqlite.pool, sql);
    assert_eq!(
        count("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'quota_holds' AND sql LIKE '%WITHOUT ROWID'").await,
        1
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM sqlite_schema WHERE tbl_name = 'quota_holds' AND type = 'index'"
        )
        .await,
        2,
        "the two declared indexes, and no automatic one"
    );
    let held: Vec<(uuid::Uuid, String, String, i64, Option<uuid::Uuid>, bool)> = sqlx::query_as(
        "SELECT id, scope, day, held_at_us, message_id, stop_requested FROM quota_holds ORDER BY scope",
    )
    .fetch_all(&sqlite.pool)
    .await
    .expect("holds");
    assert_eq!(
        held,
        vec![
            (
                chat,
                "chat".into(),
                "2026-12-06".into(),
                42,
                Some(answer),
                true
            ),
            (
                travel,
                "travel".into(),
                "2026-12-06".into(),
                42,
                None,
                false
            ),
        ]
    );
    sqlx::query("DELETE FROM messages WHERE id = $1")
        .bind(answer)
        .execute(&sqlite.pool)
        .await
        .expect("delete answer");
    assert_eq!(
        count("SELECT COUNT(*) FROM quota_holds WHERE message_id IS NULL").await,
        2
    );
    assert!(repo::delete_user(&db, user).await.expect("delete"));
    assert_eq!(count("SELECT COUNT(*) FROM quota_holds").await, 0);
}
