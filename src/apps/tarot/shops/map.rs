//! The map page: a tiny HTML document whose one inline script is allowed by its hash,
//! drawing the places with the Kakao Maps SDK.

use super::*;

/// The map page's one script: waits for the places from the UI (its parent), then draws
/// them with the Kakao Maps SDK; says so in text when the SDK did not load.
pub(super) const MAP_SCRIPT: &str = r#"(function () {
  var box = document.getElementById('map');
  var note = document.getElementById('note');
  function say(text) { note.textContent = text; note.hidden = false; }
  function num(v, lo, hi) { return typeof v === 'number' && isFinite(v) && v >= lo && v <= hi; }
  function draw(data) {
    if (!window.kakao || !kakao.maps) { say(data.failed || 'The map could not be loaded.'); return; }
    kakao.maps.load(function () {
      var center = new kakao.maps.LatLng(data.center.lat, data.center.lng);
      var map = new kakao.maps.Map(box, { center: center, level: 6 });
      var bounds = new kakao.maps.LatLngBounds();
      bounds.extend(center);
      data.places.slice(0, 15).forEach(function (p) {
        if (!num(p.lat, -90, 90) || !num(p.lng, -180, 180)) return;
        var pos = new kakao.maps.LatLng(p.lat, p.lng);
        new kakao.maps.Marker({ map: map, position: pos, title: String(p.name || '').slice(0, 100) });
        bounds.extend(pos);
      });
      if (data.places.length) map.setBounds(bounds);
    });
  }
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || event.origin !== location.origin) return;
    var data = event.data;
    if (!data || typeof data !== 'object' || !data.center || !Array.isArray(data.places)) return;
    if (!num(data.center.lat, -90, 90) || !num(data.center.lng, -180, 180)) return;
    draw(data);
  });
  window.parent.postMessage({ tarotMap: 'ready' }, '*');
})();"#;

pub(super) fn map_page(js_key: &str) -> (String, String) {
    let key: String = js_key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let hash =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(MAP_SCRIPT.as_bytes()));
    let csp = format!(
        "default-src 'none'; script-src 'sha256-{hash}' dapi.kakao.com t1.daumcdn.net; \
         img-src data: *.daumcdn.net *.kakao.com *.kakaocdn.net; style-src 'unsafe-inline'; \
         connect-src *.kakao.com *.daumcdn.net; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    );
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>map</title>\
         <style>html,body,#map{{margin:0;width:100%;height:100%}}#note{{position:absolute;top:8px;left:8px;right:8px;font:14px sans-serif;background:#fff;padding:8px;border-radius:6px}}</style></head>\
         <body><div id=\"map\"></div><p id=\"note\" hidden></p>\
         <script src=\"https://dapi.kakao.com/v2/maps/sdk.js?appkey={key}&amp;autoload=false\"></script>\
         <script>{MAP_SCRIPT}</script></body></html>"
    );
    (html, csp)
}
