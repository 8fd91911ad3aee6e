//! Turns a bundled trip into the plan the API returns and stores: per day and slot the
//! bundle's attractions, the moves between them suited to the chosen transports, a short
//! reason (ours, or the model's), a note when a slot stays empty, and a rough cost per
//! person against the budget. Text is in the plan's language.

use super::bundle::{self, Prefs, Slot, SlotPlan, Unfilled};
use super::data::{Attraction, Dataset};
use super::input::Trip;
use crate::lang::Language;

mod views;
pub use views::*;

/// Indicative exchange rate used for the budget comparison (KRW per SGD).
pub const KRW_PER_SGD: f64 = 1050.0;
/// Indicative spending per adult for each cost level, SGD.
pub const COST_SGD: [f64; 4] = [0.0, 10.0, 32.0, 90.0];
/// Moves up to this far are walked.
pub const WALK_KM: f64 = 1.2;

/// The cost level a trip can afford per attraction, from its daily spending money.
pub fn max_cost_level(trip: &Trip) -> usize {
    let per_day_sgd = trip.budget_krw / KRW_PER_SGD / trip.days() as f64;
    let by_budget = match per_day_sgd {
        d if d >= 120.0 => 3,
        d if d >= 45.0 => 2,
        d if d >= 15.0 => 1,
        _ => 0,
    };
    // A budget trip keeps to what is cheap even with money to spare.
    if trip.styles.iter().any(|s| s == "budget") {
        by_budget.min(2)
    } else {
        by_budget
    }
}

