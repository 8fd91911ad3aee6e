//! Tarot: the encyclopedia and card images (public), shuffles and readings (validated
//! against the latest deal, one `tarot` slot each, offline or from a fake model), the
//! archive and its ownership, and nearby shops through a fake Kakao Local server.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::fake_kakao::{FakeKakao, KakaoBehavior, REST_KEY};
use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{
    Backend, TestApp, Tokens, body_json, spawn_app, spawn_app_with, spawn_app_with_openai,
};
use crate::on_both_backends;
use confab::config::Secret;

on_both_backends!(
    the_deck_lists_78_cards_in_order_to_anyone,
    a_card_has_both_languages_and_an_unknown_number_is_404,
    a_card_face_is_safe_svg_in_the_asked_language_with_an_etag,
    shuffling_deals_30_distinct_cards_to_a_member_only,
    a_reading_of_five_dealt_cards_has_every_section_and_costs_one_slot,
    repeated_undealt_unknown_or_miscounted_cards_are_400s_that_cost_nothing,
    cards_of_an_earlier_shuffle_are_not_dealt_any_more,
    a_bad_subject_concern_or_language_is_a_400_naming_the_field_and_costs_nothing,
    the_same_cards_and_question_read_the_same_offline,
    an_english_reading_is_in_english,
    readings_are_listed_newest_first_reopened_and_deleted,
    another_users_reading_is_404_and_missing_from_their_list,
    a_sixth_reading_in_a_day_is_a_429_on_the_tarot_scope,
    with_a_model_the_reading_comes_from_its_structured_output,
    when_the_model_answers_badly_or_fails_the_reading_is_composed_offline,
    without_a_kakao_key_shops_are_not_configured,
    shops_come_from_kakao_nearest_first_with_numbers_and_no_key_in_sight,
    no_location_searches_around_seoul_city_hall,
    kakao_failures_are_502s_that_say_what_to_fix,
    shops_are_cached_briefly_per_rounded_location,
    bad_coordinates_are_400s_naming_the_field,
    the_map_page_exists_only_with_a_js_key_and_has_its_own_csp,
);

/// The whole error envelope of a response.
async fn envelope(res: reqwest::Response) -> Value {
    let body: Value = res.json().await.expect("error body is JSON");
    assert!(
        body["error"]["code"].is_string() && body["error"]["message"].is_string(),
        "{body}"
    );
    body
}

