//! `AppState`: what every handler may reach. Cheap to clone.
//!
//! It holds the shared layers (configuration, database, LLM registry, keys) by type, and
//! each feature's own runtime state in [`Parts`], put there by the feature's `init` at
//! start-up, so this module never names a feature.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::jwt::JwtKeys;
use crate::crypto::password::Hasher;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::llm::offline::OfflineAnswerers;
use crate::llm::{LlmProvider, Registry};

/// Everything a handler may need.
/// Cloned for every request (axum hands each handler its own copy), so it is one shared
/// pointer: one reference count to touch instead of one per field.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

impl AppState {
    pub fn new(inner: StateInner) -> AppState {
        AppState(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = StateInner;

    fn deref(&self) -> &StateInner {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct StateInner {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// The database (SQLite or PostgreSQL).
    pub db: Db,
    /// Access-token keys.
    pub jwt: Arc<JwtKeys>,
    /// Argon2id hashing on the blocking pool.
    pub hasher: Hasher,
    /// The LLM provider for each app.
    pub llm: Registry,
    /// The time zone whose midnight resets the daily quota.
    pub quota_tz: jiff::tz::TimeZone,
    /// The features' own state, by type.
    pub parts: Arc<Parts>,
}

impl AppState {
    /// The feature state of type `T`; an error when no feature's `init` put one there
    /// (a wiring mistake, caught by the first request that needs it).
    pub fn part<T: Any + Send + Sync>(&self) -> Result<&T> {
        self.parts.get::<T>().ok_or_else(|| {
            Error::internal(format!(
                "{} was not set up at start-up",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// What each feature's `init` may set up before the state is built.
pub struct Setup<'a> {
    pub config: &'a Config,
    /// The feature's own runtime state, reached later with [`AppState::part`].
    pub parts: Parts,
    /// The offline provider's answers, by assistant.
    pub offline: OfflineAnswerers,
    /// Wrappers around the provider an app or assistant gets (e.g. the naming app asks
    /// for structured output), applied in order once the providers are built.
    pub llm_layers: Vec<(&'static str, LlmLayer)>,
}

/// Wraps the provider an app or assistant gets.
pub type LlmLayer = fn(Arc<dyn LlmProvider>) -> Arc<dyn LlmProvider>;

/// Feature state by type: one value of each type.
#[derive(Default)]
pub struct Parts {
    values: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl Parts {
    /// Keeps `value`, replacing an earlier one of its type.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Box::new(value));
    }

    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.values.get(&TypeId::of::<T>())?.downcast_ref()
    }

    /// The value of type `T`, made with `Default` when there is none yet (so several
    /// features' `init`s can register into one value).
    pub fn get_or_default<T: Any + Send + Sync + Default>(&mut self) -> &mut T {
        let slot = self
            .values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()));
        if !slot.is::<T>() {
            *slot = Box::new(T::default());
        }
        match slot.downcast_mut::<T>() {
            Some(value) => value,
            None => unreachable!("the slot was just given a T"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_found_by_type() {
        let mut parts = Parts::default();
        parts.insert(7_u32);
        parts.insert(String::from("a"));
        parts.insert(8_u32);
        assert_eq!(parts.get::<u32>(), Some(&8));
        assert_eq!(parts.get::<String>().map(String::as_str), Some("a"));
        assert_eq!(parts.get::<i64>(), None);
    }
}
