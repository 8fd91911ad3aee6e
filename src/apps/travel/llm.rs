//! A plan with a model: the server offers candidate bundles (the offline plan's, then
//! more from what is left) and asks for one choice per day and slot with a reason, as JSON
//! with a schema. The answer is checked strictly ([`validate`]): every attraction must be
//! one we offered, every bundle must keep the bundling rules for its slot, no attraction
//! twice, every slot the offline plan filled must be filled. Anything else (and any
//! failure) falls back to the offline plan.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

use super::bundle::{Bundler, Slot, SlotPlan};
use super::data::Dataset;
use super::input::Trip;
use crate::lang::Language;
use crate::llm::{ChatMessage, ChatRequest, JsonSchema, Role};
use crate::state::AppState;

/// The app name the registry routes by.
pub const APP: &str = "travel";
/// Most candidate bundles offered.
pub const MAX_CANDIDATES: usize = 90;
/// Longest reason kept, in characters.
pub const MAX_REASON: usize = 400;

/// Whether a real model serves the travel app.
pub fn online(state: &AppState) -> bool {
    state.llm.for_app(APP).name() != "offline"
}

/// A bundle offered to the model, with the slots it may go in.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub members: Vec<usize>,
    pub slots: Vec<Slot>,
}

/// The offline plan's bundles, then further bundles from what it left unused.
pub fn candidates(data: &Dataset, bundler: &Bundler, offline: &[[SlotPlan; 3]]) -> Vec<Candidate> {
    let mut used = vec![false; data.len()];
    let mut out = Vec::new();
    for day in offline {
        for sp in day {
            if let SlotPlan::Filled(members) = sp {
                for &m in members {
                    used[m] = true;
                }
                out.push(members.clone());
            }
        }
    }
    'more: while out.len() < MAX_CANDIDATES {
        for slot in Slot::ALL {
            if let Ok(members) = bundler.bundle(slot, &used, None) {
                for &m in &members {
                    used[m] = true;
                }
                out.push(members);
                continue 'more;
            }
        }
        break;
    }
    out.into_iter()
        .take(MAX_CANDIDATES)
        .map(|members| Candidate {
            slots: Slot::ALL
                .into_iter()
                .filter(|s| bundler.is_valid(*s, &members))
                .collect(),
            members,
        })
        .collect()
}

fn prompt(data: &Dataset, trip: &Trip, cands: &[Candidate]) -> (String, String) {
    let ko = trip.language == Language::Ko;
    let system = format!(
        "You plan Singapore trips from bundles of nearby attractions that the server has checked. \
         For each day and each slot (morning, afternoon, evening) choose one candidate bundle whose \
         slots include that slot, or two or more attractions of one candidate. Use only the attraction \
         ids listed; never use an attraction twice. Give a short reason (one or two sentences, in {}) \
         per slot that fits the travellers. Answer with JSON only.",
        if ko { "Korean" } else { "English" }
    );
    let mut user = format!(
        "Trip: {} days from {} to {}, {} travellers ({}), styles: {}, transports: {}, budget per person: {} KRW.\n\nCandidate bundles:\n",
        trip.days(),
        trip.departure,
        trip.arrival,
        trip.travelers,
        trip.gender_mix,
        trip.styles.join(", "),
        trip.transports.join(", "),
        trip.budget_krw.round()
    );
    for (n, c) in cands.iter().enumerate() {
        let slots: Vec<&str> = c.slots.iter().map(|s| s.as_str()).collect();
        let members: Vec<String> = c
            .members
            .iter()
            .map(|&i| {
                let a = &data.attractions[i];
                format!(
                    "{} ({}; {}; {} min)",
                    a.id, a.name.en, a.category, a.visit_minutes
                )
            })
            .collect();
        user.push_str(&format!(
            "B{} [{}]: {}\n",
            n + 1,
            slots.join(", "),
            members.join(", ")
        ));
    }
    (system, user)
}

fn schema() -> serde_json::Value {
    json!({
        "type": "object",
        "properties": {
            "days": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "day": {"type": "integer"},
                        "slots": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "slot": {"type": "string", "enum": ["morning", "afternoon", "evening"]},
                                    "attractions": {"type": "array", "items": {"type": "string"}},
                                    "reason": {"type": "string"}
                                },
                                "required": ["slot", "attractions", "reason"],
                                "additionalProperties": false
                            }
                        }
                    },
                    "required": ["day", "slots"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["days"],
        "additionalProperties": false
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    days: Vec<RawDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    day: i64,
    slots: Vec<RawSlot>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    slot: String,
    attractions: Vec<String>,
    reason: String,
}

