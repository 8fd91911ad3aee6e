mod admin;
mod answers;
mod apikeys;
mod auth;
mod board;
mod chat;
mod cli;
#[path = "../support/fake_kakao.rs"]
mod fake_kakao;
#[path = "../support/fake_oauth.rs"]
mod fake_oauth;
#[path = "../support/fake_upstream.rs"]
mod fake_upstream;
mod hardening;
mod helpers;
mod http;
mod interview;
mod me;
mod naming;
mod oauth;
mod scale;
mod tarot;
mod throttle;
mod travel;
mod web;
