//! Password policy (NIST 800-63B style, as Django's validators) and Argon2id hashing.
//!
//! Hashing runs on the blocking pool behind a small semaphore, so a burst of logins can
//! neither block the async runtime nor take every core from other requests.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

use crate::error::{Error, Problem, Result};

/// Shortest accepted password, in characters.
pub const MIN_LENGTH: usize = 8;
/// Longest accepted password, in characters.
pub const MAX_LENGTH: usize = 128;
/// Django's `UserAttributeSimilarityValidator` threshold.
const MAX_SIMILARITY: f64 = 0.7;

static COMMON_PASSWORDS_TEXT: &str = include_str!("../../data/common-passwords.txt");

/// The shipped list of common passwords, lower-cased.
pub fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS_TEXT
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Checks a new password against the policy. `attributes` are the user's email and
/// username; the password must not be too similar to either. Returns every problem found.
pub fn check_policy(password: &str, attributes: &[&str]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if len < MIN_LENGTH {
        problems.push(Problem::too_short(MIN_LENGTH));
    }
    if len > MAX_LENGTH {
        problems.push(Problem::too_long(MAX_LENGTH));
    }
    if len > 0 && password.chars().all(|c| c.is_ascii_digit()) {
        problems.push(Problem::new(
            "entirely_numeric",
            "must not be entirely numeric",
        ));
    }
    let lowered = password.trim().to_lowercase();
    if common_passwords().contains(lowered.as_str()) {
        problems.push(Problem::new("too_common", "is too common"));
    }
    if len <= MAX_LENGTH && too_similar(password, attributes) {
        problems.push(Problem::new(
            "too_similar",
            "is too similar to your email or username",
        ));
    }
    problems
}

fn too_similar(password: &str, attributes: &[&str]) -> bool {
    let password: Vec<char> = password.to_lowercase().chars().collect();
    for attribute in attributes {
        let value = attribute.to_lowercase();
        if value.is_empty() {
            continue;
        }
        let mut parts: Vec<&str> = value
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|p| !p.is_empty())
            .collect();
        parts.push(&value);
        for part in parts {
            let part: Vec<char> = part.chars().collect();
            if exceeds_length_ratio(password.len(), part.len()) {
                continue;
            }
            if quick_ratio(&password, &part) >= MAX_SIMILARITY {
                return true;
            }
        }
    }
    false
}

/// Django skips attributes far shorter than the password: they cannot make it weak.
fn exceeds_length_ratio(password_len: usize, value_len: usize) -> bool {
    let bound = MAX_SIMILARITY / 2.0 * password_len as f64;
    password_len >= 10 * value_len && (value_len as f64) < bound
}

