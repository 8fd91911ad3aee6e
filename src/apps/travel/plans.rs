//! Plans: make one (one `travel` quota slot; offline from the data, or the model's
//! choices among our candidate bundles), list, reopen and delete them. Each plan has a
//! follow-up room with the `travel` assistant; deleting the plan deletes the room.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::bundle::{Bundler, Slot};
use super::compose::{self, CostView, DayView, PlanBody};
use super::data::Dataset;
use super::input::{CreatePlan, Trip};
use super::repo::{self, NewPlan};
use super::{TravelData, llm};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{AppJson, IdPath, Page, Pagination};
use crate::quota::{self, Scope};
use crate::state::AppState;

/// The checked request, as stored with the plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TripView {
    pub departure_date: String,
    pub arrival_date: String,
    pub travelers: i64,
    pub gender_mix: String,
    pub styles: Vec<String>,
    pub transports: Vec<String>,
    pub budget_krw_per_person: f64,
    pub language: String,
}

impl TripView {
    fn of(trip: &Trip) -> TripView {
        TripView {
            departure_date: trip.departure.to_string(),
            arrival_date: trip.arrival.to_string(),
            travelers: trip.travelers,
            gender_mix: trip.gender_mix.clone(),
            styles: trip.styles.clone(),
            transports: trip.transports.clone(),
            budget_krw_per_person: trip.budget_krw,
            language: trip.language.as_str().into(),
        }
    }
}

/// A plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: Uuid,
    pub title: String,
    pub language: String,
    /// `offline` (composed from the data) or `llm` (the model chose among our bundles).
    pub source: String,
    /// The follow-up room (`travel` assistant); `null` if it was deleted.
    pub room_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub request: TripView,
    pub days: Vec<DayView>,
    pub cost: CostView,
    pub notes: Vec<String>,
}

/// A plan in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: Uuid,
    pub title: String,
    pub language: String,
    pub source: String,
    pub room_id: Option<Uuid>,
    pub departure_date: String,
    pub arrival_date: String,
    pub days: i64,
    pub travelers: i64,
    pub styles: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `싱가포르 3박 4일` / `Singapore, 4 days`, with the first date.
pub fn title(language: &str, days: i64, departure: &str) -> String {
    let short = departure.get(5..).unwrap_or(departure).replace('-', ".");
    match (language, days) {
        ("ko", 1) => format!("싱가포르 당일 여행 ({short})"),
        ("ko", n) => format!("싱가포르 {}박 {n}일 ({short}~)", n - 1),
        (_, 1) => format!("Singapore day trip ({departure})"),
        (_, n) => format!("Singapore, {n} days from {departure}"),
    }
}

fn plan_view(row: repo::PlanRow) -> Result<PlanView> {
    let body: PlanBody = serde_json::from_str(&row.body).map_err(Error::internal)?;
    let request: TripView = serde_json::from_str(&row.request).map_err(Error::internal)?;
    Ok(PlanView {
        id: row.id,
        title: title(&row.language, row.days, &row.departure_date),
        language: row.language,
        source: row.source,
        room_id: row.room_id,
        created_at: row.created_at,
        request,
        days: body.days,
        cost: body.cost,
        notes: body.notes,
    })
}

fn data(state: &AppState) -> Result<Arc<Dataset>> {
    Ok(state.part::<TravelData>()?.data.clone())
}

/// The plan for a trip: the model's when one is configured and its answer passes every
/// check, else ours. Returns the plan and its source.
pub async fn make_plan(state: &AppState, data: &Dataset, trip: &Trip) -> (PlanBody, &'static str) {
    let prefs = compose::prefs_of(trip);
    let bundler = Bundler::new(data, &prefs);
    let offline = bundler.plan(trip.days());
    if llm::online(state)
        && let Some(model) = llm::plan_with_model(state, data, trip, &bundler, &offline).await
    {
        let reasons = |d: usize, slot: Slot| {
            let k = Slot::ALL.iter().position(|s| *s == slot)?;
            model.reasons.get(d)?.get(k)?.clone()
        };
        return (compose::compose(data, trip, &model.plan, &reasons), "llm");
    }
    (
        compose::compose(data, trip, &offline, &|_, _| None),
        "offline",
    )
}

