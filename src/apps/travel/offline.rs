//! The travel assistant's offline answers. In a plan's follow-up room they come from the
//! plan and the dataset: a question about a day and slot ("3일차 저녁을 실내로 바꿔줘",
//! "indoor options for day 2 afternoon") gets nearby alternatives that are not in the plan
//! (indoor ones, food, or any), each within 5 km of that slot's bundle; otherwise general
//! Singapore tips matched to the question's keywords.

use std::collections::HashSet;

use serde_json::Value;

use super::bundle::{self, Slot};
use super::data::{Dataset, haversine_km};
use crate::llm::offline::quote;

/// The day number a question names: `3일차`, `3일째`, `셋째 날`, `day 3`, `3rd day`.
pub fn day_of(text: &str) -> Option<usize> {
    let lower = text.to_lowercase();
    const ORDINALS: [(&str, usize); 10] = [
        ("첫째 날", 1),
        ("첫날", 1),
        ("둘째 날", 2),
        ("셋째 날", 3),
        ("넷째 날", 4),
        ("다섯째 날", 5),
        ("여섯째 날", 6),
        ("일곱째 날", 7),
        ("여덟째 날", 8),
        ("마지막 날", 0),
    ];
    let chars: Vec<char> = lower.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if !c.is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            continue;
        }
        let digits: String = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let rest: String = chars[i + digits.len()..].iter().collect();
        let before: String = chars[..i].iter().collect();
        let rest_t = rest.trim_start();
        let named = rest_t.starts_with("일차")
            || rest_t.starts_with("일째")
            || rest_t.starts_with("번째 날")
            || rest_t.starts_with("째 날")
            || rest_t.starts_with("st day")
            || rest_t.starts_with("nd day")
            || rest_t.starts_with("rd day")
            || rest_t.starts_with("th day")
            || before.trim_end().ends_with("day");
        if named && let Ok(n) = digits.parse::<usize>() {
            return Some(n);
        }
    }
    ORDINALS
        .iter()
        .find(|(word, _)| lower.contains(word))
        .map(|(_, n)| *n)
}

/// The slot a question names.
pub fn slot_of(text: &str) -> Option<Slot> {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["저녁", "밤", "야간", "evening", "night", "tonight"]) {
        Some(Slot::Evening)
    } else if has(&["오후", "점심", "afternoon", "lunch"]) {
        Some(Slot::Afternoon)
    } else if has(&["오전", "아침", "morning"]) {
        Some(Slot::Morning)
    } else {
        None
    }
}

fn slot_label(slot: Slot, ko: bool) -> &'static str {
    match (slot, ko) {
        (Slot::Morning, true) => "오전",
        (Slot::Afternoon, true) => "오후",
        (Slot::Evening, true) => "저녁",
        (Slot::Morning, false) => "morning",
        (Slot::Afternoon, false) => "afternoon",
        (Slot::Evening, false) => "evening",
    }
}

/// What kind of alternative a question asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Indoor,
    Food,
    Any,
}

