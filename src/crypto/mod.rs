//! Key material and password hashing, with no HTTP in them: access-token signing
//! ([`jwt`]), Argon2id hashing and the password policy ([`password`]), and random opaque
//! tokens ([`tokens`]).

pub mod jwt;
pub mod password;
pub mod tokens;
