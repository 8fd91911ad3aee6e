//! The themed apps built on the core platform.

pub mod interview;
