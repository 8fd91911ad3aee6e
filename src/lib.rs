//! confab: a self-hosted AI assistant service.
#![forbid(unsafe_code)]

/// Application state, router and server lifecycle.
pub mod app;
/// Accounts, sessions and access tokens.
pub mod auth;
/// The command line: serve, migrate, user, config check.
pub mod cli;
/// Typed configuration from defaults, `confab.toml` and `CONFAB_*`.
pub mod config;
/// The database handle over SQLite and PostgreSQL.
pub mod db;
/// The error type and its JSON envelope.
pub mod error;
/// Shared request extractors.
pub mod extract;
/// The caller's own account.
pub mod me;
/// Logs and metrics.
pub mod telemetry;