/// A model plan that passed every check: bundles and reasons per day and slot.
pub struct ModelPlan {
    pub plan: Vec<[SlotPlan; 3]>,
    pub reasons: Vec<[Option<String>; 3]>,
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(trimmed);
    serde_json::from_str(inner.trim()).ok()
}

/// Checks a model's answer against what was offered; `Err` says why it was rejected.
pub fn validate(
    text: &str,
    data: &Dataset,
    bundler: &Bundler,
    offline: &[[SlotPlan; 3]],
    offered: &[Candidate],
) -> Result<ModelPlan, String> {
    let raw: RawPlan = parse_json(text).ok_or("not the JSON asked for")?;
    if raw.days.len() != offline.len() {
        return Err(format!(
            "{} days instead of {}",
            raw.days.len(),
            offline.len()
        ));
    }
    let offered_ids: HashSet<usize> = offered
        .iter()
        .flat_map(|c| c.members.iter().copied())
        .collect();
    let mut used = HashSet::new();
    let mut plan = Vec::with_capacity(offline.len());
    let mut reasons = Vec::with_capacity(offline.len());
    for (d, day) in raw.days.iter().enumerate() {
        if day.day != d as i64 + 1 {
            return Err(format!("day {} out of order", day.day));
        }
        let mut slots: [SlotPlan; 3] = offline[d].clone();
        let mut why: [Option<String>; 3] = [None, None, None];
        let mut seen = [false; 3];
        for s in &day.slots {
            let slot = Slot::parse(&s.slot).ok_or("an unknown slot")?;
            let k = Slot::ALL.iter().position(|x| *x == slot).unwrap_or(0);
            if std::mem::replace(&mut seen[k], true) {
                return Err(format!("day {} has two {} slots", d + 1, slot.as_str()));
            }
            let mut members = Vec::with_capacity(s.attractions.len());
            for id in &s.attractions {
                let i = data
                    .index_of(id.trim())
                    .filter(|i| offered_ids.contains(i))
                    .ok_or_else(|| format!("{id:?} was not offered"))?;
                if !used.insert(i) {
                    return Err(format!("{id} is used twice"));
                }
                members.push(i);
            }
            if !bundler.is_valid(slot, &members) {
                return Err(format!(
                    "day {} {} breaks the bundling rules",
                    d + 1,
                    slot.as_str()
                ));
            }
            let reason = s.reason.trim();
            if reason.is_empty() || reason.chars().count() > MAX_REASON {
                return Err("a reason is empty or too long".into());
            }
            slots[k] = SlotPlan::Filled(members);
            why[k] = Some(reason.to_owned());
        }
        for k in 0..3 {
            if !seen[k] && matches!(offline[d][k], SlotPlan::Filled(_)) {
                return Err(format!("day {} leaves a slot out", d + 1));
            }
        }
        plan.push(slots);
        reasons.push(why);
    }
    Ok(ModelPlan { plan, reasons })
}

/// Asks the model; `None` when it failed or its answer did not pass [`validate`].
pub async fn plan_with_model(
    state: &AppState,
    data: &Dataset,
    trip: &Trip,
    bundler: &Bundler<'_>,
    offline: &[[SlotPlan; 3]],
) -> Option<ModelPlan> {
    let offered = candidates(data, bundler, offline);
    let (system, user) = prompt(data, trip, &offered);
    let req = ChatRequest {
        assistant: APP.to_owned(),
        settings: json!({}),
        locale: Some(trip.language.as_str().to_owned()),
        messages: vec![
            ChatMessage::new(Role::System, system),
            ChatMessage::new(Role::User, user),
        ],
        json_schema: Some(JsonSchema {
            name: "travel_plan".to_owned(),
            schema: schema(),
        }),
        max_tokens: Some(8192),
    };
    let text = match state.llm.for_app(APP).complete(&req).await {
        Ok(c) => c.text,
        Err(e) => {
            tracing::warn!(error = %e, "travel model call failed; using the offline plan");
            return None;
        }
    };
    match validate(&text, data, bundler, offline, &offered) {
        Ok(plan) => Some(plan),
        Err(why) => {
            tracing::warn!(reason = %why, "travel model plan rejected; using the offline plan");
            None
        }
    }
}
