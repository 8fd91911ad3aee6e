mod answers;
mod apikeys;
mod auth;
mod chat;
mod cli;
#[path = "../support/fake_oauth.rs"]
mod fake_oauth;
#[path = "../support/fake_upstream.rs"]
mod fake_upstream;
mod hardening;
mod helpers;
mod http;
mod interview;
mod me;
mod oauth;
mod throttle;
mod web;
