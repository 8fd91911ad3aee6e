//! Request extractors shared by every feature: JSON bodies whose rejections come out in
//! our error envelope, and the client's IP address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, FieldErrors, Problem};
use crate::state::AppState;

/// `Json<T>` with rejections as our envelope: bad syntax → 400 `invalid_json`, a missing,
/// unknown or mistyped field → 400 naming the field, wrong content type → 415,
/// too large → 413.
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// `Query<T>` with rejections as our envelope: a malformed query string or a parameter of
/// the wrong shape is a 400 naming the parameter. Unknown parameters are ignored.
pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<T>(query)
            .map(AppQuery)
            .map_err(|e| data_error(&e.to_string()))
    }
}

/// An id in the path. Ids are opaque to clients: anything that is not one of ours is
/// simply not found (404), never a 400 that tells ids apart.
#[derive(Clone, Copy, Debug)]
pub struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| Error::NotFound)?;
        Uuid::parse_str(&raw)
            .map(IdPath)
            .map_err(|_| Error::NotFound)
    }
}

/// Maps an axum JSON rejection to our error.
pub fn json_rejection(rejection: JsonRejection) -> Error {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType(
            "expected a body with Content-Type: application/json".into(),
        ),
        _ => match &rejection {
            JsonRejection::JsonDataError(_) => data_error(&rejection.body_text()),
            JsonRejection::JsonSyntaxError(_) => Error::BadRequest {
                code: "invalid_json",
                message: "the request body is not valid JSON".into(),
            },
            _ => Error::BadRequest {
                code: "invalid_body",
                message: "the request body could not be read".into(),
            },
        },
    }
}

/// Turns serde's message into a field error where it names a field.
fn data_error(text: &str) -> Error {
    // Typical texts: "Failed to deserialize the JSON body into the target type: missing field `email` at line 1 column 2",
    // "...: unknown field `foo`, expected one of ...", "...: email: invalid type: integer `1`, expected a string at ...".
    let detail = text.split_once("target type: ").map_or(text, |(_, d)| d);
    let detail = detail.rsplit_once(" at line ").map_or(detail, |(d, _)| d);
    let mut fields = FieldErrors::new();
    if let Some(name) = between(detail, "missing field `", "`") {
        fields.add(name, Problem::required());
    } else if let Some(name) = between(detail, "unknown field `", "`") {
        fields.add(name, Problem::new("unknown_field", "is not a known field"));
    } else if let Some((path, problem)) = detail.split_once(": ") {
        let path = path.trim();
        if !path.is_empty() && !path.contains(' ') {
            fields.add(path, Problem::new("invalid_type", problem.trim()));
        }
    }
    match fields.finish() {
        Ok(()) => Error::BadRequest {
            code: "invalid_body",
            message: format!("the request body does not match the expected shape: {detail}"),
        },
        Err(validation) => validation,
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &s[s.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

/// The client's IP: the socket peer, or the last `X-Forwarded-For` hop when
/// `CONFAB_TRUST_FORWARDED_FOR` is set (only behind a proxy you run).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        if app.config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientIp(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_field_errors() {
        let missing = data_error(
            "Failed to deserialize the JSON body into the target type: missing field `email` at line 1 column 2",
        );
        let Error::Validation { fields } = missing else {
            panic!("not a validation error")
        };
        assert_eq!(fields.get("email").map(|p| p.code), Some("required"));

        let unknown = data_error(
            "Failed to deserialize the JSON body into the target type: unknown field `admin`, expected one of `email` at line 1 column 9",
        );
        let Error::Validation { fields } = unknown else {
            panic!("not a validation error")
        };
        assert_eq!(fields.get("admin").map(|p| p.code), Some("unknown_field"));

        let typed = data_error(
            "Failed to deserialize the JSON body into the target type: password: invalid type: integer `5`, expected a string at line 1 column 14",
        );
        let Error::Validation { fields } = typed else {
            panic!("not a validation error")
        };
        assert_eq!(fields.get("password").map(|p| p.code), Some("invalid_type"));
    }
}

/// `?cursor=&limit=` for list routes: `limit` defaults to 50 and must be 1–200.
#[derive(Clone, Debug)]
pub struct Pagination {
    pub cursor: Option<String>,
    pub limit: i64,
}

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 200;

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl Pagination {
    /// The inputs a page depends on, for the page cache's key.
    pub fn cache_key(&self) -> String {
        format!("{}|{}", self.cursor.as_deref().unwrap_or(""), self.limit)
    }

    /// Rows to fetch: one more than the page, which tells whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// The cursor of a list keyed by row id (a UUID); anything else is a 400 on `cursor`.
    pub fn id_cursor(&self) -> Result<Option<Uuid>, Error> {
        self.cursor
            .as_deref()
            .map(|c| Uuid::parse_str(c).map_err(|_| Error::field("cursor", not_a_cursor())))
            .transpose()
    }

    /// A page from rows fetched with [`Pagination::fetch_limit`]: the extra row is dropped
    /// and `next_cursor` is the cursor of the last row kept, when more follow.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        cursor_of: impl Fn(&R) -> String,
        view: impl FnMut(R) -> T,
    ) -> Page<T> {
        let next_cursor = if rows.len() as i64 > self.limit {
            rows.truncate(self.limit as usize);
            rows.last().map(cursor_of)
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut cursor = None;
        let mut limit = DEFAULT_LIMIT;
        for (key, value) in form_pairs(&parts.uri)? {
            match key.as_str() {
                "cursor" if !value.is_empty() => cursor = Some(value),
                "limit" => {
                    limit = value
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            Error::field("limit", Problem::out_of_range(1, MAX_LIMIT))
                        })?;
                }
                _ => {}
            }
        }
        Ok(Pagination { cursor, limit })
    }
}

/// Decoded `key=value` pairs of a query string; a malformed one is a 400.
pub fn form_pairs(uri: &axum::http::Uri) -> Result<Vec<(String, String)>, Error> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|_| Error::BadRequest {
            code: "invalid_query",
            message: "the query string is malformed".into(),
        })
}

/// `invalid_format` on `cursor`: not a cursor this list gave out.
pub fn not_a_cursor() -> Problem {
    Problem::invalid_format("is not a cursor from this list")
}
