//! Access tokens: HS256 JWTs carrying the user (`sub`) and the session (`sid`).
//!
//! The algorithm is pinned, so `alg: none` or any other algorithm is rejected before the
//! signature is looked at. A valid token is still checked against its session row.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

const ISSUER: &str = "confab";
/// Clock skew tolerated on `exp`, in seconds.
pub const LEEWAY_SECS: u64 = 5;

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

/// Keys and rules for access tokens.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Lifetime of an access token in seconds.
    pub ttl_secs: i64,
}

impl JwtKeys {
    /// Builds the keys from a secret of at least 32 bytes.
    pub fn new(secret: &[u8], ttl_secs: u64) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = LEEWAY_SECS;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(900),
        }
    }

    /// Signs an access token for a session.
    pub fn issue(&self, user_id: Uuid, session_id: Uuid) -> Result<String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = Claims {
            sub: user_id,
            sid: session_id,
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::internal(format!("jwt encode: {e}")))
    }

    /// Verifies signature, algorithm, issuer and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let expired = matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature);
                Error::Unauthorized {
                    code: if expired {
                        "token_expired"
                    } else {
                        "invalid_token"
                    },
                    message: if expired {
                        "access token has expired; refresh it".to_owned()
                    } else {
                        "access token is not valid".to_owned()
                    },
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7u8; 32], 900)
    }

    #[test]
    fn a_token_round_trips() {
        let (u, s) = (Uuid::now_v7(), Uuid::now_v7());
        let token = keys().issue(u, s).expect("issue");
        let claims = keys().verify(&token).expect("verify");
        assert_eq!((claims.sub, claims.sid), (u, s));
    }

    #[test]
    fn alg_none_and_other_keys_are_rejected() {
        let token = keys().issue(Uuid::now_v7(), Uuid::now_v7()).expect("issue");
        let payload = token.split('.').nth(1).expect("payload");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys().verify(&format!("{header}.{payload}.")).is_err());
        let other = JwtKeys::new(&[8u8; 32], 900)
            .issue(Uuid::now_v7(), Uuid::now_v7())
            .expect("issue");
        assert!(keys().verify(&other).is_err());
        assert!(keys().verify("not-a-jwt").is_err());
    }
}
