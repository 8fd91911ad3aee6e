//! The Singapore travel planner: options and dataset, plans (validation, quota, the
//! bundling rules seen through the API, list/reopen/delete, ownership), a model's choices
//! through the fake upstream (valid, unknown attractions, failures), and the follow-up
//! room (its prompt carries the plan; offline answers from the dataset).

use std::collections::{HashMap, HashSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fake_upstream::{Behavior, FakeUpstream, Fault};
use crate::helpers::{
    Backend, TestApp, Tokens, body_json, error_of, spawn_app, spawn_app_with_openai,
};
use crate::on_both_backends;
use confab::apps::travel::data::haversine_km;

on_both_backends!(
    options_and_the_attractions_are_public_and_attributed,
    an_offline_plan_has_every_day_with_three_slots_of_valid_bundles,
    a_fourteen_day_plan_uses_no_attraction_twice,
    a_narrow_trip_says_why_a_slot_is_empty,
    bad_plan_bodies_are_400s_naming_the_field_and_cost_nothing,
    a_sixth_plan_in_a_day_is_a_429_on_the_travel_scope,
    plans_are_listed_reopened_and_deleted_with_their_room,
    another_users_plan_is_404_on_every_route_and_changes_nothing,
    the_plan_routes_need_a_token,
    the_follow_up_room_answers_offline_from_the_plan_and_the_dataset,
    with_a_model_the_plan_follows_its_checked_choices,
    a_model_choice_naming_an_attraction_we_did_not_offer_falls_back_to_the_offline_plan,
    when_the_model_fails_the_offline_plan_is_made,
    with_a_model_the_follow_up_room_prompt_contains_the_plan,
);

/// `YYYY-MM-DD`, `days_ahead` from today (UTC).
fn date_in(days_ahead: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days_ahead)).to_string()
}

fn trip(days: i64, styles: &[&str], language: &str) -> Value {
    json!({
        "departure_date": date_in(10),
        "arrival_date": date_in(10 + days - 1),
        "travelers": 2,
        "gender_mix": "mixed",
        "styles": styles,
        "budget_krw_per_person": 800000,
        "transports": ["public", "taxi"],
        "language": language,
    })
}

async fn make_plan(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_json("/api/travel/plans", body, Some(token)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    body_json(res).await
}

/// Dataset coordinates by id.
async fn coordinates(app: &TestApp) -> HashMap<String, (f64, f64)> {
    let body = body_json(app.get("/api/travel/attractions", None).await).await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["id"].as_str().expect("id").to_owned(),
                (
                    a["lat"].as_f64().expect("lat"),
                    a["lng"].as_f64().expect("lng"),
                ),
            )
        })
        .collect()
}

/// Checks every rule a plan must keep; returns the ids it uses.
fn check_plan(plan: &Value, days: usize, coords: &HashMap<String, (f64, f64)>) -> Vec<String> {
    let list = plan["days"].as_array().expect("days");
    assert_eq!(list.len(), days);
    let mut used = Vec::new();
    for (d, day) in list.iter().enumerate() {
        assert_eq!(day["day"], d as i64 + 1);
        let slots = day["slots"].as_array().expect("slots");
        let names: Vec<&str> = slots
            .iter()
            .map(|s| s["slot"].as_str().expect("slot"))
            .collect();
        assert_eq!(names, vec!["morning", "afternoon", "evening"]);
        for s in slots {
            let members = s["attractions"].as_array().expect("attractions");
            if members.is_empty() {
                assert!(s["unfilled"].is_string() && s["note"].is_string(), "{s}");
                continue;
            }
            assert!((2..=5).contains(&members.len()), "{s}");
            assert!(!s["reason"].as_str().expect("reason").is_empty());
            assert_eq!(s["legs"].as_array().expect("legs").len(), members.len() - 1);
            let ids: Vec<String> = members
                .iter()
                .map(|a| a["id"].as_str().expect("id").to_owned())
                .collect();
            for (k, a) in ids.iter().enumerate() {
                let (lat1, lng1) = coords[a];
                for b in &ids[k + 1..] {
                    let (lat2, lng2) = coords[b];
                    let km = haversine_km(lat1, lng1, lat2, lng2);
                    assert!(km <= 5.0, "{a} and {b} are {km:.2} km apart");
                }
            }
            used.extend(ids);
        }
    }
    let unique: HashSet<&String> = used.iter().collect();
    assert_eq!(unique.len(), used.len(), "an attraction appears twice");
    used
}

