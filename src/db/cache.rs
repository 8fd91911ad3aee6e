//! In-memory read caches of a SQLite server, never stale.
//!
//! A SQLite database has one server, so that server may keep answers in memory, as long
//! as it can tell cheaply when one has gone stale. `user_versions`
//! (migrations/sqlite/0004_cache_versions.sql) gives each user two counters that triggers
//! bump in the same transaction as the change itself, whichever connection or process
//! makes it:
//!
//! - `auth_version`: the user row or any of the user's sessions changed;
//! - `data_version`: one of the user's rooms or messages changed.
//!
//! A request reads both with one indexed lookup ([`super::Db::versions`]). The auth
//! extractor caches a verified caller against `auth_version` (`auth/cache.rs`); the HTTP
//! side caches JSON pages here against `data_version` (`pages.rs`). The counters are
//! always read *before* the data they guard, so a cached answer can only be tagged older
//! than what it holds, never newer: a write that lands in between makes the next request
//! miss, not serve stale data.
//!
//! The store is bounded: past its limit it is simply emptied, which costs one miss per
//! entry and keeps the code free of eviction bookkeeping.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use uuid::Uuid;

/// Cached pages, all users together.
const MAX_PAGES: usize = 20_000;
/// Bytes of cached pages, all users together.
const MAX_PAGE_BYTES: usize = 32 << 20;
/// Larger pages are not kept.
const MAX_PAGE_BODY: usize = 1 << 20;

/// A user's two counters, read together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versions {
    pub auth: i64,
    pub data: i64,
}

struct UserPages {
    data_version: i64,
    /// Request path and query → JSON body.
    pages: HashMap<String, Bytes>,
}

#[derive(Default)]
struct Pages {
    users: HashMap<Uuid, UserPages>,
    count: usize,
    bytes: usize,
}

/// The page cache of one SQLite server: JSON bodies by user, tagged with the
/// `data_version` they were built at. Cheap to share behind an `Arc`.
#[derive(Default)]
pub struct PageStore {
    pages: Mutex<Pages>,
}

impl std::fmt::Debug for PageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStore").finish_non_exhaustive()
    }
}

impl PageStore {
    /// The page cached for `user` at `key`, if it was built at `data_version`. Pages of
    /// another version stay until the user's next page is kept (`put_page`).
    pub fn page(&self, user: Uuid, data_version: i64, key: &str) -> Option<Bytes> {
        let pages = self.pages.lock().ok()?;
        let entry = pages.users.get(&user)?;
        if entry.data_version != data_version {
            return None;
        }
        entry.pages.get(key).cloned()
    }

    /// Keeps a page built from data read after `data_version` was.
    pub fn put_page(&self, user: Uuid, data_version: i64, key: &str, body: Bytes) {
        if body.len() > MAX_PAGE_BODY {
            return;
        }
        let Ok(mut guard) = self.pages.lock() else {
            return;
        };
        let pages = &mut *guard;
        if pages.count >= MAX_PAGES || pages.bytes + body.len() > MAX_PAGE_BYTES {
            *pages = Pages::default();
        }
        let entry = pages.users.entry(user).or_insert_with(|| UserPages {
            data_version,
            pages: HashMap::new(),
        });
        if entry.data_version != data_version {
            // Whichever version is newer, pages of two versions never mix: start over
            // with this one (an older one only misses once more).
            pages.count -= entry.pages.len();
            pages.bytes -= entry.pages.values().map(Bytes::len).sum::<usize>();
            entry.pages.clear();
            entry.data_version = data_version;
        }
        pages.bytes += body.len();
        match entry.pages.insert(key.to_owned(), body) {
            Some(old) => pages.bytes -= old.len(),
            None => pages.count += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_served_only_at_the_version_it_was_built_at() {
        let caches = PageStore::default();
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        caches.put_page(alice, 3, "/api/rooms", Bytes::from_static(b"[1]"));
        caches.put_page(bob, 3, "/api/rooms", Bytes::from_static(b"[2]"));
        assert_eq!(
            caches.page(alice, 3, "/api/rooms").as_deref(),
            Some(&b"[1]"[..])
        );
        assert_eq!(caches.page(alice, 3, "/api/rooms?limit=5"), None);
        // Alice's data changed: her old page is not served, and her next page replaces it.
        assert_eq!(caches.page(alice, 4, "/api/rooms"), None);
        caches.put_page(alice, 4, "/api/rooms?limit=5", Bytes::from_static(b"[10]"));
        assert_eq!(caches.page(alice, 4, "/api/rooms"), None);
        assert_eq!(caches.page(alice, 3, "/api/rooms"), None);
        assert_eq!(
            caches.page(bob, 3, "/api/rooms").as_deref(),
            Some(&b"[2]"[..])
        );
        let pages = caches.pages.lock().expect("lock");
        assert_eq!((pages.count, pages.bytes), (2, 7));
    }

    #[test]
    fn pages_of_two_versions_never_mix() {
        let caches = PageStore::default();
        let user = Uuid::now_v7();
        caches.put_page(user, 1, "a", Bytes::from_static(b"old"));
        caches.put_page(user, 2, "b", Bytes::from_static(b"new"));
        assert_eq!(caches.page(user, 2, "a"), None);
        assert_eq!(caches.page(user, 2, "b").as_deref(), Some(&b"new"[..]));
        caches.put_page(user, 2, "b", Bytes::from_static(b"newer"));
        let pages = caches.pages.lock().expect("lock");
        assert_eq!((pages.count, pages.bytes), (1, 5));
    }

    #[test]
    fn the_page_cache_empties_itself_at_its_limit() {
        let caches = PageStore::default();
        let user = Uuid::now_v7();
        for i in 0..MAX_PAGES + 10 {
            caches.put_page(user, 1, &i.to_string(), Bytes::from_static(b"x"));
        }
        let pages = caches.pages.lock().expect("lock");
        assert_eq!(pages.count, 10);
        assert!(pages.count <= MAX_PAGES && pages.bytes <= MAX_PAGE_BYTES);
        drop(pages);
        let big = Bytes::from(vec![b'x'; MAX_PAGE_BODY + 1]);
        caches.put_page(user, 1, "big", big);
        assert_eq!(caches.page(user, 1, "big"), None);
    }
}