/// What the bundler needs from a trip.
pub fn prefs_of(trip: &Trip) -> Prefs {
    Prefs {
        styles: trip.styles.clone(),
        max_cost: max_cost_level(trip),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn view(a: &Attraction, ko: bool) -> PlanAttraction {
    PlanAttraction {
        id: a.id.clone(),
        name: a.name.get(ko).to_owned(),
        lat: a.lat,
        lng: a.lng,
        area: a.area.clone(),
        category: a.category.clone(),
        visit_minutes: a.visit_minutes,
        cost: a.cost.clone(),
        indoor: a.indoor,
        night: a.night,
        description: a.description.get(ko).to_owned(),
    }
}

/// Cars needed for the party (four passengers each).
fn cars(travelers: i64) -> f64 {
    ((travelers.max(1) + 3) / 4) as f64
}

/// How to make one move, its minutes and its cost per person (SGD).
fn leg(trip: &Trip, from: &Attraction, to: &Attraction, km: f64) -> (Leg, f64) {
    let ko = trip.language == Language::Ko;
    let has = |t: &str| trip.transports.iter().any(|x| x == t);
    let dist = round2(km);
    let (mode, minutes, cost) = if km <= WALK_KM {
        ("walk", (km * 12.5).ceil().max(1.0) as u32, 0.0)
    } else if has("public") {
        ("public", (10.0 + km * 3.0).ceil() as u32, 1.5)
    } else if has("ride-hailing") {
        (
            "ride-hailing",
            (6.0 + km * 2.0).ceil() as u32,
            (5.0 + 0.75 * km) * cars(trip.travelers) / trip.travelers as f64,
        )
    } else if has("taxi") {
        (
            "taxi",
            (5.0 + km * 2.0).ceil() as u32,
            (4.5 + 0.7 * km) * cars(trip.travelers) / trip.travelers as f64,
        )
    } else {
        // Rental car: driving time plus finding a car park.
        (
            "rental-car",
            (10.0 + km * 2.0).ceil() as u32,
            3.0 * cars(trip.travelers) / trip.travelers as f64,
        )
    };
    let note = match (mode, ko) {
        ("walk", true) => format!("도보 약 {minutes}분 ({dist} km)"),
        ("walk", false) => format!("About {minutes} min on foot ({dist} km)"),
        ("public", true) => format!("MRT·버스 약 {minutes}분 ({dist} km, 1인 약 S$1.5)"),
        ("public", false) => {
            format!("About {minutes} min by MRT or bus ({dist} km, about S$1.5 each)")
        }
        ("ride-hailing", true) => format!("그랩 등 차량 호출 약 {minutes}분 ({dist} km)"),
        ("ride-hailing", false) => {
            format!("About {minutes} min by Grab or another ride-hailing app ({dist} km)")
        }
        ("taxi", true) => format!("택시 약 {minutes}분 ({dist} km)"),
        ("taxi", false) => format!("About {minutes} min by taxi ({dist} km)"),
        (_, true) => format!("렌터카 약 {minutes}분, 주차 시간 포함 ({dist} km)"),
        (_, false) => format!("About {minutes} min by car, parking included ({dist} km)"),
    };
    (
        Leg {
            from: from.id.clone(),
            to: to.id.clone(),
            distance_km: dist,
            minutes,
            mode: mode.to_owned(),
            note,
        },
        cost,
    )
}

fn style_label(style: &str, ko: bool) -> &'static str {
    match (style, ko) {
        ("nature", true) => "자연",
        ("nature", false) => "nature",
        ("city", true) => "도시",
        ("city", false) => "city",
        ("food", true) => "음식",
        ("food", false) => "food",
        ("luxury", true) => "럭셔리",
        ("luxury", false) => "luxury",
        ("budget", true) => "가성비",
        ("budget", false) => "budget",
        (_, true) => "아이와 함께",
        (_, false) => "with children",
    }
}

/// Our reason for a bundle in a slot.
pub fn offline_reason(trip: &Trip, slot: Slot, members: &[&Attraction], max_km: f64) -> String {
    let ko = trip.language == Language::Ko;
    let all_night = members.iter().all(|a| a.night);
    let indoor = members.iter().filter(|a| a.indoor).count();
    let shared: Vec<&str> = trip
        .styles
        .iter()
        .filter(|s| members.iter().any(|a| a.has_style(s)))
        .map(|s| style_label(s, ko))
        .collect();
    let near = if ko {
        if max_km <= WALK_KM {
            format!("모두 {max_km:.1} km 안에 있어 걸어서 둘러볼 수 있어요.")
        } else {
            format!("서로 {max_km:.1} km 안에 모여 있어 이동이 짧아요.")
        }
    } else if max_km <= WALK_KM {
        format!("All within {max_km:.1} km, so you can walk between them.")
    } else {
        format!("All within {max_km:.1} km of each other, so moves are short.")
    };
    let when = match (slot, ko) {
        (Slot::Evening, true) if all_night => {
            "밤에도 열려 있고 조명이 켜지는 곳이라 저녁에 잘 어울려요."
        }
        (Slot::Evening, false) if all_night => {
            "They are open and lit after dark, which suits the evening."
        }
        (Slot::Evening, true) => "저녁까지 문을 여는 곳들이에요.",
        (Slot::Evening, false) => "They stay open into the evening.",
        (Slot::Afternoon, true) if indoor > 0 => "더운 오후에 실내에서 쉬어 갈 곳이 있어요.",
        (Slot::Afternoon, false) if indoor > 0 => {
            "There is somewhere indoors for the hot afternoon."
        }
        (Slot::Afternoon, true) => "오후 소나기에 대비해 작은 우산을 챙기세요.",
        (Slot::Afternoon, false) => "Carry a small umbrella for the afternoon showers.",
        (Slot::Morning, true) => "선선한 오전에 둘러보기 좋아요.",
        (Slot::Morning, false) => "Best seen in the cooler morning.",
    };
    let styles = if shared.is_empty() {
        String::new()
    } else if ko {
        format!(" 고른 여행 스타일({})에 맞아요.", shared.join(", "))
    } else {
        format!(" Fits your chosen styles ({}).", shared.join(", "))
    };
    format!("{near} {when}{styles}")
}

fn unfilled_note(why: Unfilled, ko: bool) -> String {
    match (why, ko) {
        (Unfilled::NothingLeft, true) => "고른 스타일과 예산에 맞으면서 이 시간대에 갈 수 있는 곳이 더 남아 있지 않아 비워 두었어요. 자유 시간으로 쓰거나 스타일을 더 골라 보세요.".into(),
        (Unfilled::NothingLeft, false) => "Left free: no attraction left that fits your styles and budget at this time of day. Use it as free time, or choose more styles.".into(),
        (Unfilled::NoneNearby, true) => "남은 후보 가운데 5 km 안에 두 곳 이상 모인 곳이 없어 비워 두었어요. 자유 시간으로 쓰거나 스타일을 더 골라 보세요.".into(),
        (Unfilled::NoneNearby, false) => "Left free: no two of the remaining attractions are within 5 km of each other. Use it as free time, or choose more styles.".into(),
    }
}

/// The whole plan from a bundled trip; `reasons` (day, slot) replace ours where given.
pub fn compose(
    data: &Dataset,
    trip: &Trip,
    plan: &[[SlotPlan; 3]],
    reasons: &dyn Fn(usize, Slot) -> Option<String>,
) -> PlanBody {
    let ko = trip.language == Language::Ko;
    let mut attractions_sgd = 0.0;
    let mut transport_sgd = 0.0;
    let mut days = Vec::with_capacity(plan.len());
    for (d, day) in plan.iter().enumerate() {
        let date = trip.departure + time::Duration::days(d as i64);
        let mut slots = Vec::with_capacity(3);
        for (slot, sp) in Slot::ALL.iter().zip(day.iter()) {
            match sp {
                SlotPlan::Filled(members) => {
                    let list: Vec<&Attraction> =
                        members.iter().map(|&i| &data.attractions[i]).collect();
                    let mut legs = Vec::new();
                    for w in members.windows(2) {
                        let (l, cost) = leg(
                            trip,
                            &data.attractions[w[0]],
                            &data.attractions[w[1]],
                            data.km(w[0], w[1]),
                        );
                        transport_sgd += cost;
                        legs.push(l);
                    }
                    attractions_sgd += list.iter().map(|a| COST_SGD[a.cost_level()]).sum::<f64>();
                    let max_km = bundle::max_pair_km(data, members);
                    let visits = bundle::bundle_minutes(data, members)
                        - bundle::MOVE_MINUTES * (members.len() as u32 - 1);
                    let reason = reasons(d, *slot)
                        .unwrap_or_else(|| offline_reason(trip, *slot, &list, max_km));
                    slots.push(SlotView {
                        slot: slot.as_str().into(),
                        attractions: list.iter().map(|a| view(a, ko)).collect(),
                        minutes: visits + legs.iter().map(|l| l.minutes).sum::<u32>(),
                        legs,
                        max_distance_km: round2(max_km),
                        reason,
                        unfilled: None,
                        note: None,
                    });
                }
                SlotPlan::Empty(why) => slots.push(SlotView {
                    slot: slot.as_str().into(),
                    attractions: Vec::new(),
                    legs: Vec::new(),
                    max_distance_km: 0.0,
                    minutes: 0,
                    reason: String::new(),
                    unfilled: Some(why.as_str().into()),
                    note: Some(unfilled_note(*why, ko)),
                }),
            }
        }
        days.push(DayView {
            day: d as u32 + 1,
            date: date.to_string(),
            slots,
        });
    }
    // A rental car is paid by the day, shared by the party.
    if trip.transports.iter().all(|t| t == "rental-car") {
        transport_sgd += 120.0 * plan.len() as f64 * cars(trip.travelers) / trip.travelers as f64;
    }
    let total_sgd = attractions_sgd + transport_sgd;
    let total_krw = (total_sgd * KRW_PER_SGD).round() as i64;
    let budget_krw = trip.budget_krw.round() as i64;
    let within_budget = total_krw <= budget_krw;
    let mut notes = Vec::new();
    notes.push(if ko {
        format!(
            "1인 예상 비용은 입장료와 시내 이동만 더한 대략적인 금액으로 약 S${total_sgd:.0}(약 {}원)이에요. 숙박·항공·식사는 빠져 있어요.",
            group_digits(total_krw)
        )
    } else {
        format!(
            "The rough cost per person covers entry fees and local transport only: about S${total_sgd:.0} (about KRW {}). Lodging, flights and meals are not included.",
            group_digits(total_krw)
        )
    });
    if !within_budget {
        notes.push(if ko {
            "예상 비용이 예산보다 많아요. 무료 명소가 많은 '가성비' 스타일을 고르거나 일정을 줄여 보세요.".into()
        } else {
            "The estimate is over your budget: try the budget style, which favours free attractions, or a shorter trip.".into()
        });
    }
    PlanBody {
        days,
        cost: CostView {
            attractions_sgd: round1(attractions_sgd),
            transport_sgd: round1(transport_sgd),
            total_sgd: round1(total_sgd),
            total_krw,
            budget_krw,
            within_budget,
            krw_per_sgd: KRW_PER_SGD,
        },
        notes,
    }
}

/// `1234567` → `1,234,567`.
pub fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_in_threes() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(1234), "1,234");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(group_digits(-999), "-999");
    }
}
