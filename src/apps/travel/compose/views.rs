//! The plan as the API returns it and the database stores it: days of slots, each with its
//! attractions, the moves between them, a reason or a note; and the rough cost.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An attraction as a plan shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanAttraction {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    pub area: String,
    pub category: String,
    pub visit_minutes: u32,
    pub cost: String,
    pub indoor: bool,
    pub night: bool,
    pub description: String,
}

/// A move between two members of a bundle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Leg {
    pub from: String,
    pub to: String,
    pub distance_km: f64,
    pub minutes: u32,
    /// `walk`, `public`, `taxi`, `ride-hailing` or `rental-car`.
    pub mode: String,
    pub note: String,
}

/// One slot of a day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlotView {
    /// `morning`, `afternoon` or `evening`.
    pub slot: String,
    /// 2–5 attractions, every pair within 5 km; empty when the slot could not be filled.
    pub attractions: Vec<PlanAttraction>,
    pub legs: Vec<Leg>,
    /// The largest distance between two of the attractions.
    pub max_distance_km: f64,
    /// Visits plus moves.
    pub minutes: u32,
    /// Why this bundle fits this slot (empty when there is none).
    pub reason: String,
    /// Why the slot is empty (`nothing_left` or `none_nearby`), else `null`.
    pub unfilled: Option<String>,
    /// The same in words.
    pub note: Option<String>,
}

/// One day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayView {
    /// 1-based.
    pub day: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub slots: Vec<SlotView>,
}

/// A rough cost per person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CostView {
    pub attractions_sgd: f64,
    pub transport_sgd: f64,
    pub total_sgd: f64,
    pub total_krw: i64,
    pub budget_krw: i64,
    pub within_budget: bool,
    pub krw_per_sgd: f64,
}

/// The plan itself (what is stored).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanBody {
    pub days: Vec<DayView>,
    pub cost: CostView,
    /// General notes (budget, transport) in the plan's language.
    pub notes: Vec<String>,
}
