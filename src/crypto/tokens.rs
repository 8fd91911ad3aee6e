//! Opaque refresh tokens: 32 random bytes shown once, stored only as SHA-256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest, Sha256};

/// A freshly minted refresh token and the hash that is stored.
pub struct RefreshToken {
    pub plain: String,
    pub hash: Vec<u8>,
}

/// Makes a new refresh token from the OS random source.
pub fn new_refresh_token() -> RefreshToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plain = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&plain);
    RefreshToken { plain, hash }
}

/// The stored form of a presented token.
pub fn hash_refresh_token(plain: &str) -> Vec<u8> {
    Sha256::digest(plain.as_bytes()).to_vec()
}

/// Whether a presented string can be a refresh token at all (43 base64url characters).
pub fn looks_like_refresh_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A random secret of `n` bytes, base64url, for the generated JWT key.
pub fn random_secret(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two secrets in time that depends only on their lengths.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_well_formed_and_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a.plain, b.plain);
        assert!(looks_like_refresh_token(&a.plain));
        assert_eq!(a.hash, hash_refresh_token(&a.plain));
        assert_eq!(a.hash.len(), 32);
        assert!(!looks_like_refresh_token("short"));
    }
}
