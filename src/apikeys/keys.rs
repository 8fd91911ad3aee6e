//! `/api/me/api-keys`: make (the secret shown once), list and revoke personal API keys.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{KEY_BODY_LEN, KEY_PREFIX, hash_key};
use super::repo::{self, KeyRow, MAX_KEYS};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Problem, Result};
use crate::extract::{AppJson, IdPath};
use crate::state::AppState;

/// Longest key name, in characters.
pub const NAME_MAX: usize = 60;
/// Characters of the secret kept visible (after `cfk_`).
const VISIBLE: usize = 6;

/// A key as listed: never the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    /// The key's first characters (`cfk_Ab12Cd`), to tell keys apart.
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// `null` until the key is first used; updated at most about once a minute.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<KeyRow> for ApiKeyView {
    fn from(row: KeyRow) -> Self {
        ApiKeyView {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// A new key: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiKey {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The secret (`cfk_…`). Not stored: copy it now.
    pub secret: String,
}

/// Your keys, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyView>,
    /// Always `null`: a user has at most 20 keys.
    pub next_cursor: Option<String>,
}

/// A key to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// 1–60 characters, e.g. "laptop" or "notebook".
    pub name: String,
}

/// Your personal API keys (for `/v1`), newest first.
#[utoipa::path(get, path = "/api/me/api-keys", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = ApiKeyList), (status = 401, body = ErrorBody)))]
pub async fn list_keys(State(state): State<AppState>, user: AuthUser) -> Result<Json<ApiKeyList>> {
    let items = repo::list(&state.db, user.id)
        .await?
        .into_iter()
        .map(ApiKeyView::from)
        .collect();
    Ok(Json(ApiKeyList {
        items,
        next_cursor: None,
    }))
}

/// Make a personal API key for the OpenAI-compatible `/v1` endpoint. The secret is in this
/// answer only. At most 20 keys: more is 409 `api_key_limit`.
#[utoipa::path(post, path = "/api/me/api-keys", tag = "me", security(("bearer" = [])), request_body = CreateApiKey,
    responses((status = 201, body = NewApiKey), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn create_key(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(req): AppJson<CreateApiKey>,
) -> Result<(StatusCode, Json<NewApiKey>)> {
    let name = key_name(&req.name).map_err(|p| Error::field("name", p))?;
    let secret = new_secret();
    let prefix: String = secret.chars().take(KEY_PREFIX.len() + VISIBLE).collect();
    let row = repo::insert(&state.db, user.id, name, &prefix, &hash_key(&secret))
        .await?
        .ok_or_else(|| Error::Conflict {
            code: "api_key_limit",
            message: format!("you already have {MAX_KEYS} API keys; revoke one first"),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(NewApiKey {
            key: row.into(),
            secret,
        }),
    ))
}

/// Revoke one of your keys: it stops working at once, on every instance.
#[utoipa::path(delete, path = "/api/me/api-keys/{id}", tag = "me", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204, description = "revoked"), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn delete_key(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    if repo::delete(&state.db, user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

/// A key's name: trimmed, 1–60 characters, no control characters.
fn key_name(raw: &str) -> std::result::Result<&str, Problem> {
    let name = crate::error::required_text(raw, NAME_MAX)?;
    if name.chars().any(char::is_control) {
        return Err(Problem::control_chars());
    }
    Ok(name)
}

/// `cfk_` and 32 random bytes from the OS source, in base62 (43 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", base62(&bytes, KEY_BODY_LEN))
}

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `bytes` as a big-endian number in base62, left-padded with `0` to `width` digits.
fn base62(bytes: &[u8], width: usize) -> String {
    let mut number = bytes.to_vec();
    let mut digits = Vec::with_capacity(width);
    while number.iter().any(|&b| b != 0) {
        let mut remainder = 0u32;
        for byte in number.iter_mut() {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = (value / 62) as u8;
            remainder = value % 62;
        }
        digits.push(ALPHABET[remainder as usize]);
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_is_positional_and_padded() {
        assert_eq!(base62(&[0], 3), "000");
        assert_eq!(base62(&[61], 1), "z");
        assert_eq!(base62(&[62], 1), "10");
        assert_eq!(base62(&[1, 0], 1), "48"); // 256 = 4·62 + 8
        assert_eq!(base62(&[0xff; 32], 43).len(), 43); // 2^256 − 1 < 62^43
    }

    #[test]
    fn secrets_are_unique_and_well_formed() {
        let a = new_secret();
        assert!(super::super::auth::looks_like_key(&a));
        assert_ne!(a, new_secret());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(key_name("  laptop "), Ok("laptop"));
        assert!(key_name(" ").is_err());
        assert!(key_name(&"a".repeat(NAME_MAX + 1)).is_err());
        assert!(key_name("a\u{7}b").is_err());
    }
}
