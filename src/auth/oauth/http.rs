//! The HTTP client of social login: our reqwest 0.13 client (redirects never followed,
//! short timeouts, capped bodies) and the adapter that lets the `oauth2` crate use it
//! (its own built-in client is reqwest 0.12).
//!
//! Errors name only a kind: reqwest's `Display` includes the URL, and a provider's answer
//! may carry a code or a token, so neither is ever printed.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::http;
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

/// The largest answer read from a provider.
pub const MAX_BODY: usize = 256 * 1024;

/// What went wrong talking to a provider, without URL, code or token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the provider could not be reached")]
    Connect,
    #[error("the provider did not answer in time")]
    Timeout,
    #[error("the provider's answer was too large")]
    TooLarge,
    #[error("the provider's answer could not be read")]
    Body,
    #[error("the request could not be built")]
    Build,
}

fn kind(err: &reqwest::Error) -> FetchError {
    if err.is_timeout() {
        FetchError::Timeout
    } else if err.is_connect() || err.is_request() {
        FetchError::Connect
    } else if err.is_builder() {
        FetchError::Build
    } else {
        FetchError::Body
    }
}

/// The client for provider calls, made once at start-up.
#[derive(Clone, Debug)]
pub struct OAuthHttp {
    client: reqwest::Client,
}

impl OAuthHttp {
    pub fn new() -> Result<OAuthHttp, FetchError> {
        let client = reqwest::Client::builder()
            // A provider's redirect could send the code or the token somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("confab/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| FetchError::Build)?;
        Ok(OAuthHttp { client })
    }

    /// Sends `request` and reads at most [`MAX_BODY`] bytes of the answer.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(http::StatusCode, http::HeaderMap, Vec<u8>), FetchError> {
        let mut response = request.send().await.map_err(|e| kind(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| kind(&e))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, headers, body))
    }

    /// A GET with a bearer token, answering JSON.
    pub async fn get_json(
        &self,
        url: &str,
        access_token: &str,
        extra: &[(&str, &str)],
    ) -> Result<(http::StatusCode, Vec<u8>), FetchError> {
        let mut request = self
            .client
            .get(url)
            .bearer_auth(access_token)
            .header(http::header::ACCEPT, "application/json");
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let (status, _, body) = self.send(request).await?;
        Ok((status, body))
    }
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = FetchError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, FetchError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = parts.uri.to_string();
            let mut builder = self.client.request(parts.method, url).body(body);
            for (name, value) in &parts.headers {
                builder = builder.header(name, value);
            }
            let (mut status, headers, body) = self.send(builder).await?;
            // GitHub answers a bad code with HTTP 200 and an error body; as a 400 the oauth2
            // crate reads it as the error response it is.
            if status == http::StatusCode::OK && is_error_body(&body) {
                status = http::StatusCode::BAD_REQUEST;
            }
            let mut response = http::Response::new(body);
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            Ok(response)
        })
    }
}

/// A JSON object with an `error` member and no `access_token`.
fn is_error_body(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        error: Option<serde_json::Value>,
        access_token: Option<serde_json::Value>,
    }
    serde_json::from_slice::<Probe>(body)
        .is_ok_and(|p| p.error.is_some() && p.access_token.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_is_told_from_a_token_body() {
        assert!(is_error_body(
            br#"{"error":"bad_verification_code","error_description":"x"}"#
        ));
        assert!(!is_error_body(
            br#"{"access_token":"t","token_type":"bearer"}"#
        ));
        assert!(!is_error_body(b"not json"));
    }
}
