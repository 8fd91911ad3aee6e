//! Work counted before it is done: password checks (login, and the password checks of
//! `/api/me`) and sign-ups are recorded atomically *before* Argon2 runs, so N parallel
//! guesses verify at most the limit; and one account has at most one verification in
//! flight on an instance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use super::repo::{self, FailureScope, Limit};
use crate::error::{Error, Result};
use crate::state::AppState;

/// Longest password checked; longer ones cannot match an accepted password.
const PASSWORD_CAP: usize = 4096;

/// One lock per account with a verification in flight. Set up by `auth::init`.
#[derive(Default)]
pub struct AccountLocks {
    held: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl AccountLocks {
    /// Waits for the account's turn; the entry goes when its last holder leaves.
    async fn turn(&self, account: &str) -> Turn<'_> {
        let lock = match self.held.lock() {
            Ok(mut held) => held.entry(account.to_owned()).or_default().clone(),
            Err(_) => Arc::default(),
        };
        let guard = lock.clone().lock_owned().await;
        Turn {
            locks: self,
            account: account.to_owned(),
            lock,
            _guard: guard,
        }
    }
}

struct Turn<'a> {
    locks: &'a AccountLocks,
    account: String,
    lock: Arc<tokio::sync::Mutex<()>>,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Ok(mut held) = self.locks.held.lock()
            // The map's copy, this turn's and its guard's: nobody else waits.
            && Arc::strong_count(&self.lock) <= 3
        {
            held.remove(&self.account);
        }
    }
}

fn too_many(retry: time::Duration, code: &'static str, message: &str) -> Error {
    Error::TooManyRequests {
        code,
        message: message.to_owned(),
        retry_after: retry.whole_seconds().max(1) as u64,
    }
}

fn login_window(state: &AppState) -> time::Duration {
    time::Duration::seconds(state.config.login_window_secs as i64)
}

/// Checks `password` against `stored` for `account` (a login's normalised email, or
/// `user:<id>` for a signed-in user's password checks) from `ip`. The attempt is recorded
/// first (429 `too_many_login_attempts` when the account or the IP is at its limit); a
/// success forgets the account's failures and this attempt.
pub async fn check_password(
    state: &AppState,
    account: &str,
    ip: &str,
    password: String,
    stored: Option<String>,
) -> Result<bool> {
    let window = login_window(state);
    let limits: [Limit; 2] = [
        (
            FailureScope::Account,
            account,
            state.config.login_max_failures_per_account,
        ),
        (FailureScope::Ip, ip, state.config.login_max_failures_per_ip),
    ];
    let since = crate::db::now() - window;
    let ids = repo::try_record_attempt(&state.db, &limits, since, window)
        .await?
        .map_err(|retry| {
            too_many(
                retry,
                "too_many_login_attempts",
                "too many failed attempts; try again later",
            )
        })?;
    let ok = {
        let _turn = state.part::<AccountLocks>()?.turn(account).await;
        password.len() <= PASSWORD_CAP && state.hasher.verify(password, stored).await?
    };
    if ok {
        repo::forget_after_success(&state.db, account, &ids).await?;
    }
    Ok(ok)
}

/// Counts a sign-up from `ip` before its password is hashed: 429 `too_many_signups` past
/// `CONFAB_SIGNUP_MAX_PER_IP` within `CONFAB_SIGNUP_WINDOW_SECS`. Returns the recorded row,
/// to forget if the sign-up is refused for its input after all.
pub async fn admit_signup(state: &AppState, ip: &str) -> Result<Vec<Uuid>> {
    let window = time::Duration::seconds(state.config.signup_window_secs as i64);
    let limits: [Limit; 1] = [(FailureScope::Signup, ip, state.config.signup_max_per_ip)];
    repo::try_record_attempt(&state.db, &limits, crate::db::now() - window, window)
        .await?
        .map_err(|retry| {
            too_many(
                retry,
                "too_many_signups",
                "too many sign-ups from this address; try again later",
            )
        })
}
