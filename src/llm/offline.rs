//! The built-in `offline` provider: confab's own assistant when no LLM is configured.
//!
//! Deterministic (same request, same answer; no clock, no randomness) and honest about
//! being offline. It answers in Korean when the request's locale is `ko` or, with no
//! locale, when the last user message contains Hangul; otherwise in English.
//!
//! This module knows no app: each app registers an [`OfflineAnswerer`] for its assistant
//! at start-up (the interview app answers `tech-interview` from its question bank, the
//! naming app `naming` by its rules, …). `general`, and any assistant without an
//! answerer, gets the first registered answerer's aside that matches the message, or a
//! short reply that no model is connected, which costs no quota
//! ([`LlmProvider::free_reply`]).

use std::sync::Arc;

use futures::future::BoxFuture;

use super::{ChatRequest, Completion, LlmError, LlmProvider, TextStream};

/// An app's offline answers.
pub trait OfflineAnswerer: Send + Sync {
    /// The whole answer to a request addressed to this answerer's assistant.
    fn answer(&self, req: &ChatRequest, ko: bool) -> String;

    /// A short section for the `general` assistant when `text` is this app's business.
    fn aside(&self, _text: &str, _ko: bool) -> Option<String> {
        None
    }
}

/// The answerers, by assistant id, in registration order.
#[derive(Clone, Default)]
pub struct OfflineAnswerers {
    by_assistant: Vec<(String, Arc<dyn OfflineAnswerer>)>,
}

impl OfflineAnswerers {
    /// Answers `assistant`'s requests with `answerer` (a later registration wins).
    pub fn register(&mut self, assistant: &str, answerer: impl OfflineAnswerer + 'static) {
        self.by_assistant.retain(|(id, _)| id != assistant);
        self.by_assistant
            .push((assistant.to_owned(), Arc::new(answerer)));
    }

    fn get(&self, assistant: &str) -> Option<&dyn OfflineAnswerer> {
        self.by_assistant
            .iter()
            .find(|(id, _)| id == assistant)
            .map(|(_, a)| a.as_ref())
    }
}

/// The offline assistant.
#[derive(Clone, Default)]
pub struct OfflineProvider {
    answerers: OfflineAnswerers,
}

impl OfflineProvider {
    pub fn new(answerers: OfflineAnswerers) -> OfflineProvider {
        OfflineProvider { answerers }
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
pub fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(79).collect::<String>())
    } else {
        one_line
    }
}

impl OfflineProvider {
    /// The whole answer for a request.
    pub fn answer(&self, req: &ChatRequest) -> String {
        let ko = korean(req);
        match self.answerers.get(&req.assistant) {
            Some(answerer) => answerer.answer(req, ko),
            None => self.general(req.last_user_text(), ko),
        }
    }

    /// The aside of the first registered answerer that knows about `text`.
    fn aside(&self, text: &str, ko: bool) -> Option<String> {
        self.answerers
            .by_assistant
            .iter()
            .find_map(|(_, a)| a.aside(text, ko))
    }

    /// `general` (and any assistant without an answerer): what the built-in knowledge says
    /// about the message, with a one-line note that no model answered; or, when it knows
    /// nothing, a short honest reply. How to connect a model is in the UI's help, not here.
    fn general(&self, text: &str, ko: bool) -> String {
        match self.aside(text, ko) {
            Some(aside) => format!("{aside}\n\n_{}_", knowledge_note(ko)),
            None => no_model(ko).to_owned(),
        }
    }

    /// Whether the answer to `req` would only say that no model is connected (it then
    /// costs no quota: nothing was answered).
    pub fn only_says_no_model(&self, req: &ChatRequest) -> bool {
        self.answerers.get(&req.assistant).is_none()
            && self.aside(req.last_user_text(), korean(req)).is_none()
    }
}

fn knowledge_note(ko: bool) -> &'static str {
    if ko {
        "언어 모델이 연결되어 있지 않아 confab에 내장된 자료로 답했어요."
    } else {
        "No language model is connected, so this answer comes from confab's built-in knowledge."
    }
}

