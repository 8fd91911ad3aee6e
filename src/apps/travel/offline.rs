//! The travel assistant's offline answers: general Singapore tips matched to the
//! question's keywords.

use crate::llm::offline::quote;

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
