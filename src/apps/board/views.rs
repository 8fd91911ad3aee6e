//! View counts without a write per request: a view is counted once per viewer (a member,
//! or an address for visitors) per post per hour (a sliding hour from the counted view,
//! not a clock hour, so a viewer at 9:59 and 10:01 counts once), in memory, and the counts are added to
//! the posts in one transaction every [`FLUSH_EVERY`]. Reads add what is still pending,
//! so a viewer sees their own view at once. With several instances (PostgreSQL) each
//! instance de-duplicates its own viewers; a crash loses at most one interval of views.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use uuid::Uuid;

use crate::db::Db;

/// How often counted views are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);
/// Most (post, viewer) pairs remembered; past it the expired ones are forgotten, or all.
const MAX_SEEN: usize = 200_000;

/// How long a viewer's view of a post keeps counting as the same view, in seconds.
const VIEW_WINDOW_SECS: i64 = 3600;

#[derive(Default)]
struct Inner {
    /// When each (post, viewer) view was last counted (Unix seconds).
    seen: HashMap<(Uuid, String), i64>,
    pending: HashMap<Uuid, i64>,
    flushing: HashMap<Uuid, i64>,
    /// Odd while a flush is writing; bumped when one starts and when it ends, so a reader
    /// can tell whether its database read and the unsaved counts belong together.
    epoch: u64,
}

/// The view counter (one per process).
#[derive(Default)]
pub struct Views {
    inner: Mutex<Inner>,
    flusher: OnceLock<()>,
    /// Bumped whenever counts reach the database (list caches key on it).
    pub flushed: std::sync::atomic::AtomicU64,
}

impl Views {
    /// Counts a view of `post` by `viewer` unless counted within the last hour; returns
    /// whether it counted.
    pub fn record(self: &Arc<Self>, db: &Db, post: Uuid, viewer: String) -> bool {
        self.start_flusher(db);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let Ok(mut inner) = self.inner.lock() else {
            return false;
        };
        if inner.seen.len() >= MAX_SEEN {
            // Forget the views older than the window; if most are recent, start over (a
            // crowd of visitors then counts again, never a slow sweep per request).
            inner.seen.retain(|_, at| now - *at < VIEW_WINDOW_SECS);
            if inner.seen.len() >= MAX_SEEN / 2 {
                inner.seen.clear();
            }
        }
        let counted = match inner.seen.entry((post, viewer)) {
            Entry::Occupied(mut seen) => {
                let fresh = now - *seen.get() >= VIEW_WINDOW_SECS;
                if fresh {
                    seen.insert(now);
                }
                fresh
            }
            Entry::Vacant(slot) => {
                slot.insert(now);
                true
            }
        };
        if counted {
            *inner.pending.entry(post).or_default() += 1;
        }
        counted
    }

    /// Runs `read` (a database read that includes view counts) and returns it with the views
    /// of the posts `ids` names that are not in the database yet, as one snapshot: a flush
    /// that starts or ends during the read could otherwise count a batch twice or not at all,
    /// so the read is repeated (a flush takes milliseconds, once every [`FLUSH_EVERY`]); after
    /// three tries the last read is used as it is.
    pub async fn read_consistent<T, Fut>(
        &self,
        mut read: impl FnMut() -> Fut,
        ids: impl Fn(&T) -> Vec<Uuid>,
    ) -> crate::error::Result<(T, HashMap<Uuid, i64>)>
    where
        Fut: std::future::Future<Output = crate::error::Result<T>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            let before = self.inner.lock().map(|i| i.epoch).unwrap_or(0);
            let value = read().await?;
            let wanted = ids(&value);
            let unsaved = match self.inner.lock() {
                Ok(inner) if (inner.epoch == before && before.is_multiple_of(2)) || tries >= 3 => {
                    Some(
                        wanted
                            .into_iter()
                            .map(|id| (id, unsaved(&inner, id)))
                            .collect::<HashMap<_, _>>(),
                    )
                }
                Ok(_) => None,
                Err(_) => Some(HashMap::new()),
            };
            if let Some(unsaved) = unsaved {
                return Ok((value, unsaved));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Starts the writer on first use (the database is only known then); it ends when the
    /// counter is dropped.
    fn start_flusher(self: &Arc<Self>, db: &Db) {
        self.flusher.get_or_init(|| {
            let db = db.clone();
            let views = Arc::downgrade(self);
            tokio::spawn(async move {
                let mut every = tokio::time::interval(FLUSH_EVERY);
                loop {
                    every.tick().await;
                    let Some(views) = views.upgrade() else {
                        break;
                    };
                    views.flush(&db).await;
                }
            });
        });
    }

    /// Writes the pending counts.
    pub async fn flush(&self, db: &Db) {
        let batch: Vec<(Uuid, i64)> = {
            let Ok(mut inner) = self.inner.lock() else {
                return;
            };
            if inner.pending.is_empty() {
                return;
            }
            let taken = std::mem::take(&mut inner.pending);
            inner.flushing = taken.clone();
            inner.epoch += 1;
            taken.into_iter().collect()
        };
        let result = super::repo::add_views(db, &batch).await;
        if let Ok(mut inner) = self.inner.lock() {
            let flushing = std::mem::take(&mut inner.flushing);
            inner.epoch += 1;
            if let Err(err) = &result {
                tracing::warn!(error = %err, "saving view counts failed; keeping them");
                for (post, n) in flushing {
                    *inner.pending.entry(post).or_default() += n;
                }
            }
        }
        if result.is_ok() {
            self.flushed
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

fn unsaved(inner: &Inner, post: Uuid) -> i64 {
    inner.pending.get(&post).copied().unwrap_or(0) + inner.flushing.get(&post).copied().unwrap_or(0)
}
