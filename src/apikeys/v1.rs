//! The OpenAI-compatible endpoint: `GET /v1/models`, `GET /v1/models/{id}` and
//! `POST /v1/chat/completions`, authenticated by personal API keys only.
//!
//! A completion is stateless (no room is stored) and spends one `chat` slot, reserved
//! before the model call: kept when the model produced text, refunded when it failed
//! before any, or when the offline assistant only said that no model is connected. The
//! call belongs to the client: a disconnect drops the upstream call, and the slot is then
//! settled by the same rule ([`Hold`]).

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use serde_json::{Value, json};
use uuid::Uuid;

use super::auth::KeyCaller;
use super::prepare::prepare;
use super::wire::{CompletionRequest, OpenAiError, Usage, V1Json, estimate_tokens};
use crate::chat::assistants::{ASSISTANTS, Assistant};
use crate::llm::{LlmProvider, TextStream, prefix_within};
use crate::quota::{self, Reservation, Scope};
use crate::state::AppState;

/// Assistants are offered as `confab-<assistant id>`.
pub const ASSISTANT_MODEL_PREFIX: &str = "confab-";
/// Most messages in one request.
pub(super) const MAX_MESSAGES: usize = 500;
/// `created` of every listed model (they are not versioned).
const MODELS_CREATED: i64 = 1_735_689_600;

pub(super) type V1Result<T> = Result<T, OpenAiError>;

/// What a `model` names.
pub(super) struct Target {
    pub(super) id: String,
    /// The assistant whose system prompt and offline behaviour answer; `None` for the
    /// configured model, which gets the caller's messages as they are.
    pub(super) assistant: Option<&'static Assistant>,
}

/// The configured upstream model's id (`offline` for the built-in assistant).
pub fn configured_model(state: &AppState) -> String {
    let config = &state.config;
    match config.llm_provider.as_str() {
        "offline" => "offline".to_owned(),
        "gemini" => config
            .llm_model
            .clone()
            .unwrap_or_else(|| crate::llm::gemini::DEFAULT_MODEL.to_owned()),
        _ => config
            .llm_model
            .clone()
            .unwrap_or_else(|| crate::llm::openai::DEFAULT_MODEL.to_owned()),
    }
}

fn targets(state: &AppState) -> Vec<Target> {
    let mut all = vec![Target {
        id: configured_model(state),
        assistant: None,
    }];
    all.extend(ASSISTANTS.iter().map(|a| Target {
        id: format!("{ASSISTANT_MODEL_PREFIX}{}", a.id),
        assistant: Some(a),
    }));
    all
}

pub(super) fn find_target(state: &AppState, model: &str) -> V1Result<Target> {
    targets(state)
        .into_iter()
        .find(|t| t.id == model)
        .ok_or_else(|| OpenAiError::model_not_found(model))
}

fn model_object(id: &str) -> Value {
    json!({"id": id, "object": "model", "created": MODELS_CREATED, "owned_by": "confab"})
}

/// `GET /v1/models`: the configured model, then the assistants.
pub async fn list_models(State(state): State<AppState>, _caller: KeyCaller) -> Json<Value> {
    let data: Vec<Value> = targets(&state)
        .iter()
        .map(|t| model_object(&t.id))
        .collect();
    Json(json!({"object": "list", "data": data}))
}

/// `GET /v1/models/{id}`.
pub async fn get_model(
    State(state): State<AppState>,
    _caller: KeyCaller,
    Path(id): Path<String>,
) -> V1Result<Json<Value>> {
    let target = find_target(&state, &id)?;
    Ok(Json(model_object(&target.id)))
}

/// Any other path under `/v1`.
pub async fn unknown_route() -> OpenAiError {
    OpenAiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "unknown_url",
        "confab offers GET /v1/models and POST /v1/chat/completions",
    )
}

/// A method a `/v1` path does not take.
pub async fn method_not_allowed() -> OpenAiError {
    OpenAiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        "method_not_allowed",
        "this path does not take this method",
    )
}

fn provider_for(state: &AppState, target: &Target) -> std::sync::Arc<dyn LlmProvider> {
    match target.assistant {
        Some(a) => state.llm.for_app(a.id),
        None => state.llm.default_provider(),
    }
}

/// A reserved `chat` slot that is settled exactly once: by [`Hold::settle`], or, when the
/// request is dropped first (the client went away), in the background by the same rule.
struct Hold {
    state: AppState,
    reservation: Option<Reservation>,
    /// Whether the model produced text (the slot is then kept).
    produced: bool,
    /// The offline assistant's free reply: refunded even with text.
    free: bool,
}

impl Hold {
    async fn settle(&mut self) {
        if let Some(reservation) = self.reservation.take() {
            settle(&self.state, &reservation, self.produced && !self.free).await;
        }
    }
}

async fn settle(state: &AppState, reservation: &Reservation, keep: bool) {
    if keep {
        quota::keep(state, reservation).await;
    } else if let Err(err) = quota::refund(state, reservation).await {
        tracing::error!(error = %err, "could not refund a quota slot");
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if let Some(reservation) = self.reservation.take() {
            let keep = self.produced && !self.free;
            let state = self.state.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { settle(&state, &reservation, keep).await });
            }
        }
    }
}