async fn shuffle(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app.get("/api/tarot/shuffle", Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    body_json(res).await["cards"]
        .as_array()
        .expect("cards")
        .clone()
}

fn reading_body(subject: &str, cards: &[Value]) -> Value {
    json!({"subject": subject, "concern": "이직을 해도 괜찮을까요?", "cards": cards})
}

async fn read(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json("/api/tarot/readings", body, Some(token))
        .await
}

/// A member with a fresh deal: (tokens, the first five dealt cards).
async fn dealt_member(app: &TestApp, name: &str) -> (Tokens, Vec<Value>) {
    let me = app.member(name).await;
    let deal = shuffle(app, &me.access).await;
    (me, deal[..5].to_vec())
}

async fn a_reading(app: &TestApp, token: &str, cards: &[Value]) -> Value {
    let res = read(app, token, reading_body("career", cards)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    body_json(res).await
}

async fn the_deck_lists_78_cards_in_order_to_anyone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/api/tarot/cards", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()[header::ETAG]
        .to_str()
        .expect("etag")
        .to_owned();
    let list = body_json(res).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 78);
    for (i, c) in items.iter().enumerate() {
        assert_eq!(c["num"], i);
        assert!(c["name"]["ko"].is_string() && c["name"]["en"].is_string());
    }
    assert_eq!(items[0]["name"]["en"], "The Fool");
    assert_eq!(items[22]["name"]["en"], "Ace of Wands");
    assert_eq!(items[77]["suit"], "pentacles");
    assert!(list["next_cursor"].is_null());
    let again = app
        .client
        .get(app.url("/api/tarot/cards"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

async fn a_card_has_both_languages_and_an_unknown_number_is_404(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let card = body_json(app.get("/api/tarot/cards/46", None).await).await;
    assert_eq!(card["name"]["en"], "Page of Cups");
    for side in ["upright", "reversed"] {
        assert!(!card["meaning"][side]["ko"].as_str().expect("ko").is_empty());
        assert!(!card["meaning"][side]["en"].as_str().expect("en").is_empty());
    }
    assert!(
        card["explanation"]["ko"]
            .as_array()
            .expect("paragraphs")
            .len()
            >= 2
    );
    for path in [
        "/api/tarot/cards/78",
        "/api/tarot/cards/-1",
        "/api/tarot/cards/abc",
        "/api/tarot/cards/78/image.svg",
    ] {
        assert_eq!(
            app.get(path, None).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

async fn a_card_face_is_safe_svg_in_the_asked_language_with_an_etag(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/api/tarot/cards/0/image.svg?lang=en", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/svg+xml");
    let etag = res.headers()[header::ETAG]
        .to_str()
        .expect("etag")
        .to_owned();
    let svg = res.text().await.expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("The Fool"));
    assert!(!svg.contains("<script") && !svg.contains("javascript:"));
    assert_eq!(svg.matches("http").count(), 1, "only the xmlns: {svg}");
    let ko = app.get("/api/tarot/cards/0/image.svg?lang=ko", None).await;
    let ko_etag = ko.headers()[header::ETAG]
        .to_str()
        .expect("etag")
        .to_owned();
    assert!(ko.text().await.expect("svg").contains("바보"));
    assert_ne!(etag, ko_etag);
    let cached = app
        .client
        .get(app.url("/api/tarot/cards/0/image.svg?lang=en"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    let back = app.get("/api/tarot/back.svg", None).await;
    assert_eq!(back.status(), StatusCode::OK);
    assert!(back.headers().contains_key(header::ETAG));
    let body = envelope(app.get("/api/tarot/cards/0/image.svg?lang=fr", None).await).await;
    let code = body["error"]["code"].clone();
    assert_eq!(code, "validation_failed");
    assert_eq!(body["error"]["field_codes"]["lang"], "not_one_of");
}

async fn shuffling_deals_30_distinct_cards_to_a_member_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    assert_eq!(
        app.get("/api/tarot/shuffle", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let me = app.member("shuffler").await;
    let res = app.get("/api/tarot/shuffle", Some(&me.access)).await;
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let deal = body_json(res).await["cards"]
        .as_array()
        .expect("cards")
        .clone();
    assert_eq!(deal.len(), 30);
    let nums: std::collections::HashSet<i64> = deal
        .iter()
        .map(|c| c["num"].as_i64().expect("num"))
        .collect();
    assert_eq!(nums.len(), 30);
    assert!(nums.iter().all(|n| (0..78).contains(n)));
    assert!(deal.iter().all(|c| c["reversed"].is_boolean()));
    let other = shuffle(&app, &me.access).await;
    assert_ne!(deal, other, "two shuffles in a row differ");
}

async fn a_reading_of_five_dealt_cards_has_every_section_and_costs_one_slot(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (me, cards) = dealt_member(&app, "reader").await;
    let res = read(&app, &me.access, reading_body("love", &cards)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["ratelimit-remaining"], "4");
    let reading = body_json(res).await;
    assert_eq!(reading["subject"], "love");
    assert_eq!(reading["source"], "offline");
    assert_eq!(reading["language"], "ko");
    let positions: Vec<&str> = reading["cards"]
        .as_array()
        .expect("cards")
        .iter()
        .map(|c| c["position"].as_str().expect("position"))
        .collect();
    assert_eq!(
        positions,
        ["past", "present", "future", "advice-1", "advice-2"]
    );
    for (given, got) in cards
        .iter()
        .zip(reading["cards"].as_array().expect("cards"))
    {
        assert_eq!(given["num"], got["num"]);
        assert_eq!(given["reversed"], got["reversed"]);
        assert!(
            got["image"]
                .as_str()
                .expect("image")
                .ends_with("image.svg?lang=ko")
        );
    }
    let mut paragraphs = Vec::new();
    for section in [
        "greeting",
        "past",
        "present",
        "future",
        "advice",
        "conclusion",
    ] {
        let text = reading["sections"][section].as_str().expect("section");
        assert!(text.chars().count() > 40, "{section}: {text}");
        paragraphs.extend(text.split("\n\n").map(str::to_owned));
    }
    let unique: std::collections::HashSet<&String> = paragraphs.iter().collect();
    assert_eq!(unique.len(), paragraphs.len(), "no paragraph twice");
    assert!(
        reading["sections"]["greeting"]
            .as_str()
            .expect("g")
            .contains("이직을 해도 괜찮을까요?")
    );
    assert_eq!(app.quota_used(&me.access, "tarot").await, 1);
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn repeated_undealt_unknown_or_miscounted_cards_are_400s_that_cost_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("cheater").await;
    // Before any shuffle nothing is dealt.
    let never: Vec<Value> = (0..5)
        .map(|n| json!({"num": n, "reversed": false}))
        .collect();
    let body = envelope(read(&app, &me.access, reading_body("love", &never)).await).await;
    assert_eq!(body["error"]["field_codes"]["cards"], "not_dealt");

    let deal = shuffle(&app, &me.access).await;
    let dealt: std::collections::HashSet<i64> = deal
        .iter()
        .map(|c| c["num"].as_i64().expect("num"))
        .collect();
    let undealt = (0..78)
        .find(|n| !dealt.contains(n))
        .expect("48 undealt cards");
    let five = deal[..5].to_vec();
    let mut repeated = five.clone();
    repeated[4] = repeated[0].clone();
    let mut unknown = five.clone();
    unknown[2] = json!({"num": 78, "reversed": false});
    let mut not_dealt = five.clone();
    not_dealt[1] = json!({"num": undealt, "reversed": false});
    let mut flipped = five.clone();
    flipped[3]["reversed"] = json!(!five[3]["reversed"].as_bool().expect("bool"));
    let cases = [
        (repeated, "repeated_card"),
        (unknown, "unknown_card"),
        (not_dealt, "not_dealt"),
        (flipped, "not_dealt"),
        (deal[..4].to_vec(), "wrong_count"),
        (deal[..6].to_vec(), "wrong_count"),
        (Vec::new(), "wrong_count"),
    ];
    for (cards, code) in cases {
        let res = read(&app, &me.access, reading_body("love", &cards)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{code}");
        let body = envelope(res).await;
        assert_eq!(body["error"]["field_codes"]["cards"], code, "{body}");
    }
    let res = read(
        &app,
        &me.access,
        json!({"subject": "love", "concern": "q", "cards": [{"num": "1", "reversed": false}]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.quota_used(&me.access, "tarot").await, 0);
    let list = app.get_json("/api/tarot/readings", &me.access).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 0);
}

async fn cards_of_an_earlier_shuffle_are_not_dealt_any_more(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("reshuffler").await;
    let first = shuffle(&app, &me.access).await;
    let second = shuffle(&app, &me.access).await;
    let old: Vec<Value> = first
        .iter()
        .filter(|c| !second.contains(c))
        .take(5)
        .cloned()
        .collect();
    assert_eq!(
        old.len(),
        5,
        "two deals of 30 from 78 leave five cards of the first only"
    );
    let body = envelope(read(&app, &me.access, reading_body("money", &old)).await).await;
    assert_eq!(body["error"]["field_codes"]["cards"], "not_dealt");
    assert_eq!(app.quota_used(&me.access, "tarot").await, 0);
}

async fn a_bad_subject_concern_or_language_is_a_400_naming_the_field_and_costs_nothing(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (me, cards) = dealt_member(&app, "sloppy").await;
    let long = "가".repeat(501);
    let cases = [
        (
            json!({"subject": "fortune", "concern": "q", "cards": cards}),
            "subject",
            "not_one_of",
        ),
        (
            json!({"subject": "love", "concern": "   ", "cards": cards}),
            "concern",
            "required",
        ),
        (
            json!({"subject": "love", "concern": long, "cards": cards}),
            "concern",
            "too_long",
        ),
        (
            json!({"subject": "love", "concern": "a\u{7}b", "cards": cards}),
            "concern",
            "control_chars",
        ),
        (
            json!({"subject": "love", "concern": "q", "cards": cards, "language": "fr"}),
            "language",
            "not_one_of",
        ),
        (
            json!({"subject": "love", "concern": "q", "cards": cards, "owner": "x"}),
            "owner",
            "unknown_field",
        ),
        (
            json!({"concern": "q", "cards": cards}),
            "subject",
            "required",
        ),
    ];
    for (body, field, code) in cases {
        let res = read(&app, &me.access, body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{field}");
        let body = envelope(res).await;
        assert_eq!(body["error"]["field_codes"][field], code, "{body}");
    }
    assert_eq!(app.quota_used(&me.access, "tarot").await, 0);
}

async fn the_same_cards_and_question_read_the_same_offline(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (me, cards) = dealt_member(&app, "twice").await;
    let a = a_reading(&app, &me.access, &cards).await;
    let b = a_reading(&app, &me.access, &cards).await;
    assert_ne!(a["id"], b["id"]);
    assert_eq!(a["sections"], b["sections"]);
    let res = read(&app, &me.access, reading_body("health", &cards)).await;
    let c = body_json(res).await;
    assert_ne!(
        a["sections"]["past"], c["sections"]["past"],
        "each subject has its own angle"
    );
}

async fn an_english_reading_is_in_english(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (me, cards) = dealt_member(&app, "english").await;
    let body = json!({"subject": "today", "concern": "Should I call her?", "cards": cards, "language": "en"});
    let reading = body_json(read(&app, &me.access, body).await).await;
    assert_eq!(reading["language"], "en");
    for section in ["past", "present", "future", "advice", "conclusion"] {
        let text = reading["sections"][section].as_str().expect("section");
        assert!(
            !text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)),
            "{section}: {text}"
        );
    }
    assert!(
        reading["cards"][0]["image"]
            .as_str()
            .expect("image")
            .ends_with("lang=en")
    );
}

async fn readings_are_listed_newest_first_reopened_and_deleted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (me, cards) = dealt_member(&app, "archivist").await;
    let first = a_reading(&app, &me.access, &cards).await;
    let second = a_reading(&app, &me.access, &cards).await;
    let list = app
        .get_json("/api/tarot/readings?limit=1", &me.access)
        .await;
    assert_eq!(list["items"][0]["id"], second["id"]);
    assert!(list["items"][0].get("sections").is_none());
    assert_eq!(
        list["items"][0]["cards"].as_array().expect("cards").len(),
        5
    );
    let cursor = list["next_cursor"].as_str().expect("cursor");
    let rest = app
        .get_json(
            &format!("/api/tarot/readings?limit=1&cursor={cursor}"),
            &me.access,
        )
        .await;
    assert_eq!(rest["items"][0]["id"], first["id"]);
    assert!(rest["next_cursor"].is_null());
    let id = first["id"].as_str().expect("id");
    let reopened = app
        .get_json(&format!("/api/tarot/readings/{id}"), &me.access)
        .await;
    assert_eq!(reopened["sections"], first["sections"]);
    assert_eq!(reopened["cards"], first["cards"]);
    let res = app
        .delete(&format!("/api/tarot/readings/{id}"), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for res in [
        app.get(&format!("/api/tarot/readings/{id}"), Some(&me.access))
            .await,
        app.delete(&format!("/api/tarot/readings/{id}"), &me.access)
            .await,
        app.get("/api/tarot/readings/not-an-id", Some(&me.access))
            .await,
    ] {
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let body = envelope(
        app.get("/api/tarot/readings?cursor=zzz", Some(&me.access))
            .await,
    )
    .await;
    assert_eq!(body["error"]["field_codes"]["cursor"], "invalid_format");
    let res = app
        .get("/api/tarot/readings?limit=201", Some(&me.access))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

async fn another_users_reading_is_404_and_missing_from_their_list(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (owner, cards) = dealt_member(&app, "owner").await;
    let reading = a_reading(&app, &owner.access, &cards).await;
    let id = reading["id"].as_str().expect("id");
    let other = app.member("snoop").await;
    app.assert_not_found_for(
        &other.access,
        vec![
            (Method::GET, format!("/api/tarot/readings/{id}"), None),
            (Method::DELETE, format!("/api/tarot/readings/{id}"), None),
        ],
        "이직을",
    )
    .await;
    let list = app.get_json("/api/tarot/readings", &other.access).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 0);
    // The other user cannot read with the owner's deal either.
    shuffle(&app, &other.access).await;
    let res = read(&app, &other.access, reading_body("love", &cards)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let still = app
        .get_json(&format!("/api/tarot/readings/{id}"), &owner.access)
        .await;
    assert_eq!(still["id"], reading["id"]);
    assert_eq!(
        app.get("/api/tarot/readings", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_sixth_reading_in_a_day_is_a_429_on_the_tarot_scope(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (me, cards) = dealt_member(&app, "eager").await;
    for _ in 0..5 {
        a_reading(&app, &me.access, &cards).await;
    }
    let res = read(&app, &me.access, reading_body("career", &cards)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    let body = envelope(res).await;
    let code = body["error"]["code"].clone();
    assert_eq!(code, "quota_exceeded");
    assert_eq!(body["error"]["scope"], "tarot");
    let list = app.get_json("/api/tarot/readings", &me.access).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 5);
}

fn model_sections() -> Value {
    json!({
        "greeting": "Welcome to the model's reading.",
        "past": "The past card speaks of an ending.",
        "present": "The present card speaks of a choice.",
        "future": "The future card speaks of growth.",
        "advice": "Be patient and kind to yourself.",
        "conclusion": "All will be well in time."
    })
}

async fn with_a_model(backend: Backend) -> Option<(TestApp, FakeUpstream, Tokens, Vec<Value>)> {
    let fake = FakeUpstream::start(Behavior::default()).await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), |c| {
        c.set_quota_limit("tarot", 0)
    })
    .await?;
    let (me, cards) = dealt_member(&app, "modelreader").await;
    Some((app, fake, me, cards))
}

async fn with_a_model_the_reading_comes_from_its_structured_output(backend: Backend) {
    let Some((app, fake, me, cards)) = with_a_model(backend).await else {
        return;
    };
    fake.set(Behavior::reply(model_sections().to_string()));
    let body =
        json!({"subject": "study", "concern": "Will I pass?", "cards": cards, "language": "en"});
    let reading = body_json(read(&app, &me.access, body).await).await;
    assert_eq!(reading["source"], "llm");
    assert_eq!(reading["sections"], model_sections());
    let request = fake.last_request().expect("request");
    assert_eq!(request["response_format"]["type"], "json_schema");
    let prompt = request["messages"].to_string();
    assert!(prompt.contains("Will I pass?"));
    let first = cards[0]["num"].as_i64().expect("num");
    let name =
        body_json(app.get(&format!("/api/tarot/cards/{first}"), None).await).await["name"]["en"]
            .as_str()
            .expect("name")
            .to_owned();
    assert!(prompt.contains(&name), "the prompt names the cards");
    assert_eq!(app.quota_used(&me.access, "tarot").await, 1);
}

async fn when_the_model_answers_badly_or_fails_the_reading_is_composed_offline(backend: Backend) {
    let Some((app, fake, me, cards)) = with_a_model(backend).await else {
        return;
    };
    let mut missing = model_sections();
    missing.as_object_mut().map(|o| o.remove("future"));
    let mut repeated = model_sections();
    repeated["present"] = repeated["past"].clone();
    for behavior in [
        Behavior::reply("The cards say yes."),
        Behavior::reply(missing.to_string()),
        Behavior::reply(repeated.to_string()),
        Behavior::fault(Fault::MalformedChunk(0)),
        Behavior::fault(Fault::Status(500)),
        Behavior::fault(Fault::HangBeforeHeaders),
    ] {
        fake.set(behavior.clone());
        let res = read(&app, &me.access, reading_body("money", &cards)).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{behavior:?}");
        let text = res.text().await.expect("body");
        assert!(!text.contains("sk-test-secret-key") && !text.contains("127.0.0.1"));
        let reading: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(reading["source"], "offline", "{behavior:?}");
        assert!(
            !reading["sections"]["future"]
                .as_str()
                .expect("future")
                .is_empty()
        );
    }
}

async fn with_kakao(
    backend: Backend,
    behavior: KakaoBehavior,
    js_key: Option<&str>,
) -> Option<(TestApp, FakeKakao, Tokens)> {
    let fake = FakeKakao::start(behavior).await;
    let base = fake.base_url();
    let js = js_key.map(str::to_owned);
    let app = spawn_app_with(backend, move |c| {
        c.kakao_rest_key = Some(Secret::new(REST_KEY));
        c.kakao_local_url = Some(base);
        c.kakao_js_key = js;
    })
    .await?;
    let me = app.member("seeker").await;
    Some((app, fake, me))
}

async fn without_a_kakao_key_shops_are_not_configured(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("nokey").await;
    let res = app.get("/api/tarot/shops", Some(&me.access)).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = envelope(res).await;
    let code = body["error"]["code"].clone();
    assert_eq!(code, "shops_not_configured");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("m")
            .contains("not configured")
    );
    assert_eq!(
        app.get("/api/tarot/shops", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn shops_come_from_kakao_nearest_first_with_numbers_and_no_key_in_sight(backend: Backend) {
    let Some((app, fake, me)) = with_kakao(backend, KakaoBehavior::Places(20), None).await else {
        return;
    };
    let res = app
        .get("/api/tarot/shops?lat=37.5&lng=127.03", Some(&me.access))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.expect("body");
    assert!(!text.contains(REST_KEY));
    let list: Value = serde_json::from_str(&text).expect("json");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 15);
    let distances: Vec<f64> = items
        .iter()
        .map(|s| s["distance_m"].as_f64().expect("number"))
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(items[0]["lat"].is_f64() && items[0]["lng"].is_f64());
    assert_eq!(items[0]["name"], "타로 카페 14");
    assert_eq!(list["center"]["lat"], 37.5);
    assert_eq!(list["default_center"], false);
    assert_eq!(list["map"], false);
    let q = fake.last_query().expect("query");
    assert_eq!(q["query"], "타로");
    assert_eq!(q["sort"], "distance");
    assert_eq!(q["size"], "15");
    assert_eq!(q["radius"], "20000");
    assert_eq!(q["x"].parse::<f64>().expect("x"), 127.03);
}

async fn no_location_searches_around_seoul_city_hall(backend: Backend) {
    let Some((app, fake, me)) = with_kakao(backend, KakaoBehavior::Places(3), None).await else {
        return;
    };
    let list = app.get_json("/api/tarot/shops", &me.access).await;
    assert_eq!(list["default_center"], true);
    assert_eq!(list["center"], json!({"lat": 37.5663, "lng": 126.9779}));
    let q = fake.last_query().expect("query");
    assert_eq!(q["y"].parse::<f64>().expect("y"), 37.5663);
    assert_eq!(q["x"].parse::<f64>().expect("x"), 126.9779);
    let small = app
        .get_json("/api/tarot/shops?radius=500", &me.access)
        .await;
    assert_eq!(small["radius_m"], 500);
}

async fn kakao_failures_are_502s_that_say_what_to_fix(backend: Backend) {
    let Some((app, fake, me)) = with_kakao(backend, KakaoBehavior::Status(401), None).await else {
        return;
    };
    let cases = [
        (KakaoBehavior::Status(401), "CONFAB_KAKAO_REST_KEY"),
        (KakaoBehavior::Disabled, "disabled"),
        (KakaoBehavior::Status(429), "quota"),
        (KakaoBehavior::Status(500), "unavailable"),
        (KakaoBehavior::Garbage, "does not understand"),
    ];
    for (i, (behavior, words)) in cases.into_iter().enumerate() {
        fake.set(behavior.clone());
        // A different place each time, so no answer comes from the cache.
        let path = format!("/api/tarot/shops?lat=35.{i}&lng=129.0");
        let res = app.get(&path, Some(&me.access)).await;
        assert_eq!(res.status(), StatusCode::BAD_GATEWAY, "{behavior:?}");
        let text = res.text().await.expect("body");
        assert!(
            !text.contains(REST_KEY) && !text.contains("127.0.0.1"),
            "{text}"
        );
        let body: Value = serde_json::from_str(&text).expect("json");
        assert!(
            body["error"]["message"]
                .as_str()
                .expect("m")
                .contains(words),
            "{body}"
        );
    }
    // Failures are not cached: once Kakao recovers, the same place answers.
    fake.set(KakaoBehavior::Places(2));
    let list = app
        .get_json("/api/tarot/shops?lat=35.0&lng=129.0", &me.access)
        .await;
    assert_eq!(list["items"].as_array().expect("items").len(), 2);
}

async fn shops_are_cached_briefly_per_rounded_location(backend: Backend) {
    let Some((app, fake, me)) = with_kakao(backend, KakaoBehavior::Places(4), None).await else {
        return;
    };
    app.get_json("/api/tarot/shops?lat=37.50001&lng=127.00001", &me.access)
        .await;
    app.get_json("/api/tarot/shops?lat=37.50004&lng=127.00002", &me.access)
        .await;
    assert_eq!(
        fake.calls(),
        1,
        "a nearby point within the rounding is served from the cache"
    );
    app.get_json("/api/tarot/shops?lat=37.51&lng=127.0", &me.access)
        .await;
    assert_eq!(fake.calls(), 2);
}

async fn bad_coordinates_are_400s_naming_the_field(backend: Backend) {
    let Some((app, fake, me)) = with_kakao(backend, KakaoBehavior::Places(1), None).await else {
        return;
    };
    for (query, field, code) in [
        ("lat=91&lng=0", "lat", "out_of_range"),
        ("lat=abc&lng=0", "lat", "invalid_format"),
        ("lat=1&lng=-181", "lng", "out_of_range"),
        ("lat=37.5", "lng", "required"),
        ("radius=20001", "radius", "out_of_range"),
    ] {
        let res = app
            .get(&format!("/api/tarot/shops?{query}"), Some(&me.access))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        let body = envelope(res).await;
        assert_eq!(body["error"]["field_codes"][field], code, "{query}: {body}");
    }
    assert_eq!(fake.calls(), 0);
}

async fn the_map_page_exists_only_with_a_js_key_and_has_its_own_csp(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    assert_eq!(
        app.get("/api/tarot/shops/map", None).await.status(),
        StatusCode::NOT_FOUND
    );
    drop(app);
    let Some((app, _fake, me)) =
        with_kakao(backend, KakaoBehavior::Places(1), Some("jskey123")).await
    else {
        return;
    };
    let list = app.get_json("/api/tarot/shops", &me.access).await;
    assert_eq!(list["map"], true);
    let res = app.get("/api/tarot/shops/map", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("script-src 'sha256-") && csp.contains("dapi.kakao.com"));
    assert!(csp.contains("frame-ancestors 'self'"));
    assert!(!csp.contains("'unsafe-inline' dapi") && !csp.contains("script-src 'self'"));
    assert_eq!(res.headers()[header::X_FRAME_OPTIONS], "SAMEORIGIN");
    let html = res.text().await.expect("html");
    assert!(html.contains("appkey=jskey123"));
    assert!(!html.contains(REST_KEY));
}