/// Make a plan: every day split into morning, afternoon and evening, each one bundle of
/// 2–5 attractions within 5 km of each other. Costs one `travel` quota slot.
#[utoipa::path(post, path = "/api/travel/plans", tag = "travel", security(("bearer" = [])),
    request_body = CreatePlan,
    responses((status = 201, body = PlanView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_plan(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    AppJson(input): AppJson<CreatePlan>,
) -> Result<Response> {
    let trip = Trip::parse(&input, &headers, OffsetDateTime::now_utc())?;
    let data = data(&state)?;
    let reservation = quota::reserve(&state, user.id, Scope::Travel).await?;
    let made = async {
        let (body, source) = make_plan(&state, &data, &trip).await;
        let id = Uuid::now_v7();
        let lang = trip.language.as_str();
        let departure = trip.departure.to_string();
        let days = trip.days() as i64;
        let room_title = title(lang, days, &departure);
        let settings = serde_json::json!({ "plan_id": id.to_string() }).to_string();
        let room =
            crate::chat::repo::insert_room(&state.db, user.id, "travel", &room_title, &settings)
                .await?;
        let request = serde_json::to_string(&TripView::of(&trip)).map_err(Error::internal)?;
        let body_json = serde_json::to_string(&body).map_err(Error::internal)?;
        let stored = repo::insert_plan(
            &state.db,
            &NewPlan {
                id,
                user_id: user.id,
                room_id: Some(room.id),
                language: lang,
                source,
                departure_date: &departure,
                arrival_date: &trip.arrival.to_string(),
                days,
                travelers: trip.travelers,
                request: &request,
                body: &body_json,
            },
        )
        .await;
        if let Err(err) = stored {
            if let Err(e) = crate::chat::repo::delete_room(&state.db, user.id, room.id).await {
                tracing::warn!(error = %e, "could not remove the room of an unsaved plan");
            }
            return Err(err);
        }
        let row = repo::get_plan(&state.db, user.id, id)
            .await?
            .ok_or_else(|| Error::internal("new plan vanished"))?;
        plan_view(row)
    }
    .await;
    match made {
        Ok(view) => {
            quota::keep(&state, &reservation).await;
            Ok((StatusCode::CREATED, reservation.headers(), Json(view)).into_response())
        }
        Err(err) => {
            if let Err(e) = quota::refund(&state, &reservation).await {
                tracing::error!(error = %e, "quota refund failed");
            }
            Err(err)
        }
    }
}

/// Your plans, newest first.
#[utoipa::path(get, path = "/api/travel/plans", tag = "travel", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<PlanSummary>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_plans(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
) -> Result<Json<Page<PlanSummary>>> {
    let rows = repo::list_plans(&state.db, user.id, page.id_cursor()?, page.fetch_limit()).await?;
    Ok(Json(page.page(
        rows,
        |r| r.id.to_string(),
        |r| {
            let styles = serde_json::from_str::<TripView>(&r.request)
                .map(|t| t.styles)
                .unwrap_or_default();
            PlanSummary {
                id: r.id,
                title: title(&r.language, r.days, &r.departure_date),
                language: r.language,
                source: r.source,
                room_id: r.room_id,
                departure_date: r.departure_date,
                arrival_date: r.arrival_date,
                days: r.days,
                travelers: r.travelers,
                styles,
                created_at: r.created_at,
            }
        },
    )))
}

/// One of your plans.
#[utoipa::path(get, path = "/api/travel/plans/{id}", tag = "travel", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<Json<PlanView>> {
    let row = repo::get_plan(&state.db, user.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(plan_view(row)?))
}

/// Delete a plan and its follow-up room.
#[utoipa::path(delete, path = "/api/travel/plans/{id}", tag = "travel", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn delete_plan(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<StatusCode> {
    match repo::delete_plan(&state.db, user.id, id).await? {
        None => Err(Error::NotFound),
        Some(room) => {
            if let Some(room) = room {
                crate::chat::repo::delete_room(&state.db, user.id, room).await?;
            }
            Ok(StatusCode::NO_CONTENT)
        }
    }
}

/// The plan as the follow-up room's model sees it: a text block for the system prompt and
/// the bundles by day and slot (ids) for the offline answers.
pub fn room_context(row: &repo::PlanRow) -> Option<(String, serde_json::Value)> {
    let body: PlanBody = serde_json::from_str(&row.body).ok()?;
    let request: TripView = serde_json::from_str(&row.request).ok()?;
    let mut text = format!(
        "The traveller's Singapore plan ({} to {}, {} travellers, styles: {}, transports: {}, budget {} KRW per person). \
         Attraction ids are in brackets.\n",
        request.departure_date,
        request.arrival_date,
        request.travelers,
        request.styles.join(", "),
        request.transports.join(", "),
        request.budget_krw_per_person.round()
    );
    let mut days = Vec::new();
    for day in &body.days {
        text.push_str(&format!("Day {} ({})\n", day.day, day.date));
        let mut slots = Vec::new();
        for s in &day.slots {
            if s.attractions.is_empty() {
                text.push_str(&format!("- {}: free time\n", s.slot));
            } else {
                let names: Vec<String> = s
                    .attractions
                    .iter()
                    .map(|a| format!("{} [{}]", a.name, a.id))
                    .collect();
                text.push_str(&format!(
                    "- {}: {} — {}\n",
                    s.slot,
                    names.join(", "),
                    s.reason
                ));
            }
            let ids: Vec<&str> = s.attractions.iter().map(|a| a.id.as_str()).collect();
            slots.push(serde_json::json!({"slot": s.slot, "ids": ids}));
        }
        days.push(serde_json::json!({"day": day.day, "slots": slots}));
    }
    let compact = serde_json::json!({
        "language": row.language,
        "styles": request.styles,
        "days": days,
    });
    Some((text, compact))
}
