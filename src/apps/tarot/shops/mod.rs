//! Nearby tarot shops: Kakao Local keyword search ("타로") proxied by the server, so the
//! REST key (`CONFAB_KAKAO_REST_KEY`) never leaves it; and the map page, served only when
//! `CONFAB_KAKAO_JS_KEY` is set.
//!
//! Up to 15 places sorted by distance within a radius of at most 20 km around the given
//! point, or Seoul City Hall when none is given. Answers are cached for a minute per
//! location rounded to about 100 m (and radius), so a page reload or several people in one
//! place cost Kakao one call. Kakao's failures become a 502 (a timeout a 504) whose message
//! says what to fix; without a key the route is a 503 `shops_not_configured`.
//!
//! The Kakao Maps SDK cannot run under the UI's CSP (`script-src 'self'`), so the map is a
//! page of its own (`/api/tarot/shops/map`) with a CSP that allows scripts only from
//! Kakao's hosts and its one inline script (by hash), embedded by the UI in a sandboxed
//! frame (`allow-scripts` only: an opaque origin with no access to the UI's storage). The
//! UI sends it the places with `postMessage`.

mod kakao;
mod map;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::extract::AuthUser;
use crate::config::{Config, Secret};
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::AppQuery;
use crate::state::AppState;
use kakao::search;
use map::map_page;

/// Seoul City Hall, the centre when the caller gives none.
pub const DEFAULT_CENTER: (f64, f64) = (37.5663, 126.9779);
/// Largest and default radius in metres (Kakao's own limit).
pub const MAX_RADIUS: u32 = 20_000;
/// Most places returned (Kakao's page size limit).
pub const MAX_PLACES: usize = 15;
const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX: usize = 2_000;
const MAX_ANSWER_BYTES: usize = 512 * 1024;

/// Cached answers by (lat × 1000, lng × 1000, radius), with when they were fetched.
type ShopCache = HashMap<(i64, i64, u32), (Instant, ShopList)>;

/// The shops client and its cache.
pub struct Shops {
    rest_key: Option<Secret>,
    js_key: Option<String>,
    base: String,
    http: reqwest::Client,
    cache: Mutex<ShopCache>,
    map_page: Option<(String, String)>,
}

impl Shops {
    pub fn new(config: &Config) -> Result<Shops> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(6))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::internal(format!("kakao http client: {e}")))?;
        let js_key = config.kakao_js_key.clone().filter(|k| !k.trim().is_empty());
        Ok(Shops {
            rest_key: config
                .kakao_rest_key
                .clone()
                .filter(|k| !k.expose().trim().is_empty()),
            map_page: js_key.as_deref().map(map_page),
            js_key,
            base: config
                .kakao_local_url
                .clone()
                .unwrap_or_else(|| "https://dapi.kakao.com".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            http,
            cache: Mutex::new(HashMap::new()),
        })
    }
}

/// `?lat=&lng=&radius=`.
#[derive(Debug, Deserialize)]
pub struct ShopsQuery {
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub radius: Option<String>,
}

/// A place.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Shop {
    /// Kakao's place id.
    pub id: String,
    pub name: String,
    pub category: String,
    pub phone: String,
    pub address: String,
    pub road_address: String,
    pub lat: f64,
    pub lng: f64,
    /// Metres from the centre.
    pub distance_m: f64,
    /// The place's page on Kakao Map.
    pub url: String,
}

/// Places around a point.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShopList {
    pub center: Center,
    /// Whether the centre is Seoul City Hall because no location was given.
    pub default_center: bool,
    pub radius_m: u32,
    /// Nearest first, at most 15.
    pub items: Vec<Shop>,
    /// Whether a map can be shown (`CONFAB_KAKAO_JS_KEY` is set): then embed
    /// `/api/tarot/shops/map` in a frame sandboxed with `allow-scripts`.
    pub map: bool,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Center {
    pub lat: f64,
    pub lng: f64,
}

fn coordinate(raw: &str, min: f64, max: f64, what: &str) -> std::result::Result<f64, Problem> {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(v),
        Ok(_) => Err(Problem::new(
            "out_of_range",
            format!("must be a {what} from {min} to {max}"),
        )),
        Err(_) => Err(Problem::invalid_format(format!(
            "must be a {what} in degrees"
        ))),
    }
}

/// The checked query: centre, whether it is the default, radius.
fn parse_query(q: &ShopsQuery) -> Result<(f64, f64, bool, u32)> {
    let mut fields = FieldErrors::new();
    let lat = q
        .lat
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| fields.check("lat", coordinate(s, -90.0, 90.0, "latitude")));
    let lng = q
        .lng
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| fields.check("lng", coordinate(s, -180.0, 180.0, "longitude")));
    let given = (
        q.lat.as_deref().is_some_and(|s| !s.is_empty()),
        q.lng.as_deref().is_some_and(|s| !s.is_empty()),
    );
    match given {
        (true, false) => fields.add("lng", Problem::new("required", "is required with lat")),
        (false, true) => fields.add("lat", Problem::new("required", "is required with lng")),
        _ => {}
    }
    let radius = match q.radius.as_deref().filter(|s| !s.is_empty()) {
        None => Some(MAX_RADIUS),
        Some(raw) => fields.check(
            "radius",
            raw.trim()
                .parse::<u32>()
                .ok()
                .filter(|r| (1..=MAX_RADIUS).contains(r))
                .ok_or_else(|| Problem::out_of_range(1, i64::from(MAX_RADIUS))),
        ),
    };
    fields.finish()?;
    let radius = radius.unwrap_or(MAX_RADIUS);
    Ok(match (lat, lng) {
        (Some(lat), Some(lng)) => (lat, lng, false, radius),
        _ => (DEFAULT_CENTER.0, DEFAULT_CENTER.1, true, radius),
    })
}

