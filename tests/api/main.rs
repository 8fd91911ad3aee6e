mod auth;
mod cli;
mod helpers;
mod http;
mod me;
