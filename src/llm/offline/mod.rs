//! The built-in `offline` provider: confab's own assistant when no LLM is configured.
//!
//! Deterministic (same request, same answer; no clock, no randomness) and honest about
//! being offline. It answers in Korean when the request's locale is `ko` or, with no
//! locale, when the last user message contains Hangul; otherwise in English.
//! - `tech-interview`: retrieves the best-matching entries of the shipped question bank
//!   ([`interview`]) and quotes their model answers.
//! - `naming`: recommends identifiers by documented rules ([`naming`]).
//! - `travel`: general Singapore tips matched to the question's keywords.
//! - `general` and anything else: how to configure a real model, plus whatever of the
//!   above matches the message.

pub mod interview;
pub mod naming;

use futures::future::BoxFuture;

use super::{ChatRequest, Completion, LlmError, LlmProvider, TextStream};

/// The offline assistant.
#[derive(Clone, Copy, Debug, Default)]
pub struct OfflineProvider;

impl OfflineProvider {
    pub fn new() -> OfflineProvider {
        OfflineProvider
    }
}

/// Whether to answer in Korean.
pub fn korean(req: &ChatRequest) -> bool {
    match req.locale.as_deref() {
        Some(l) => l.starts_with("ko"),
        None => req.last_user_text().chars().any(is_hangul),
    }
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// A short quote of the user's message.
fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(79).collect::<String>())
    } else {
        one_line
    }
}

/// The whole answer for a request.
pub fn answer(req: &ChatRequest) -> String {
    let ko = korean(req);
    let text = req.last_user_text();
    match req.assistant.as_str() {
        "tech-interview" => interview::answer(text, ko),
        "naming" => naming::answer(text, &req.settings, ko),
        "travel" => travel(text, ko),
        _ => general(text, ko),
    }
}

fn general(text: &str, ko: bool) -> String {
    let mut out = if ko {
        format!(
            "> {}\n\n지금은 **confab 내장 오프라인 도우미**가 답하고 있어요. 설정된 언어 모델(LLM)이 없어서 자유로운 대화는 할 수 없습니다.\n\n\
             **언어 모델 연결 방법** (서버 환경 변수):\n\
             - OpenAI 호환 서버(OpenAI, Ollama, vLLM 등): `CONFAB_LLM_PROVIDER=openai`, `CONFAB_LLM_BASE_URL=http://127.0.0.1:11434/v1`(Ollama 예시), `CONFAB_LLM_MODEL=모델이름`, 필요하면 `CONFAB_LLM_API_KEY`\n\
             - Gemini: `CONFAB_LLM_PROVIDER=gemini`, `CONFAB_LLM_API_KEY=키`\n\n\
             **오프라인에서도 되는 것**: *기술면접 도우미* 방은 내장 질문 은행에서 답을 찾아 주고, *변수명 추천* 방은 언어와 규칙에 맞는 이름을 추천합니다.",
            quote(text)
        )
    } else {
        format!(
            "> {}\n\nThis is **confab's built-in offline assistant**: no language model (LLM) is configured, so open-ended chat is not available.\n\n\
             **To connect a model** (server environment variables):\n\
             - Any OpenAI-compatible server (OpenAI, Ollama, vLLM, …): `CONFAB_LLM_PROVIDER=openai`, `CONFAB_LLM_BASE_URL=http://127.0.0.1:11434/v1` (Ollama), `CONFAB_LLM_MODEL=<model>`, and `CONFAB_LLM_API_KEY` if needed\n\
             - Gemini: `CONFAB_LLM_PROVIDER=gemini`, `CONFAB_LLM_API_KEY=<key>`\n\n\
             **What works offline**: *Tech interview* rooms answer from the built-in question bank, and *Naming assistant* rooms recommend names for your language and convention.",
            quote(text)
        )
    };
    if naming::looks_like_naming_request(text) {
        out.push_str("\n\n---\n\n");
        out.push_str(&naming::answer(text, &serde_json::Value::Null, ko));
    } else if let Some(found) = interview::best_match(text) {
        out.push_str("\n\n---\n\n");
        out.push_str(&interview::render_entries(&[found], ko));
    }
    out
}

fn travel(text: &str, ko: bool) -> String {
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

fn refuse_structured(req: &ChatRequest) -> Result<(), LlmError> {
    if req.json_schema.is_some() {
        Err(LlmError::Config(
            "the offline assistant does not produce structured output".into(),
        ))
    } else {
        Ok(())
    }
}

/// Splits text into word-sized pieces that concatenate back to it exactly.
pub fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_whitespace() && !current.trim().is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl LlmProvider for OfflineProvider {
    fn name(&self) -> &'static str {
        "offline"
    }

    fn complete<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<Completion, LlmError>> {
        Box::pin(async move {
            refuse_structured(req)?;
            Ok(Completion {
                text: answer(req),
                model: "offline".to_owned(),
            })
        })
    }

    fn stream<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<TextStream, LlmError>> {
        Box::pin(async move {
            refuse_structured(req)?;
            let stream: TextStream = Box::pin(futures::stream::iter(
                pieces(&answer(req)).into_iter().map(Ok),
            ));
            Ok(stream)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ChatMessage, JsonSchema, Role};
    use futures::StreamExt as _;

    fn req(assistant: &str, text: &str, settings: serde_json::Value) -> ChatRequest {
        ChatRequest {
            assistant: assistant.into(),
            settings,
            locale: None,
            messages: vec![
                ChatMessage::new(Role::System, "sys"),
                ChatMessage::new(Role::User, text),
            ],
            json_schema: None,
            max_tokens: None,
        }
    }

    #[tokio::test]
    async fn answers_are_deterministic_and_streams_concatenate_to_them() {
        let p = OfflineProvider::new();
        for r in [
            req("general", "hello there", serde_json::Value::Null),
            req(
                "tech-interview",
                "프로세스와 스레드의 차이",
                serde_json::Value::Null,
            ),
            req(
                "naming",
                "function that multiplies two numbers",
                serde_json::json!({"language": "python"}),
            ),
            req("travel", "Will it rain?", serde_json::Value::Null),
        ] {
            let a = p.complete(&r).await.expect("answer").text;
            assert_eq!(a, p.complete(&r).await.expect("answer").text);
            let streamed: Vec<_> = p.stream(&r).await.expect("stream").collect().await;
            let joined: String = streamed.into_iter().map(|x| x.expect("piece")).collect();
            assert_eq!(joined, a);
        }
    }

    #[tokio::test]
    async fn the_language_follows_the_locale_or_the_text() {
        let p = OfflineProvider::new();
        let ko = p
            .complete(&req("general", "안녕하세요", serde_json::Value::Null))
            .await
            .expect("a")
            .text;
        assert!(ko.contains("오프라인"));
        let mut en = req("general", "안녕하세요", serde_json::Value::Null);
        en.locale = Some("en".into());
        assert!(
            p.complete(&en)
                .await
                .expect("a")
                .text
                .contains("offline assistant")
        );
    }

    #[tokio::test]
    async fn structured_output_is_refused() {
        let mut r = req("general", "hi", serde_json::Value::Null);
        r.json_schema = Some(JsonSchema {
            name: "x".into(),
            schema: serde_json::json!({}),
        });
        assert!(OfflineProvider::new().complete(&r).await.is_err());
        assert!(OfflineProvider::new().stream(&r).await.is_err());
    }

    #[test]
    fn pieces_rejoin_exactly() {
        for s in ["", "one", " lead  and trail ", "줄\n바꿈 test"] {
            assert_eq!(pieces(s).concat(), s);
        }
    }
}
