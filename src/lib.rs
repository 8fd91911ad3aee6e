//! confab: a self-hosted AI assistant service.
#![forbid(unsafe_code)]

/// Administration: users, roles, quota overrides, usage counts and the audit log.
pub mod admin;
/// Personal API keys and the OpenAI-compatible `/v1` endpoint.
pub mod apikeys;
/// The router, the server's lifecycle and start-up wiring (one `init` per feature).
pub mod app;
/// The themed apps (the mock interview so far).
pub mod apps;
/// Accounts, sessions and access tokens.
pub mod auth;
/// Assistants, rooms, messages (with streaming), search and export.
pub mod chat;
/// The command line: serve, migrate, user, config check.
pub mod cli;
/// Typed configuration from defaults, `confab.toml` and `CONFAB_*`.
pub mod config;
/// Key material and password hashing.
pub mod crypto;
/// The database handle over SQLite and PostgreSQL.
pub mod db;
/// The error type and its JSON envelope.
pub mod error;
/// Shared request extractors.
pub mod extract;
/// The two UI languages and text in both.
pub mod lang;
/// LLM providers and the per-app registry.
pub mod llm;
/// The caller's own account.
pub mod me;
/// Uploaded images: checks, re-encoding and the media store.
pub mod media;
/// Cached JSON pages (SQLite), keyed by explicit scope.
pub mod pages;
/// The daily per-user quota of LLM-backed requests.
pub mod quota;
/// `AppState`: what every handler may reach.
pub mod state;
/// Logs and metrics.
pub mod telemetry;
/// The embedded browser UI and its SPA fallback.
pub mod web;
