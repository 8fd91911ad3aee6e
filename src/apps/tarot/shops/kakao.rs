//! The Kakao Local keyword search: the request with the server's REST key, the answer
//! read within a size cap, and Kakao's errors turned into what to fix.

use super::*;

#[derive(Deserialize)]
struct KakaoAnswer {
    documents: Vec<KakaoPlace>,
}

#[derive(Deserialize)]
struct KakaoPlace {
    #[serde(default)]
    id: String,
    #[serde(default)]
    place_name: String,
    #[serde(default)]
    category_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address_name: String,
    #[serde(default)]
    road_address_name: String,
    #[serde(default)]
    x: String,
    #[serde(default)]
    y: String,
    #[serde(default)]
    place_url: String,
    #[serde(default)]
    distance: String,
}

pub(super) fn upstream(message: &str) -> Error {
    Error::Upstream {
        timeout: false,
        message: message.to_owned(),
    }
}

/// Kakao's error answer, as a message that says what to fix (never the key).
pub(super) fn kakao_error(status: u16, body: &str) -> Error {
    let lower = body.to_lowercase();
    match status {
        401 => upstream("Kakao Local refused the REST API key: check CONFAB_KAKAO_REST_KEY"),
        403 if lower.contains("disabled") || lower.contains("open_map_and_local") => upstream(
            "Kakao Local is disabled for this app: turn on the Kakao Map (OPEN_MAP_AND_LOCAL) service in the Kakao developers console",
        ),
        403 => upstream(
            "Kakao Local denied the request: check the app's permissions in the Kakao developers console",
        ),
        429 => upstream("Kakao Local's request quota is used up; try again later"),
        s if s >= 500 => upstream("Kakao Local is unavailable; try again later"),
        _ => upstream("Kakao Local rejected the search"),
    }
}

pub(super) async fn read_capped(mut res: reqwest::Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|_| upstream("Kakao Local's answer was cut off"))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(upstream("Kakao Local's answer was too large"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub(super) async fn search(
    shops: &Shops,
    key: &Secret,
    lat: f64,
    lng: f64,
    radius: u32,
) -> Result<Vec<Shop>> {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/v2/local/search/keyword.json", shops.base),
        &[
            ("query", "타로".to_owned()),
            ("x", format!("{lng:.6}")),
            ("y", format!("{lat:.6}")),
            ("radius", radius.to_string()),
            ("sort", "distance".to_owned()),
            ("size", MAX_PLACES.to_string()),
        ],
    )
    .map_err(|_| Error::internal("CONFAB_KAKAO_LOCAL_URL is not a valid URL"))?;
    let res = shops
        .http
        .get(url)
        .header(header::AUTHORIZATION, format!("KakaoAK {}", key.expose()))
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                Error::Upstream {
                    timeout: true,
                    message: "Kakao Local did not answer in time".to_owned(),
                }
            } else {
                upstream("Kakao Local could not be reached")
            }
        })?;
    let status = res.status().as_u16();
    let body = read_capped(res).await?;
    if status != 200 {
        tracing::warn!(status, "kakao local search failed");
        return Err(kakao_error(status, &String::from_utf8_lossy(&body)));
    }
    let answer: KakaoAnswer = serde_json::from_slice(&body)
        .map_err(|_| upstream("Kakao Local sent an answer confab does not understand"))?;
    let mut places: Vec<Shop> = answer
        .documents
        .into_iter()
        .filter_map(|p| {
            let lng = p.x.trim().parse::<f64>().ok().filter(|v| v.is_finite())?;
            let lat = p.y.trim().parse::<f64>().ok().filter(|v| v.is_finite())?;
            Some(Shop {
                distance_m: p
                    .distance
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .unwrap_or(0.0),
                id: p.id,
                name: p.place_name,
                category: p.category_name,
                phone: p.phone,
                address: p.address_name,
                road_address: p.road_address_name,
                lat,
                lng,
                url: if p.place_url.starts_with("https://") || p.place_url.starts_with("http://") {
                    p.place_url
                } else {
                    String::new()
                },
            })
        })
        .collect();
    places.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    places.truncate(MAX_PLACES);
    Ok(places)
}