fn no_model(ko: bool) -> &'static str {
    if ko {
        "지금은 언어 모델이 연결되어 있지 않아서 이 질문에는 답할 수 없어요. \
         **기술면접 도우미**와 **변수명 추천** 방은 내장 자료로 바로 답할 수 있어요. \
         모델을 연결하는 방법은 화면의 도움말에 있어요. 이 답은 오늘 사용량에 포함되지 않아요."
    } else {
        "No language model is connected right now, so I can't answer this. \
         **Tech interview** and **Naming assistant** rooms answer from built-in knowledge. \
         The help page shows how to connect a model. This reply does not count against your daily limit."
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

    fn free_reply(&self, req: &ChatRequest) -> bool {
        self.only_says_no_model(req)
    }

    fn complete<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<Completion, LlmError>> {
        Box::pin(async move {
            refuse_structured(req)?;
            Ok(Completion {
                text: self.answer(req),
                model: "offline".to_owned(),
            })
        })
    }

    fn stream(&self, req: ChatRequest) -> BoxFuture<'_, Result<TextStream, LlmError>> {
        Box::pin(async move {
            refuse_structured(&req)?;
            let stream: TextStream = Box::pin(futures::stream::iter(
                pieces(&self.answer(&req)).into_iter().map(Ok),
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

    fn req(assistant: &str, text: &str) -> ChatRequest {
        ChatRequest {
            assistant: assistant.into(),
            settings: serde_json::Value::Null,
            locale: None,
            messages: vec![
                ChatMessage::new(Role::System, "sys"),
                ChatMessage::new(Role::User, text),
            ],
            json_schema: None,
            max_tokens: None,
        }
    }

    /// Echoes, and adds an aside to `general` for messages about echoes.
    struct Echo;

    impl OfflineAnswerer for Echo {
        fn answer(&self, req: &ChatRequest, ko: bool) -> String {
            format!("echo({ko}): {}", req.last_user_text())
        }
        fn aside(&self, text: &str, _ko: bool) -> Option<String> {
            text.contains("echo").then(|| "about echoes".to_owned())
        }
    }

    fn provider() -> OfflineProvider {
        let mut answerers = OfflineAnswerers::default();
        answerers.register("echo", Echo);
        OfflineProvider::new(answerers)
    }

    #[tokio::test]
    async fn answers_are_deterministic_and_streams_concatenate_to_them() {
        let p = provider();
        for r in [
            req("general", "hello there"),
            req("echo", "프로세스와 스레드"),
        ] {
            let a = p.complete(&r).await.expect("answer").text;
            assert_eq!(a, p.complete(&r).await.expect("answer").text);
            let streamed: Vec<_> = p.stream(r.clone()).await.expect("stream").collect().await;
            let joined: String = streamed.into_iter().map(|x| x.expect("piece")).collect();
            assert_eq!(joined, a);
        }
    }

    #[tokio::test]
    async fn each_assistant_gets_its_registered_answerer_and_general_its_asides() {
        let p = provider();
        let echoed = p.complete(&req("echo", "안녕")).await.expect("a").text;
        assert_eq!(echoed, "echo(true): 안녕");
        let general = p
            .complete(&req("general", "an echo?"))
            .await
            .expect("a")
            .text;
        assert!(general.starts_with("about echoes"), "{general}");
        assert!(general.contains("built-in knowledge"), "{general}");
        assert!(!p.free_reply(&req("general", "an echo?")));
        let plain = p.complete(&req("unknown", "hi")).await.expect("a").text;
        assert!(!plain.contains("about echoes"));
        assert!(p.free_reply(&req("unknown", "hi")));
        assert!(!p.free_reply(&req("echo", "hi")), "an answerer answers");
    }

    #[tokio::test]
    async fn a_reply_with_nothing_to_say_is_short_honest_and_free() {
        let p = provider();
        for (text, word) in [
            ("hello there", "No language model"),
            ("안녕하세요", "언어 모델"),
        ] {
            let r = req("general", text);
            let answer = p.complete(&r).await.expect("a").text;
            assert!(answer.contains(word), "{answer}");
            assert!(answer.chars().count() < 260, "short: {answer}");
            assert!(
                !answer.contains("CONFAB_"),
                "no configuration in every message: {answer}"
            );
            assert!(p.free_reply(&r));
        }
    }

    #[tokio::test]
    async fn the_language_follows_the_locale_or_the_text() {
        let p = provider();
        let ko = p
            .complete(&req("general", "안녕하세요"))
            .await
            .expect("a")
            .text;
        assert!(ko.contains("언어 모델"));
        let mut en = req("general", "안녕하세요");
        en.locale = Some("en".into());
        assert!(
            p.complete(&en)
                .await
                .expect("a")
                .text
                .contains("No language model")
        );
    }

    #[tokio::test]
    async fn structured_output_is_refused() {
        let mut r = req("general", "hi");
        r.json_schema = Some(JsonSchema {
            name: "x".into(),
            schema: serde_json::json!({}),
        });
        assert!(provider().complete(&r).await.is_err());
        assert!(provider().stream(r).await.is_err());
    }

    #[test]
    fn pieces_rejoin_exactly() {
        for s in ["", "one", " lead  and trail ", "줄\n바꿈 test"] {
            assert_eq!(pieces(s).concat(), s);
        }
    }
}