/// `POST /v1/chat/completions`.
pub async fn chat_completions(
    State(state): State<AppState>,
    caller: KeyCaller,
    V1Json(req): V1Json<CompletionRequest>,
) -> V1Result<Response> {
    let prepared = prepare(&state, req)?;
    let provider = provider_for(&state, &prepared.target);
    let reservation = quota::reserve(&state, caller.user_id, Scope::Chat).await?;
    let limits = reservation.headers();
    let mut hold = Hold {
        state: state.clone(),
        free: provider.free_reply(&prepared.request),
        reservation: Some(reservation),
        produced: false,
    };
    let id = format!("chatcmpl-{}", Uuid::now_v7().simple());
    let created = time::OffsetDateTime::now_utc().unix_timestamp();
    let cap = usize::try_from(state.config.llm_max_answer_bytes).unwrap_or(usize::MAX);
    if prepared.stream {
        let upstream = match provider.stream(prepared.request).await {
            Ok(upstream) => upstream,
            Err(err) => {
                hold.settle().await;
                return Err(err.into());
            }
        };
        let relay = Relay {
            upstream: Some(upstream),
            hold,
            meta: json!({"id": id, "object": "chat.completion.chunk", "created": created,
                "model": prepared.target.id, "system_fingerprint": null}),
            include_usage: prepared.include_usage,
            prompt_tokens: prepared.prompt_tokens,
            text: String::new(),
            cap,
            phase: Phase::Start,
        };
        let events = futures::stream::unfold(relay, |mut relay| async move {
            let event = relay.next_event().await?;
            Some((Ok::<_, Infallible>(event), relay))
        });
        let mut response = Sse::new(events)
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
            .into_response();
        response
            .headers_mut()
            .insert("x-accel-buffering", HeaderValue::from_static("no"));
        response.headers_mut().extend(limits);
        return Ok(response);
    }
    let completion = match provider.complete(&prepared.request).await {
        Ok(completion) => completion,
        Err(err) => {
            hold.settle().await;
            return Err(err.into());
        }
    };
    let text = prefix_within(&completion.text, cap);
    let finish_reason = if text.len() < completion.text.len() {
        "length"
    } else {
        "stop"
    };
    hold.produced = !text.is_empty();
    hold.settle().await;
    let usage = Usage::new(prepared.prompt_tokens, estimate_tokens(text));
    let body = json!({
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": prepared.target.id,
        "system_fingerprint": null,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text, "refusal": null},
            "logprobs": null,
            "finish_reason": finish_reason,
        }],
        "usage": usage,
    });
    let mut headers = HeaderMap::new();
    headers.extend(limits);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, Json(body)).into_response())
}

enum Phase {
    Start,
    Body,
    Finish(&'static str),
    Usage,
    Done,
    End,
}

/// Turns the provider's text stream into OpenAI's chunks: the role, the content deltas,
/// the finish reason, the usage when asked, then `[DONE]`. A stream that breaks sends an
/// error chunk and ends without `[DONE]`, as OpenAI's does.
struct Relay {
    upstream: Option<TextStream>,
    hold: Hold,
    meta: Value,
    include_usage: bool,
    prompt_tokens: u64,
    /// The text sent so far (at most the answer cap), for the usage estimate.
    text: String,
    cap: usize,
    phase: Phase,
}

impl Relay {
    fn chunk(&self, choices: Value, usage: Option<Usage>) -> Event {
        let mut chunk = self.meta.clone();
        chunk["choices"] = choices;
        if self.include_usage {
            chunk["usage"] = json!(usage);
        }
        Event::default().data(chunk.to_string())
    }

    fn delta(&self, delta: Value, finish_reason: Option<&str>) -> Event {
        self.chunk(
            json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]),
            None,
        )
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            match self.phase {
                Phase::Start => {
                    self.phase = Phase::Body;
                    return Some(self.delta(json!({"role": "assistant", "content": ""}), None));
                }
                Phase::Body => {
                    let next = match self.upstream.as_mut() {
                        Some(upstream) => upstream.next().await,
                        None => None,
                    };
                    match next {
                        None => self.phase = Phase::Finish("stop"),
                        Some(Ok(piece)) => {
                            let kept =
                                prefix_within(&piece, self.cap.saturating_sub(self.text.len()));
                            if kept.len() < piece.len() {
                                self.upstream = None;
                                self.phase = Phase::Finish("length");
                            }
                            if kept.is_empty() {
                                continue;
                            }
                            self.text.push_str(kept);
                            self.hold.produced = true;
                            return Some(self.delta(json!({"content": kept}), None));
                        }
                        Some(Err(err)) => {
                            self.upstream = None;
                            self.hold.settle().await;
                            self.phase = Phase::End;
                            let error = OpenAiError::from(err);
                            return Some(Event::default().data(error.body().to_string()));
                        }
                    }
                }
                Phase::Finish(reason) => {
                    self.upstream = None;
                    self.hold.settle().await;
                    self.phase = if self.include_usage {
                        Phase::Usage
                    } else {
                        Phase::Done
                    };
                    return Some(self.delta(json!({}), Some(reason)));
                }
                Phase::Usage => {
                    self.phase = Phase::Done;
                    let usage = Usage::new(self.prompt_tokens, estimate_tokens(&self.text));
                    return Some(self.chunk(json!([]), Some(usage)));
                }
                Phase::Done => {
                    self.phase = Phase::End;
                    return Some(Event::default().data("[DONE]"));
                }
                Phase::End => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_keeps_whole_characters() {
        assert_eq!(prefix_within("가나", 4), "가");
        assert_eq!(prefix_within("ab", 5), "ab");
    }
}
