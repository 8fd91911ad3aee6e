//! The themed apps built on the core platform: one folder each, wired in `app.rs`.

pub mod board;
pub mod interview;
pub mod naming;
pub mod tarot;
pub mod travel;