async fn options_and_the_attractions_are_public_and_attributed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let options = body_json(app.get("/api/travel/options", None).await).await;
    assert_eq!(options["styles"].as_array().expect("styles").len(), 6);
    assert_eq!(
        options["transports"].as_array().expect("transports").len(),
        4
    );
    assert_eq!(options["max_days"], 14);
    assert!(
        options["default_budget_krw_per_person"]
            .as_i64()
            .expect("budget")
            > 0
    );
    let res = app.get("/api/travel/attractions", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    let items = body["items"].as_array().expect("items");
    assert!(items.len() >= 120);
    assert!(body["about"]["sources"].as_str().expect("sources").len() > 20);
    for a in items {
        for field in ["name", "description"] {
            assert!(!a[field]["ko"].as_str().expect("ko").is_empty());
            assert!(!a[field]["en"].as_str().expect("en").is_empty());
        }
        let (lat, lng) = (
            a["lat"].as_f64().expect("lat"),
            a["lng"].as_f64().expect("lng"),
        );
        assert!(
            (1.15..1.48).contains(&lat) && (103.59..104.1).contains(&lng),
            "{a}"
        );
    }
}

async fn an_offline_plan_has_every_day_with_three_slots_of_valid_bundles(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("planner").await;
    let coords = coordinates(&app).await;
    let res = app
        .post_json(
            "/api/travel/plans",
            trip(4, &["city", "food"], "ko"),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers().contains_key("ratelimit-remaining"));
    let plan = body_json(res).await;
    assert_eq!(plan["source"], "offline");
    assert_eq!(plan["language"], "ko");
    assert!(plan["title"].as_str().expect("title").contains("3박 4일"));
    let used = check_plan(&plan, 4, &coords);
    assert!(
        used.len() >= 24,
        "every slot of four days is filled: {used:?}"
    );
    assert_eq!(plan["request"]["styles"], json!(["city", "food"]));
    assert_eq!(plan["days"][1]["date"], date_in(11));
    let cost = &plan["cost"];
    assert!(cost["total_krw"].as_i64().expect("total") >= 0);
    assert_eq!(cost["budget_krw"], 800000);
    assert!(cost["within_budget"].is_boolean());
    let first = &plan["days"][0]["slots"][0];
    let note = first["legs"][0]["note"].as_str().expect("leg note");
    assert!(note.contains("km"), "{note}");
    assert_eq!(app.quota_used(&me.access, "travel").await, 1);
    assert_eq!(app.quota_used(&me.access, "chat").await, 0);
}

async fn a_fourteen_day_plan_uses_no_attraction_twice(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("longtrip").await;
    let coords = coordinates(&app).await;
    let plan = make_plan(
        &app,
        &me.access,
        trip(
            14,
            &["nature", "city", "food", "budget", "with-children"],
            "en",
        ),
    )
    .await;
    check_plan(&plan, 14, &coords);
    assert_eq!(
        plan["title"],
        format!("Singapore, 14 days from {}", date_in(10))
    );
}

