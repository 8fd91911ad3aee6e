//! Benchmark: how long deleting a room of many messages holds SQLite's single writer.
//!
//! Fills two rooms with `--messages` messages each on a temporary SQLite file, then deletes
//! one the old way (one `DELETE` whose cascade takes every message) and one the current way
//! (`chat::repo::delete_room`: messages in chunks, then the room) while a probe task makes a
//! small write (a quota increment) every 2 ms. Prints JSON: each delete's total time and the
//! probe's worst and p99 write latency during it, next to the probe alone. Run by
//! `bench/run` (scenario `rd`).

use std::time::{Duration, Instant};

use confab::auth::repo::{self as users, NewUser, Role};
use confab::chat::repo::{self as chat, NewMessage};
use confab::db::{Db, DbOptions};
use confab::quota::repo as quota;
use tokio::sync::watch;
use uuid::Uuid;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn filled_room(db: &Db, owner: Uuid, messages: usize) -> Uuid {
    let room = chat::insert_room(db, owner, "general", "", "{}")
        .await
        .expect("room");
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..messages {
        let db = db.clone();
        tasks.spawn(async move {
            let content = format!("message {n}: a few words of history to delete");
            chat::insert_message(
                &db,
                NewMessage {
                    room_id: room.id,
                    owner_id: owner,
                    role: "user",
                    content: &content,
                    html: &content,
                    status: "complete",
                    model: None,
                    preview: "x",
                    title_if_empty: None,
                },
            )
            .await
            .expect("message")
        });
        if tasks.len() >= 256 {
            tasks.join_next().await;
        }
    }
    while tasks.join_next().await.is_some() {}
    room.id
}

/// Small writes every 2 ms until told to stop; their latencies in milliseconds.
async fn probe(db: Db, user: Uuid, mut stop: watch::Receiver<bool>) -> Vec<f64> {
    let mut latencies = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(2));
    loop {
        tokio::select! {
            _ = stop.changed() => return latencies,
            _ = tick.tick() => {
                let started = Instant::now();
                quota::try_increment(&db, user, "probe", "2026-01-01", i64::MAX, Vec::new())
                    .await
                    .expect("probe write");
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
}

fn summary(mut latencies: Vec<f64>) -> serde_json::Value {
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    if latencies.is_empty() {
        return serde_json::json!({ "writes": 0 });
    }
    serde_json::json!({
        "writes": latencies.len(),
        "p99_ms": (at(0.99) * 10.0).round() / 10.0,
        "max_ms": (at(1.0) * 10.0).round() / 10.0,
    })
}

/// Runs `work` with the probe going; returns the work's milliseconds and the probe's summary.
async fn measured<F: Future<Output = ()>>(db: &Db, user: Uuid, work: F) -> serde_json::Value {
    let (tx, rx) = watch::channel(false);
    let probe = tokio::spawn(probe(db.clone(), user, rx));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    work.await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let _ = tx.send(true);
    let latencies = probe.await.expect("probe");
    serde_json::json!({ "delete_ms": ms.round(), "probe": summary(latencies) })
}

#[tokio::main]
async fn main() {
    let messages = arg("--messages", 10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&DbOptions {
        url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        max_connections: 8,
        sqlite_synchronous: "full".into(),
    })
    .await
    .expect("database");
    db.migrate().await.expect("migrate");
    let user = users::insert_user(
        &db,
        NewUser {
            email: "bench@example.com",
            email_normalized: "bench@example.com",
            username: "bench",
            username_normalized: "bench",
            password_hash: None,
            role: Role::Member,
        },
    )
    .await
    .expect("user")
    .id;
    let old_way = filled_room(&db, user, messages).await;
    let new_way = filled_room(&db, user, messages).await;

    let idle = measured(&db, user, tokio::time::sleep(Duration::from_millis(500))).await;
    let one_statement = measured(&db, user, async {
        assert!(
            db.delete_owned("rooms", "owner_id", old_way, user)
                .await
                .expect("delete")
        );
    })
    .await;
    let chunked = measured(&db, user, async {
        assert!(chat::delete_room(&db, user, new_way).await.expect("delete"));
    })
    .await;
    let report = serde_json::json!({
        "messages": messages,
        "probe_alone": idle["probe"],
        "one_statement": one_statement,
        "chunked": chunked,
    });
    println!("{report}");
}