/// Python's `SequenceMatcher.quick_ratio`: 2·M / T with M the multiset intersection.
fn quick_ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let mut counts = std::collections::HashMap::<char, isize>::new();
    for c in b {
        *counts.entry(*c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a {
        if let Some(n) = counts.get_mut(c)
            && *n > 0
        {
            *n -= 1;
            matches += 1;
        }
    }
    2.0 * matches as f64 / total as f64
}

/// Requests that may wait for a verification (logins, password checks) before the next
/// is refused at once.
const MAX_VERIFY_WAITING: usize = 64;
/// Requests that may wait to hash a new password (sign-ups, password changes).
const MAX_HASH_WAITING: usize = 16;

/// One kind of Argon2 work: a few threads at a time, and a bounded queue in front of them.
struct Lane {
    permits: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Lane {
    fn new(permits: usize, max_waiting: usize) -> Lane {
        Lane {
            permits: Semaphore::new(permits),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// A permit, or `Busy` at once when the queue is full (never an unbounded wait).
    async fn enter(&self) -> Result<tokio::sync::SemaphorePermit<'_>> {
        if let Ok(permit) = self.permits.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Error::Busy);
        }
        let permit = self.permits.acquire().await.map_err(Error::internal);
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        permit
    }
}

/// Argon2id hashing off the async runtime, in two lanes: verifying (logins and password
/// checks) and hashing new passwords (sign-ups, changes). Each has its own threads and its
/// own bounded queue, so a flood of sign-ups never delays a login, and a full queue answers
/// 503 at once instead of piling up.
#[derive(Clone)]
pub struct Hasher {
    verify: Arc<Lane>,
    hash: Arc<Lane>,
    dummy_hash: Arc<str>,
}

impl Hasher {
    /// Builds the hasher and the dummy hash used for unknown accounts.
    pub fn new() -> Result<Hasher> {
        let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
        let dummy = Argon2::default()
            .hash_password(b"confab-dummy-password-for-timing")
            .map_err(|e| Error::internal(format!("argon2: {e}")))?
            .to_string();
        Ok(Hasher {
            verify: Arc::new(Lane::new((parallel / 2).max(1), MAX_VERIFY_WAITING)),
            hash: Arc::new(Lane::new(1, MAX_HASH_WAITING)),
            dummy_hash: dummy.into(),
        })
    }

    /// Hashes a password (PHC string).
    pub async fn hash(&self, password: String) -> Result<String> {
        let _permit = self.hash.enter().await?;
        tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| Error::internal(format!("argon2: {e}")))
        })
        .await
        .map_err(Error::internal)?
    }

    /// Verifies a password; with no stored hash, spends the same time on a dummy hash.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool> {
        let _permit = self.verify.enter().await?;
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await
        .map_err(Error::internal)?;
        Ok(known && ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_lane_refuses_at_once_and_frees_its_place() {
        let lane = Arc::new(Lane::new(1, 1));
        let held = lane.enter().await.expect("first permit");
        let waiter = {
            let lane = lane.clone();
            tokio::spawn(async move { lane.enter().await.map(drop) })
        };
        while lane.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(lane.enter().await, Err(Error::Busy)));
        drop(held);
        waiter
            .await
            .expect("join")
            .expect("the waiter gets its turn");
        assert_eq!(lane.waiting.load(Ordering::Acquire), 0);
        assert!(lane.enter().await.is_ok());
    }

    #[test]
    fn the_common_password_list_is_large_and_lower_cased() {
        assert!(common_passwords().len() >= 10_000);
        assert!(common_passwords().contains("password"));
        assert!(common_passwords().contains("qwerty"));
    }

    #[test]
    fn short_long_numeric_and_common_passwords_are_refused() {
        assert!(!check_policy("Abc1!", &[]).is_empty());
        assert!(!check_policy(&"x".repeat(129), &[]).is_empty());
        assert!(
            check_policy(&"xY3#".repeat(32), &[]).is_empty(),
            "128 chars is fine"
        );
        assert!(!check_policy("8264937150", &[]).is_empty());
        assert!(
            !check_policy("PassWord123", &[]).is_empty(),
            "common, case-insensitively"
        );
        assert!(check_policy("correct horse battery staple", &[]).is_empty());
    }

    #[test]
    fn a_password_like_the_username_or_email_is_refused() {
        let attrs = ["minji.kim@example.com", "minjikim"];
        assert!(!check_policy("minjikim1", &attrs).is_empty());
        assert!(!check_policy("kim.minji", &attrs).is_empty());
        assert!(check_policy("blue-lantern-42", &attrs).is_empty());
    }

    #[test]
    fn quick_ratio_matches_python() {
        let a: Vec<char> = "abcd".chars().collect();
        let b: Vec<char> = "bcde".chars().collect();
        assert!((quick_ratio(&a, &b) - 0.75).abs() < 1e-9);
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let hasher = Hasher::new().expect("hasher");
        let hash = hasher.hash("s3cret-horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("s3cret-horse".into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify("wrong".into(), Some(hash))
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify("confab-dummy-password-for-timing".into(), None)
                .await
                .expect("verify")
        );
    }
}