/// Answers in a plan's room from the plan (`plan`: the ids by day and slot) and the
/// dataset; without a plan, or when the question names no day, general tips.
pub fn answer_with_plan(data: &Dataset, plan: Option<&Value>, text: &str, ko: bool) -> String {
    let Some(plan) = plan else {
        return answer(text, ko);
    };
    let days = plan.get("days").and_then(Value::as_array);
    let Some(days) = days else {
        return answer(text, ko);
    };
    let in_plan: HashSet<&str> = days
        .iter()
        .filter_map(|d| d.get("slots").and_then(Value::as_array))
        .flatten()
        .filter_map(|s| s.get("ids").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let (Some(day), Some(slot)) = (day_of(text), slot_of(text)) else {
        return answer(text, ko);
    };
    let day = if day == 0 { days.len() } else { day };
    let ids: Vec<usize> = days
        .get(day.wrapping_sub(1))
        .and_then(|d| d.get("slots"))
        .and_then(Value::as_array)
        .and_then(|slots| {
            slots
                .iter()
                .find(|s| s.get("slot").and_then(Value::as_str) == Some(slot.as_str()))
        })
        .and_then(|s| s.get("ids"))
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .filter_map(|id| data.index_of(id))
                .collect()
        })
        .unwrap_or_default();
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let want = if has(&[
        "실내",
        "비 ",
        "비가",
        "비와",
        "우천",
        "에어컨",
        "indoor",
        "inside",
        "rain",
    ]) {
        Want::Indoor
    } else if has(&[
        "맛집", "음식", "먹", "식사", "food", "eat", "hawker", "dinner", "lunch",
    ]) {
        Want::Food
    } else {
        Want::Any
    };
    let when = if ko {
        format!("{day}일차 {}", slot_label(slot, true))
    } else {
        format!("day {day} {}", slot_label(slot, false))
    };
    if ids.is_empty() {
        return if ko {
            format!(
                "> {}

계획에 {when} 일정이 없어요. 계획은 {}일짜리예요.",
                quote(text),
                days.len()
            )
        } else {
            format!(
                "> {}

The plan has nothing for {when}; it is {} days long.",
                quote(text),
                days.len()
            )
        };
    }
    let (lat, lng) = bundle::centroid(data, &ids);
    let mut options: Vec<(usize, f64)> = data
        .attractions
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            !in_plan.contains(a.id.as_str())
                && !ids.contains(i)
                && bundle::fits_slot(a, slot)
                && match want {
                    Want::Indoor => a.indoor,
                    Want::Food => {
                        a.has_style("food")
                            || matches!(
                                a.category.as_str(),
                                "hawker-centre" | "food-street" | "market"
                            )
                    }
                    Want::Any => true,
                }
        })
        .map(|(i, a)| (i, haversine_km(lat, lng, a.lat, a.lng)))
        .filter(|(_, km)| *km <= bundle::MAX_PAIR_KM)
        .collect();
    options.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    options.truncate(4);
    let current: Vec<&str> = ids
        .iter()
        .map(|&i| data.attractions[i].name.get(ko))
        .collect();
    let kind = match (want, ko) {
        (Want::Indoor, true) => "실내 명소",
        (Want::Food, true) => "먹거리",
        (Want::Any, true) => "다른 명소",
        (Want::Indoor, false) => "indoor places",
        (Want::Food, false) => "places to eat",
        (Want::Any, false) => "other places",
    };
    let mut out = format!(
        "> {}

",
        quote(text)
    );
    if options.is_empty() {
        out.push_str(&if ko {
            format!(
                "{when} 일정({}) 근처 5 km 안에는 계획에 없는 {kind}가 더 없어요.",
                current.join(", ")
            )
        } else {
            format!(
                "There are no more {kind} within 5 km of your {when} bundle ({}) that are not already in the plan.",
                current.join(", ")
            )
        });
    } else {
        out.push_str(&if ko {
            format!(
                "{when} 일정({}) 대신 갈 만한, 근처의 계획에 없는 {kind}예요:

",
                current.join(", ")
            )
        } else {
            format!(
                "Instead of your {when} bundle ({}), these nearby {kind} are not in your plan yet:

",
                current.join(", ")
            )
        });
        for (i, km) in &options {
            let a = &data.attractions[*i];
            let tag = match (a.indoor, ko) {
                (true, true) => "실내",
                (false, true) => "야외",
                (true, false) => "indoor",
                (false, false) => "outdoor",
            };
            let cost = if a.cost == "free" {
                if ko { "무료" } else { "free" }
            } else {
                a.cost.as_str()
            };
            out.push_str(&format!(
                "- **{}** ({km:.1} km, {tag}, {cost}): {}
",
                a.name.get(ko),
                a.description.get(ko)
            ));
        }
    }
    out.push_str(if ko {
        "
_confab 오프라인 도우미가 여행 데이터로 답했어요. 저장된 계획은 바뀌지 않아요._"
    } else {
        "
_Answered by confab's offline assistant from the travel data; your saved plan is unchanged._"
    });
    out
}