/// Tarot shops near you (or Seoul City Hall), nearest first, through Kakao Local.
#[utoipa::path(get, path = "/api/tarot/shops", tag = "tarot", security(("bearer" = [])),
    params(("lat" = Option<f64>, Query), ("lng" = Option<f64>, Query), ("radius" = Option<u32>, Query, description = "metres, 1–20000 (default 20000)")),
    responses((status = 200, body = ShopList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 503, body = ErrorBody), (status = 504, body = ErrorBody)))]
pub async fn list_shops(
    State(state): State<AppState>,
    _user: AuthUser,
    AppQuery(query): AppQuery<ShopsQuery>,
) -> Result<Json<ShopList>> {
    let (lat, lng, default_center, radius) = parse_query(&query)?;
    let shops = state.part::<Shops>()?;
    let Some(key) = &shops.rest_key else {
        return Err(Error::NotConfigured {
            code: "shops_not_configured",
            message:
                "nearby shops are not configured on this server (CONFAB_KAKAO_REST_KEY is not set)"
                    .to_owned(),
        });
    };
    let cache_key = (
        (lat * 1000.0).round() as i64,
        (lng * 1000.0).round() as i64,
        radius,
    );
    if let Ok(cache) = shops.cache.lock()
        && let Some((at, list)) = cache.get(&cache_key)
        && at.elapsed() < CACHE_TTL
    {
        return Ok(Json(list.clone()));
    }
    let items = search(shops, key, lat, lng, radius).await?;
    let list = ShopList {
        center: Center { lat, lng },
        default_center,
        radius_m: radius,
        items,
        map: shops.js_key.is_some(),
    };
    if let Ok(mut cache) = shops.cache.lock() {
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(cache_key, (Instant::now(), list.clone()));
    }
    Ok(Json(list))
}

/// The shops map page, for a frame sandboxed with `allow-scripts` (404 without
/// `CONFAB_KAKAO_JS_KEY`). Its CSP allows scripts only from Kakao's hosts.
#[utoipa::path(get, path = "/api/tarot/shops/map", tag = "tarot",
    responses((status = 200, content_type = "text/html"), (status = 404, body = ErrorBody)))]
pub async fn shops_map(State(state): State<AppState>) -> Result<Response> {
    let shops = state.part::<Shops>()?;
    let (html, csp) = shops.map_page.as_ref().ok_or(Error::NotFound)?;
    let mut res = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html.clone(),
    )
        .into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::kakao::kakao_error;
    use super::map::MAP_SCRIPT;
    use super::*;

    fn q(lat: Option<&str>, lng: Option<&str>, radius: Option<&str>) -> ShopsQuery {
        ShopsQuery {
            lat: lat.map(str::to_owned),
            lng: lng.map(str::to_owned),
            radius: radius.map(str::to_owned),
        }
    }

    #[test]
    fn no_location_means_seoul_city_hall_and_the_largest_radius() {
        let (lat, lng, default, radius) = parse_query(&q(None, None, None)).expect("ok");
        assert_eq!(
            (lat, lng, default, radius),
            (37.5663, 126.9779, true, 20_000)
        );
    }

    #[test]
    fn bad_coordinates_and_radii_name_their_field() {
        for (query, field) in [
            (q(Some("91"), Some("0"), None), "lat"),
            (q(Some("x"), Some("0"), None), "lat"),
            (q(Some("0"), Some("181"), None), "lng"),
            (q(Some("NaN"), Some("0"), None), "lat"),
            (q(Some("37.5"), None, None), "lng"),
            (q(None, Some("127"), None), "lat"),
            (q(None, None, Some("20001")), "radius"),
            (q(None, None, Some("0")), "radius"),
        ] {
            let Err(Error::Validation { fields }) = parse_query(&query) else {
                panic!("expected a validation error for {query:?}");
            };
            assert!(fields.contains(field), "{query:?}");
        }
    }

    #[test]
    fn kakao_errors_become_messages_that_say_what_to_fix() {
        let text = |e: Error| e.to_string();
        assert!(text(kakao_error(401, "")).contains("CONFAB_KAKAO_REST_KEY"));
        assert!(text(kakao_error(403, r#"{"errorType":"AccessDeniedError","message":"App(1) disabled OPEN_MAP_AND_LOCAL service."}"#)).contains("disabled"));
        assert!(text(kakao_error(429, "")).contains("quota"));
    }

    #[test]
    fn the_map_page_allows_only_kakao_scripts_and_its_own() {
        let (html, csp) = map_page("abc123<script>");
        assert!(html.contains("appkey=abc123script&amp;"));
        assert!(csp.contains("script-src 'sha256-"));
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src *"));
        assert!(html.contains(MAP_SCRIPT));
    }
}
