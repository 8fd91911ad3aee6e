mod auth;
mod helpers;
mod http;
mod me;