/// General Singapore tips matched to the question's keywords.
pub fn answer(text: &str, ko: bool) -> String {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let mut tips: Vec<(&str, &str)> = Vec::new();
    if has(&["rain", "weather", "hot", "비", "날씨", "더위", "우산"]) {
        tips.push(("싱가포르는 일 년 내내 덥고 습하며(보통 25–32°C) 오후에 짧고 강한 소나기가 잦아요. 작은 우산을 챙기고 야외 일정은 오전에 두세요.",
                   "Singapore is hot and humid all year (about 25–32°C) with short, heavy afternoon showers. Carry a small umbrella and put outdoor plans in the morning."));
    }
    if has(&[
        "mrt",
        "bus",
        "transport",
        "taxi",
        "grab",
        "지하철",
        "버스",
        "교통",
        "택시",
    ]) {
        tips.push(("MRT와 버스는 비접촉 카드(Visa/Mastercard)나 EZ-Link 카드로 탈 수 있고, 환승이 쉬워 대부분의 명소를 대중교통으로 갈 수 있어요. 늦은 밤이나 짐이 많을 땐 택시나 Grab이 편합니다.",
                   "MRT trains and buses take contactless bank cards (Visa/Mastercard) or an EZ-Link card, and reach most sights. Taxis or Grab are easier late at night or with luggage."));
    }
    if has(&["food", "eat", "hawker", "음식", "맛집", "먹", "식사"]) {
        tips.push(("호커 센터(예: Maxwell, Lau Pa Sat)에서는 치킨라이스나 락사를 보통 S$4–8에 먹을 수 있어요.",
                   "Hawker centres (e.g. Maxwell, Lau Pa Sat) serve chicken rice or laksa for about S$4–8."));
    }
    if has(&[
        "money", "budget", "cost", "sgd", "돈", "예산", "비용", "환전",
    ]) {
        tips.push(("통화는 싱가포르 달러(SGD)이고 카드 결제가 널리 됩니다. 숙박비가 가장 큰 비용이니 예산은 숙소부터 정하세요.",
                   "The currency is the Singapore dollar (SGD) and cards are accepted almost everywhere. Lodging is the biggest cost, so budget for it first."));
    }
    if tips.is_empty() {
        tips.push(("싱가포르는 작고 안전하며 대중교통이 잘 되어 있어 하루에 가까운 명소 두세 곳을 묶어 다니기 좋아요.",
                   "Singapore is compact, safe and well connected, so grouping two or three nearby sights per half day works well."));
    }
    let body: Vec<String> = tips
        .iter()
        .map(|(k, e)| format!("- {}", if ko { k } else { e }))
        .collect();
    if ko {
        format!(
            "> {}\n\n**confab 오프라인 도우미**의 일반 안내예요:\n\n{}\n\n언어 모델을 설정하면 여행 계획에 맞춘 구체적인 답을 받을 수 있어요.",
            quote(text),
            body.join("\n")
        )
    } else {
        format!(
            "> {}\n\nGeneral tips from **confab's offline assistant**:\n\n{}\n\nWith a language model configured you get answers specific to your plan.",
            quote(text),
            body.join("\n")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn days_and_slots_are_read_in_korean_and_english() {
        assert_eq!(day_of("3일차 저녁을 실내로 바꿔줘"), Some(3));
        assert_eq!(day_of("12일째 오전"), Some(12));
        assert_eq!(day_of("셋째 날 오후"), Some(3));
        assert_eq!(day_of("indoor options for day 2 afternoon"), Some(2));
        assert_eq!(day_of("the 4th day"), Some(4));
        assert_eq!(day_of("S$30 is fine"), None);
        assert_eq!(slot_of("3일차 저녁을 실내로"), Some(Slot::Evening));
        assert_eq!(slot_of("day 2 afternoon"), Some(Slot::Afternoon));
        assert_eq!(slot_of("아침에"), Some(Slot::Morning));
    }

    #[test]
    fn an_indoor_request_gets_indoor_places_near_that_bundle_not_in_the_plan() {
        let data = Dataset::shipped().expect("dataset");
        let plan = json!({"days": [
            {"day": 1, "slots": [{"slot": "evening", "ids": ["gardens-by-the-bay", "merlion-park"]}]}
        ]});
        let text = answer_with_plan(&data, Some(&plan), "1일차 저녁을 실내로 바꿔줘", true);
        assert!(text.contains("1일차 저녁"), "{text}");
        assert!(text.contains("실내"), "{text}");
        assert!(!text.contains("**가든스 바이 더 베이**"), "{text}");
        let listed = text.lines().filter(|l| l.starts_with("- **")).count();
        assert!((1..=4).contains(&listed), "{text}");
        for line in text.lines().filter(|l| l.starts_with("- **")) {
            assert!(line.contains("실내"), "{line}");
        }
    }
}
