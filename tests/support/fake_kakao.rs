#![allow(dead_code)]
//! A fake Kakao Local API speaking real HTTP on a local port:
//! `GET /v2/local/search/keyword.json` answers with places in Kakao's format (coordinates
//! and distances as strings), or with one of Kakao's failures, as told with
//! [`FakeKakao::set`]. It checks the `KakaoAK` key and records each query.
//!
//! Self-contained: included with `#[path = ...] mod fake_kakao;`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The REST key the fake accepts (tests check it never leaks).
pub const REST_KEY: &str = "fake-kakao-rest-key-9d2c";

/// How the fake answers.
#[derive(Clone, Debug)]
pub enum KakaoBehavior {
    /// `n` places, nearest last (the server must sort them).
    Places(usize),
    /// An error status with Kakao's error body.
    Status(u16),
    /// 403 "disabled OPEN_MAP_AND_LOCAL service".
    Disabled,
    /// 200 with a body that is not Kakao's.
    Garbage,
}

#[derive(Default)]
struct Inner {
    behavior: Option<KakaoBehavior>,
    calls: usize,
    queries: Vec<HashMap<String, String>>,
}

#[derive(Clone)]
pub struct FakeKakao {
    addr: std::net::SocketAddr,
    inner: Arc<Mutex<Inner>>,
    _server: Arc<JoinHandle<()>>,
}

impl FakeKakao {
    pub async fn start(behavior: KakaoBehavior) -> FakeKakao {
        let inner = Arc::new(Mutex::new(Inner {
            behavior: Some(behavior),
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/v2/local/search/keyword.json", get(search))
            .with_state(inner.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeKakao {
            addr,
            inner,
            _server: Arc::new(server),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, behavior: KakaoBehavior) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .behavior = Some(behavior);
    }

    pub fn calls(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .calls
    }

    pub fn last_query(&self) -> Option<HashMap<String, String>> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .queries
            .last()
            .cloned()
    }
}

fn place(i: usize) -> Value {
    json!({
        "id": format!("{}", 1000 + i),
        "place_name": format!("타로 카페 {i}"),
        "category_name": "서비스,산업 > 운세,사주",
        "category_group_code": "",
        "category_group_name": "",
        "phone": "02-000-0000",
        "address_name": "서울 중구 태평로1가 31",
        "road_address_name": "서울 중구 세종대로 110",
        "x": format!("{:.6}", 126.9779 + i as f64 * 0.001),
        "y": format!("{:.6}", 37.5663 + i as f64 * 0.001),
        "place_url": format!("http://place.map.kakao.com/{}", 1000 + i),
        "distance": format!("{}", 1000 - i * 10),
    })
}

async fn search(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let behavior = {
        let mut inner = inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.calls += 1;
        inner.queries.push(query.clone());
        inner.behavior.clone()
    };
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth != format!("KakaoAK {REST_KEY}") {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"errorType": "AccessDeniedError", "message": "wrong appKey format"})),
        )
            .into_response();
    }
    match behavior.unwrap_or(KakaoBehavior::Places(0)) {
        KakaoBehavior::Places(n) => {
            let size: usize = query.get("size").and_then(|s| s.parse().ok()).unwrap_or(15);
            let docs: Vec<Value> = (0..n.min(size)).map(place).collect();
            axum::Json(json!({
                "meta": {"total_count": n, "pageable_count": n, "is_end": true},
                "documents": docs
            }))
            .into_response()
        }
        KakaoBehavior::Status(status) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            axum::Json(json!({"errorType": "RequestThrottled", "message": "API limit has been exceeded."})),
        )
            .into_response(),
        KakaoBehavior::Disabled => (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"errorType": "AccessDeniedError", "message": "App(12345) disabled OPEN_MAP_AND_LOCAL service."})),
        )
            .into_response(),
        KakaoBehavior::Garbage => "<html>not json</html>".into_response(),
    }
}