async fn a_narrow_trip_says_why_a_slot_is_empty(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("luxe").await;
    let coords = coordinates(&app).await;
    let mut body = trip(14, &["luxury"], "en");
    body["budget_krw_per_person"] = json!(50_000_000);
    let plan = make_plan(&app, &me.access, body).await;
    check_plan(&plan, 14, &coords);
    let empty: Vec<&Value> = plan["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|d| d["slots"].as_array().expect("slots"))
        .filter(|s| s["attractions"].as_array().is_some_and(Vec::is_empty))
        .collect();
    assert!(
        !empty.is_empty(),
        "21 luxury attractions cannot fill 42 slots"
    );
    for s in empty {
        assert!(["nothing_left", "none_nearby"].contains(&s["unfilled"].as_str().expect("code")));
        assert!(s["note"].as_str().expect("note").contains("free"));
    }
}

async fn bad_plan_bodies_are_400s_naming_the_field_and_cost_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("careless").await;
    let good = trip(3, &["city"], "en");
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    let cases = vec![
        (
            with("departure_date", json!("12/10/2030")),
            "departure_date",
            "invalid_date",
        ),
        (
            with("departure_date", json!(date_in(-3))),
            "departure_date",
            "in_the_past",
        ),
        (
            with("arrival_date", json!(date_in(5))),
            "arrival_date",
            "before_departure",
        ),
        (
            with("arrival_date", json!(date_in(24))),
            "arrival_date",
            "trip_too_long",
        ),
        (with("travelers", json!(0)), "travelers", "out_of_range"),
        (with("travelers", json!(21)), "travelers", "out_of_range"),
        (
            with("gender_mix", json!("robots")),
            "gender_mix",
            "not_one_of",
        ),
        (with("styles", json!(["shopping"])), "styles", "not_one_of"),
        (with("styles", json!([])), "styles", "required"),
        (
            with("transports", json!(["helicopter"])),
            "transports",
            "not_one_of",
        ),
        (
            with("budget_krw_per_person", json!(0)),
            "budget_krw_per_person",
            "not_positive",
        ),
        (
            with("budget_krw_per_person", json!(-10)),
            "budget_krw_per_person",
            "not_positive",
        ),
        (with("language", json!("fr")), "language", "not_one_of"),
    ];
    for (body, field, code) in cases {
        let res = app
            .post_json("/api/travel/plans", body.clone(), Some(&me.access))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let envelope = body_json(res).await;
        assert_eq!(envelope["error"]["code"], "validation_failed", "{envelope}");
        assert_eq!(envelope["error"]["field_codes"][field], code, "{envelope}");
    }
    let mut missing = good.clone();
    missing.as_object_mut().expect("object").remove("travelers");
    let res = app
        .post_json("/api/travel/plans", missing, Some(&me.access))
        .await;
    let (_, fields) = error_of(res).await;
    assert!(fields["travelers"].is_string());
    let res = app
        .post_json(
            "/api/travel/plans",
            with("owner_id", json!("x")),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_json(
            "/api/travel/plans",
            with("travelers", json!("two")),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.quota_used(&me.access, "travel").await, 0);
    let list = app.get_json("/api/travel/plans", &me.access).await;
    assert_eq!(list["items"], json!([]));
}

async fn a_sixth_plan_in_a_day_is_a_429_on_the_travel_scope(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("eager").await;
    for _ in 0..5 {
        make_plan(&app, &me.access, trip(1, &["city"], "en")).await;
    }
    let res = app
        .post_json(
            "/api/travel/plans",
            trip(1, &["city"], "en"),
            Some(&me.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let body = body_json(res).await;
    assert_eq!(body["error"]["code"], "quota_exceeded");
    assert_eq!(body["error"]["scope"], "travel");
    let list = app.get_json("/api/travel/plans", &me.access).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 5);
    // A bad request over the limit is still a 400, not a 429.
    let mut bad = trip(1, &["city"], "en");
    bad["travelers"] = json!(99);
    let res = app
        .post_json("/api/travel/plans", bad, Some(&me.access))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

async fn plans_are_listed_reopened_and_deleted_with_their_room(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("keeper").await;
    let first = make_plan(&app, &me.access, trip(2, &["nature"], "en")).await;
    let second = make_plan(&app, &me.access, trip(3, &["food"], "ko")).await;
    let list = app.get_json("/api/travel/plans?limit=1", &me.access).await;
    assert_eq!(list["items"][0]["id"], second["id"]);
    assert_eq!(list["items"][0]["days"], 3);
    assert_eq!(list["items"][0]["styles"], json!(["food"]));
    let cursor = list["next_cursor"].as_str().expect("cursor");
    let rest = app
        .get_json(
            &format!("/api/travel/plans?limit=1&cursor={cursor}"),
            &me.access,
        )
        .await;
    assert_eq!(rest["items"][0]["id"], first["id"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let id = first["id"].as_str().expect("id");
    let reopened = app
        .get_json(&format!("/api/travel/plans/{id}"), &me.access)
        .await;
    assert_eq!(reopened["days"], first["days"]);
    assert_eq!(reopened["cost"], first["cost"]);
    let room = first["room_id"].as_str().expect("room");
    let room_view = app
        .get_json(&format!("/api/rooms/{room}"), &me.access)
        .await;
    assert_eq!(room_view["assistant"], "travel");

    let res = app
        .delete(&format!("/api/travel/plans/{id}"), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for path in [
        format!("/api/travel/plans/{id}"),
        format!("/api/rooms/{room}"),
    ] {
        let res = app.get(&path, Some(&me.access)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = app
        .delete(&format!("/api/travel/plans/{id}"), &me.access)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .get("/api/travel/plans/not-a-uuid", Some(&me.access))
        .await;
    assert!(res.status().is_client_error());
}

async fn another_users_plan_is_404_on_every_route_and_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let owner = app.member("owner").await;
    let other = app.member("snoop").await;
    let plan = make_plan(&app, &owner.access, trip(2, &["city"], "en")).await;
    let id = plan["id"].as_str().expect("id");
    let room = plan["room_id"].as_str().expect("room");
    let secret = plan["days"][0]["slots"][0]["attractions"][0]["id"]
        .as_str()
        .expect("attraction")
        .to_owned();
    app.assert_not_found_for(
        &other.access,
        vec![
            (Method::GET, format!("/api/travel/plans/{id}"), None),
            (Method::DELETE, format!("/api/travel/plans/{id}"), None),
            (Method::GET, format!("/api/rooms/{room}"), None),
            (
                Method::POST,
                format!("/api/rooms/{room}/messages"),
                Some(json!({"content": "day 1 morning?"})),
            ),
        ],
        &secret,
    )
    .await;
    let list = app.get_json("/api/travel/plans", &other.access).await;
    assert_eq!(list["items"], json!([]));
    let still = app
        .get_json(&format!("/api/travel/plans/{id}"), &owner.access)
        .await;
    assert_eq!(still["id"], plan["id"]);
}

async fn the_plan_routes_need_a_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let res = app.get("/api/travel/plans", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .post_json("/api/travel/plans", trip(1, &["city"], "en"), None)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

fn slot_ids(plan: &Value, day: usize, slot: usize) -> Vec<String> {
    plan["days"][day]["slots"][slot]["attractions"]
        .as_array()
        .expect("attractions")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn the_follow_up_room_answers_offline_from_the_plan_and_the_dataset(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let me = app.member("asker").await;
    let plan = make_plan(&app, &me.access, trip(4, &["city", "food", "nature"], "ko")).await;
    let room = plan["room_id"].as_str().expect("room");
    let res = app
        .send(&me.access, room, "3일차 저녁을 실내로 바꿔줘")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    let answer = body["assistant_message"]["content"]
        .as_str()
        .expect("answer");
    assert!(answer.contains("3일차 저녁"), "{answer}");
    let evening = &plan["days"][2]["slots"][2]["attractions"];
    let first_name = evening[0]["name"].as_str().expect("name");
    assert!(
        answer.contains(first_name),
        "names the current bundle: {answer}"
    );
    let mut in_plan = HashSet::new();
    for d in 0..4 {
        for s in 0..3 {
            in_plan.extend(slot_ids(&plan, d, s));
        }
    }
    let attractions = body_json(app.get("/api/travel/attractions", None).await).await;
    let by_name: HashMap<String, Value> = attractions["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| (a["name"]["ko"].as_str().expect("ko").to_owned(), a.clone()))
        .collect();
    let offered: Vec<&str> = answer
        .lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| l.split("**").next())
        .collect();
    assert!(!offered.is_empty(), "{answer}");
    for name in offered {
        let a = &by_name[name];
        assert_eq!(a["indoor"], true, "{name}");
        assert!(
            !in_plan.contains(a["id"].as_str().expect("id")),
            "{name} is already planned"
        );
    }
}

/// A server whose model is a fake upstream, without a travel limit, and a member.
async fn with_a_model(backend: Backend) -> Option<(TestApp, FakeUpstream, Tokens)> {
    let fake = FakeUpstream::start(Behavior::reply("not json")).await;
    let app = spawn_app_with_openai(backend, fake.openai_base(), |c| {
        c.set_quota_limit("travel", 0)
    })
    .await?;
    let me = app.member("modeltraveller").await;
    Some((app, fake, me))
}

/// The model's answer choosing exactly the bundles of `plan`, with our reasons.
fn choices_of(plan: &Value, reason: &str) -> Value {
    let days: Vec<Value> = plan["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| {
            let slots: Vec<Value> = d["slots"]
                .as_array()
                .expect("slots")
                .iter()
                .filter(|s| !s["attractions"].as_array().is_some_and(Vec::is_empty))
                .map(|s| {
                    let ids: Vec<&Value> = s["attractions"]
                        .as_array()
                        .expect("a")
                        .iter()
                        .map(|a| &a["id"])
                        .collect();
                    json!({"slot": s["slot"], "attractions": ids,
                        "reason": format!("{reason} {} {}", d["day"], s["slot"].as_str().unwrap_or(""))})
                })
                .collect();
            json!({"day": d["day"], "slots": slots})
        })
        .collect();
    json!({ "days": days })
}

async fn with_a_model_the_plan_follows_its_checked_choices(backend: Backend) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    let coords = coordinates(&app).await;
    let body = trip(3, &["city", "food"], "en");
    // Prose is not a plan: the offline plan is made (and shows what will be offered).
    let offline = make_plan(&app, &me.access, body.clone()).await;
    assert_eq!(offline["source"], "offline");
    let request = fake.last_request().expect("request");
    assert_eq!(request["response_format"]["type"], "json_schema");
    let prompt = request["messages"][1]["content"].as_str().expect("prompt");
    assert!(
        prompt.contains(
            offline["days"][0]["slots"][0]["attractions"][0]["id"]
                .as_str()
                .expect("id")
        )
    );

    // The model chooses the offered bundles with its own reasons: they are kept.
    fake.set(Behavior::reply(
        choices_of(&offline, "Model reason").to_string(),
    ));
    let plan = make_plan(&app, &me.access, body).await;
    assert_eq!(plan["source"], "llm");
    check_plan(&plan, 3, &coords);
    assert_eq!(
        plan["days"][1]["slots"][2]["reason"],
        "Model reason 2 evening"
    );
    assert_eq!(slot_ids(&plan, 0, 0), slot_ids(&offline, 0, 0));
    assert_eq!(app.quota_used(&me.access, "travel").await, 2);
}

async fn a_model_choice_naming_an_attraction_we_did_not_offer_falls_back_to_the_offline_plan(
    backend: Backend,
) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    let body = trip(2, &["nature"], "en");
    let offline = make_plan(&app, &me.access, body.clone()).await;
    let good = choices_of(&offline, "Model reason");

    // An id that is not in the dataset.
    let mut unknown = good.clone();
    unknown["days"][0]["slots"][0]["attractions"][0] = json!("atlantis-lost-city");
    // A real attraction that does not suit the trip, so it was never offered: a bar.
    let mut not_offered = good.clone();
    not_offered["days"][0]["slots"][1]["attractions"][0] = json!("clarke-quay");
    // The same attraction twice.
    let mut twice = good.clone();
    twice["days"][1]["slots"][0]["attractions"][0] =
        good["days"][0]["slots"][0]["attractions"][0].clone();
    // A bundle stretched across the island (pairs over 5 km).
    let mut far = good.clone();
    far["days"][0]["slots"][0]["attractions"] = json!([
        good["days"][0]["slots"][0]["attractions"][0],
        good["days"][1]["slots"][0]["attractions"][0]
    ]);
    for (what, reply) in [
        ("unknown", unknown),
        ("not offered", not_offered),
        ("twice", twice),
    ] {
        fake.set(Behavior::reply(reply.to_string()));
        let plan = make_plan(&app, &me.access, body.clone()).await;
        assert_eq!(plan["source"], "offline", "{what}");
        assert_eq!(plan["days"], offline["days"], "{what}");
    }
    fake.set(Behavior::reply(far.to_string()));
    let plan = make_plan(&app, &me.access, body.clone()).await;
    assert_eq!(plan["source"], "offline");
    let coords = coordinates(&app).await;
    check_plan(&plan, 2, &coords);
    // The same choices, valid, are taken.
    fake.set(Behavior::reply(good.to_string()));
    let plan = make_plan(&app, &me.access, body).await;
    assert_eq!(plan["source"], "llm");
}

async fn when_the_model_fails_the_offline_plan_is_made(backend: Backend) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    fake.set(Behavior::fault(Fault::Status(500)));
    let plan = make_plan(&app, &me.access, trip(2, &["city"], "ko")).await;
    assert_eq!(plan["source"], "offline");
    let text = plan.to_string();
    assert!(!text.contains("sk-test-secret-key") && !text.contains("127.0.0.1"));
}

async fn with_a_model_the_follow_up_room_prompt_contains_the_plan(backend: Backend) {
    let Some((app, fake, me)) = with_a_model(backend).await else {
        return;
    };
    let plan = make_plan(&app, &me.access, trip(2, &["city"], "en")).await;
    let room = plan["room_id"].as_str().expect("room");
    fake.set(Behavior::reply("Try the National Gallery."));
    let res = app
        .send(&me.access, room, "Make day 2 evening indoors")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let request = fake.last_request().expect("request");
    let system = request["messages"][0]["content"].as_str().expect("system");
    assert!(system.contains("Day 2"), "{system}");
    for id in slot_ids(&plan, 1, 2) {
        assert!(system.contains(&format!("[{id}]")), "{id} in {system}");
    }
}
