//! `KeyCaller`: the user behind a personal API key, for `/v1` only.
//!
//! A key is looked up by its SHA-256 in one indexed query that also checks that its owner
//! is active. On a SQLite server the answer is kept in memory with the owner's
//! `auth_version` and reused while that counter is unchanged — the same never-stale rule as
//! the caller cache of `auth/cache.rs`: deleting a key (trigger in migration 0011),
//! deactivating or deleting its owner all bump or remove the counter, so the next request
//! misses and is refused. PostgreSQL has no counters: each request runs the one query, as
//! the session check does.
//!
//! `last_used_at` is written off the request path, at most once a minute per key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::repo::{self, KeyOwner};
use super::wire::OpenAiError;
use crate::state::AppState;

/// The prefix of every key.
pub const KEY_PREFIX: &str = "cfk_";
/// Characters after the prefix: 32 random bytes in base62.
pub const KEY_BODY_LEN: usize = 43;

/// Cached keys (one per live key seen recently), and keys touched recently.
const MAX_ENTRIES: usize = 50_000;
/// `last_used_at` is written at most this often per key.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// An authenticated API-key caller.
#[derive(Clone, Debug)]
pub struct KeyCaller {
    pub user_id: Uuid,
    pub key_id: Uuid,
    pub username: String,
}

#[derive(Clone, Debug)]
struct CachedKey {
    owner: KeyOwner,
    auth_version: i64,
}

/// The key cache and the last-used clock, set up by [`super::init`].
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, CachedKey>>,
    touched: Mutex<HashMap<Uuid, Instant>>,
}

impl KeyCache {
    fn get(&self, hash: &str) -> Option<CachedKey> {
        self.keys.lock().ok()?.get(hash).cloned()
    }

    fn put(&self, hash: &str, cached: CachedKey) {
        if let Ok(mut map) = self.keys.lock() {
            if map.len() >= MAX_ENTRIES && !map.contains_key(hash) {
                map.clear();
            }
            map.insert(hash.to_owned(), cached);
        }
    }

    fn forget(&self, hash: &str) {
        if let Ok(mut map) = self.keys.lock() {
            map.remove(hash);
        }
    }

    /// Whether `last_used_at` of `key` is due a write now (and notes that it is written).
    fn touch_due(&self, key: Uuid) -> bool {
        let Ok(mut map) = self.touched.lock() else {
            return false;
        };
        let now = Instant::now();
        match map.get(&key) {
            Some(at) if now.duration_since(*at) < TOUCH_EVERY => false,
            _ => {
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
                map.insert(key, now);
                true
            }
        }
    }
}

/// The stored form of a key: SHA-256, hex.
pub fn hash_key(plain: &str) -> String {
    Sha256::digest(plain.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a presented string can be one of our keys at all.
pub fn looks_like_key(s: &str) -> bool {
    s.strip_prefix(KEY_PREFIX).is_some_and(|body| {
        body.len() == KEY_BODY_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn presented_key(parts: &Parts) -> Result<&str, OpenAiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Err(OpenAiError::bad_key(
            "missing_api_key",
            "You didn't provide an API key. Send it as `Authorization: Bearer cfk_…`; keys are made on your profile page.",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .unwrap_or("");
    if looks_like_key(token) {
        Ok(token)
    } else {
        Err(invalid_key())
    }
}

fn invalid_key() -> OpenAiError {
    OpenAiError::bad_key(
        "invalid_api_key",
        "Incorrect API key provided. It may have been revoked, or its account deactivated.",
    )
}

/// The live owner of a key.
pub async fn authenticate(state: &AppState, key: &str) -> Result<KeyCaller, OpenAiError> {
    let cache = state.part::<KeyCache>()?;
    let hash = hash_key(key);
    let owner = match cached(state, cache, &hash)? {
        Some(owner) => owner,
        None => {
            let owner = repo::owner_of(&state.db, &hash)
                .await?
                .ok_or_else(invalid_key)?;
            // The counter is read before a second look at the key, so a key cached at
            // this version was still there after it: a later revocation bumps it.
            if let Some(versions) = state.db.versions(owner.user_id)? {
                let again = repo::owner_of(&state.db, &hash)
                    .await?
                    .ok_or_else(invalid_key)?;
                cache.put(
                    &hash,
                    CachedKey {
                        owner: again.clone(),
                        auth_version: versions.auth,
                    },
                );
                again
            } else {
                owner
            }
        }
    };
    if cache.touch_due(owner.key_id) {
        let db = state.db.clone();
        let id = owner.key_id;
        tokio::spawn(async move {
            if let Err(err) = repo::touch(&db, id, crate::db::now()).await {
                tracing::warn!(error = %err, "could not record an API key's last use");
            }
        });
    }
    Ok(KeyCaller {
        user_id: owner.user_id,
        key_id: owner.key_id,
        username: owner.username,
    })
}

fn cached(state: &AppState, cache: &KeyCache, hash: &str) -> Result<Option<KeyOwner>, OpenAiError> {
    let Some(found) = cache.get(hash) else {
        return Ok(None);
    };
    match state.db.versions(found.owner.user_id)? {
        Some(v) if v.auth == found.auth_version => Ok(Some(found.owner)),
        _ => {
            cache.forget(hash);
            Ok(None)
        }
    }
}

impl<S> FromRequestParts<S> for KeyCaller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = OpenAiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let key = presented_key(parts)?.to_owned();
        authenticate(&AppState::from_ref(state), &key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_recognised_by_shape_and_hashed_to_hex() {
        let body = "A".repeat(KEY_BODY_LEN);
        assert!(looks_like_key(&format!("cfk_{body}")));
        assert!(!looks_like_key(&format!("cfk_{body}x")));
        assert!(!looks_like_key(&format!("sk-_{body}")));
        assert!(!looks_like_key(&format!(
            "cfk_{}-",
            "A".repeat(KEY_BODY_LEN - 1)
        )));
        assert_eq!(hash_key("x").len(), 64);
    }
}
