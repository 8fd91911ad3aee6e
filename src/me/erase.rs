//! What an account's deletion must remove besides its rows. Deleting the user row removes,
//! by cascade, every row the user owns; an app whose data does not end with its rows (files
//! in the media store, counters kept on other users' rows) registers an [`AccountEraser`]
//! in its `init` ([`AccountErasers::register`]), so `/api/me` never names an app.

use std::sync::Arc;

use futures::future::BoxFuture;
use uuid::Uuid;

use crate::error::Result;
use crate::state::AppState;

/// What runs once the user row is gone (whether or not deleting it succeeded: what
/// [`AccountEraser::before`] removed is gone either way).
pub type After = BoxFuture<'static, ()>;

/// An app's part of deleting an account.
pub trait AccountEraser: Send + Sync {
    /// Runs before the user row is deleted: removes what must go first (so nothing
    /// racing the deletion can add to it) and returns what to do afterwards.
    fn before<'a>(&'a self, state: &'a AppState, user: Uuid) -> BoxFuture<'a, Result<After>>;
}

/// The registered erasers, by app.
#[derive(Clone, Default)]
pub struct AccountErasers {
    by_app: Vec<(&'static str, Arc<dyn AccountEraser>)>,
}

impl AccountErasers {
    /// Adds `app`'s eraser (a later registration for the same app wins).
    pub fn register(&mut self, app: &'static str, eraser: impl AccountEraser + 'static) {
        self.by_app.retain(|(name, _)| *name != app);
        self.by_app.push((app, Arc::new(eraser)));
    }

    /// Runs every app's `before`, in registration order; the first failure stops and is
    /// returned, after the `after`s of those that ran have run.
    pub async fn before(&self, state: &AppState, user: Uuid) -> (Vec<After>, Result<()>) {
        let mut afters = Vec::with_capacity(self.by_app.len());
        for (app, eraser) in &self.by_app {
            match eraser.before(state, user).await {
                Ok(after) => afters.push(after),
                Err(err) => {
                    tracing::error!(app, error = %err, "erasing an account's app data failed");
                    return (afters, Err(err));
                }
            }
        }
        (afters, Ok(()))
    }
}
