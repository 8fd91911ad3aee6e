//! The Singapore travel planner: the attraction dataset ([`data`], checked at start-up),
//! the bundler ([`bundle`]), plans (make with one `travel` quota slot, list, reopen,
//! delete; owner only) and the `travel` assistant of each plan's follow-up room, whose
//! requests carry the plan ([`TravelContext`]) and whose offline answers come from the
//! dataset ([`offline`]).

pub mod bundle;
pub mod compose;
pub mod data;
pub mod input;
pub mod llm;
pub mod offline;
pub mod plans;
pub mod repo;

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::chat::context::{RoomContext, RoomContexts};
use crate::chat::repo::RoomRow;
use crate::error::{Error, Result};
use crate::lang::Localized;
use crate::llm::ChatRequest;
use crate::llm::offline::OfflineAnswerer;
use crate::state::{AppState, Setup};
use data::Dataset;

/// The dataset and its list answer, made once at start-up.
pub struct TravelData {
    pub data: Arc<Dataset>,
    /// `GET /api/travel/attractions`, serialised once.
    attractions_json: bytes::Bytes,
}

/// Start-up: refuses an invalid shipped dataset; serves plans; answers the `travel`
/// assistant offline from the dataset, and gives its rooms their plan.
pub fn init(setup: &mut Setup) -> Result<()> {
    let dataset = Dataset::shipped()
        .map_err(|e| Error::internal(format!("the shipped travel dataset is invalid: {e}")))?;
    let errors = dataset.validate();
    if !errors.is_empty() {
        return Err(Error::internal(format!(
            "the shipped travel dataset is invalid: {}",
            errors.join("; ")
        )));
    }
    let data = Arc::new(dataset);
    let list = AttractionList {
        items: &data.attractions,
        next_cursor: None,
        about: &data.about,
    };
    let attractions_json = serde_json::to_vec(&list).map_err(Error::internal)?.into();
    setup.parts.insert(TravelData {
        data: data.clone(),
        attractions_json,
    });
    setup.offline.register("travel", TravelOffline { data });
    setup
        .parts
        .get_or_default::<RoomContexts>()
        .register("travel", TravelContext);
    Ok(())
}

/// Routes under `/api/travel`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_options))
        .routes(routes!(list_attractions))
        .routes(routes!(plans::list_plans, plans::create_plan))
        .routes(routes!(plans::get_plan, plans::delete_plan))
}

struct TravelOffline {
    data: Arc<Dataset>,
}

impl OfflineAnswerer for TravelOffline {
    fn answer(&self, req: &ChatRequest, ko: bool) -> String {
        offline::answer_with_plan(
            &self.data,
            req.settings.get("plan"),
            req.last_user_text(),
            ko,
        )
    }
}

/// Puts a follow-up room's plan into its requests: as text in the system prompt, and by
/// ids in the request's settings (`plan`) for the offline answers.
struct TravelContext;

impl RoomContext for TravelContext {
    fn prepare<'a>(
        &'a self,
        state: &'a AppState,
        room: &'a RoomRow,
        req: &'a mut ChatRequest,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let Some(plan_id) = req
                .settings
                .get("plan_id")
                .and_then(|v| v.as_str())
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
            else {
                return Ok(());
            };
            let Some(row) = repo::get_plan(&state.db, room.owner_id, plan_id).await? else {
                return Ok(());
            };
            if let Some((text, compact)) = plans::room_context(&row) {
                if let Some(system) = req.messages.first_mut() {
                    system.content.push_str("\n\n");
                    system.content.push_str(&text);
                }
                if let Some(settings) = req.settings.as_object_mut() {
                    settings.insert("plan".into(), compact);
                }
            }
            Ok(())
        })
    }
}

/// An option with its labels.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct OptionItem {
    pub id: &'static str,
    pub label: Localized,
}

const fn item(id: &'static str, ko: &'static str, en: &'static str) -> OptionItem {
    OptionItem {
        id,
        label: Localized::new(ko, en),
    }
}

/// What a plan request may choose.
#[derive(Debug, Serialize, ToSchema)]
pub struct Options {
    pub styles: &'static [OptionItem],
    pub transports: &'static [OptionItem],
    pub gender_mixes: &'static [OptionItem],
    pub slots: &'static [OptionItem],
    pub max_days: i64,
    pub min_travelers: i64,
    pub max_travelers: i64,
    /// A sensible default for the form: spending money per person (attractions and
    /// local transport), KRW.
    pub default_budget_krw_per_person: i64,
    /// The indicative rate the cost estimate uses.
    pub krw_per_sgd: f64,
    pub max_bundle: usize,
    pub max_pair_km: f64,
}

const STYLE_ITEMS: &[OptionItem] = &[
    item("nature", "자연", "Nature"),
    item("city", "도시", "City"),
    item("food", "음식", "Food"),
    item("luxury", "럭셔리", "Luxury"),
    item("budget", "가성비", "Budget"),
    item("with-children", "아이와 함께", "With children"),
];
const TRANSPORT_ITEMS: &[OptionItem] = &[
    item("public", "대중교통", "Public transport"),
    item("rental-car", "렌터카", "Rental car"),
    item("taxi", "택시", "Taxi"),
    item("ride-hailing", "차량 호출", "Ride-hailing"),
];
const GENDER_ITEMS: &[OptionItem] = &[
    item("unspecified", "선택 안 함", "Not specified"),
    item("male", "남성", "Male"),
    item("female", "여성", "Female"),
    item("mixed", "혼성", "Mixed"),
];
const SLOT_ITEMS: &[OptionItem] = &[
    item("morning", "오전", "Morning"),
    item("afternoon", "오후", "Afternoon"),
    item("evening", "저녁", "Evening"),
];

/// Styles, transports and limits for the plan form.
#[utoipa::path(get, path = "/api/travel/options", tag = "travel",
    responses((status = 200, body = Options)))]
async fn get_options() -> Json<Options> {
    Json(Options {
        styles: STYLE_ITEMS,
        transports: TRANSPORT_ITEMS,
        gender_mixes: GENDER_ITEMS,
        slots: SLOT_ITEMS,
        max_days: input::MAX_DAYS,
        min_travelers: input::MIN_TRAVELERS,
        max_travelers: input::MAX_TRAVELERS,
        default_budget_krw_per_person: 500_000,
        krw_per_sgd: compose::KRW_PER_SGD,
        max_bundle: bundle::MAX_BUNDLE,
        max_pair_km: bundle::MAX_PAIR_KM,
    })
}

/// The dataset list.
#[derive(Serialize, ToSchema)]
pub struct AttractionList<'a> {
    pub items: &'a [data::Attraction],
    pub next_cursor: Option<String>,
    /// Where the facts come from and the terms.
    pub about: &'a data::About,
}

/// Every attraction of the dataset, with its attribution.
#[utoipa::path(get, path = "/api/travel/attractions", tag = "travel",
    responses((status = 200, body = AttractionList)))]
async fn list_attractions(State(state): State<AppState>) -> Result<Response> {
    let bytes = state.part::<TravelData>()?.attractions_json.clone();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        bytes,
    )
        .into_response())
}
