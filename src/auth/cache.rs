//! Callers kept in memory on a SQLite server, keyed by access token.
//!
//! A verified token's caller is reused while the user's `auth_version` (bumped by
//! triggers whenever the user or one of their sessions changes; `db/cache.rs`) is
//! unchanged and neither the token nor the session has expired: one indexed lookup of the
//! counters instead of a signature check and a join, with the same answer. PostgreSQL has
//! no counters ([`crate::db::Db::versions`] is `None`), so nothing is cached there.

use std::collections::HashMap;
use std::sync::Mutex;

use super::extract::AuthUser;

/// Cached callers (one per live access token seen recently).
const MAX_TOKENS: usize = 50_000;

/// The caller behind a token that was verified and found on a live session.
#[derive(Clone, Debug)]
pub struct CachedCaller {
    pub user: AuthUser,
    /// `auth_version` read before the session was checked.
    pub auth_version: i64,
    /// The token's `exp` (Unix seconds).
    pub token_exp: i64,
    /// The session's `expires_at` (Unix seconds).
    pub session_exp: i64,
}

/// The caller cache, set up by [`super::init`]. Bounded: emptied when full.
#[derive(Default)]
pub struct Callers {
    map: Mutex<HashMap<String, CachedCaller>>,
}

impl Callers {
    /// The cached caller of `token`, if any (still to be checked against the counters).
    pub fn get(&self, token: &str) -> Option<CachedCaller> {
        self.map.lock().ok()?.get(token).cloned()
    }

    pub fn put(&self, token: &str, caller: CachedCaller) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_TOKENS && !map.contains_key(token) {
                map.clear();
            }
            map.insert(token.to_owned(), caller);
        }
    }

    pub fn forget(&self, token: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(token);
        }
    }
}
