//! Interview sessions: start (one `interview` quota slot), answer each question once,
//! finish with an overall score, list, reopen and delete.
//!
//! The overall score is the mean over *all* questions with skipped ones counting 0,
//! rounded to one decimal; answering and finishing never cost quota.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::bank::{self, KeyPoint};
use super::repo::{self, NewQuestion, QuestionRow, SessionRow};
use super::{CAREERS, FIELDS, Language, llm, parse_career, parse_field};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::Page;
use crate::extract::{AppJson, Pagination};
use crate::quota::{self, Scope};
use crate::state::AppState;

/// Questions in a session unless asked otherwise, and the most allowed.
pub const DEFAULT_COUNT: u32 = 10;
pub const MAX_COUNT: u32 = 10;
/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 5000;
/// How many of the user's latest sessions of a field count as "recent" when avoiding
/// repeated questions.
const RECENT_SESSIONS: i64 = 5;

/// Starting a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartSession {
    /// A field id from the catalog.
    pub field: String,
    /// A career level id from the catalog.
    pub career: String,
    /// 1–10, default 10.
    pub count: Option<i64>,
    /// `ko` or `en`; default from `Accept-Language`, else Korean.
    pub language: Option<String>,
}

/// Feedback on an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Feedback {
    /// What the answer got right.
    pub good: String,
    /// What it missed.
    pub missing: String,
}

/// A question of a session. The model answer and key points stay hidden until the
/// question is answered or the session is finished.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: Uuid,
    /// 1-based.
    pub position: i64,
    pub question: String,
    pub intent: String,
    /// `easy`, `medium` or `hard` (하/중/상).
    pub difficulty: String,
    pub answered: bool,
    pub answer: Option<String>,
    pub score: Option<i64>,
    pub feedback: Option<Feedback>,
    pub model_answer: Option<String>,
    pub key_points: Option<Vec<String>>,
}

/// One line of the final breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownItem {
    pub question_id: Uuid,
    pub position: i64,
    pub question: String,
    pub difficulty: String,
    /// `null` when skipped.
    pub score: Option<i64>,
    pub skipped: bool,
}

/// The result of a finished session.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinishResult {
    /// 0–10, one decimal; skipped questions count 0.
    pub score: f64,
    /// What to work on.
    pub complement: String,
    pub breakdown: Vec<BreakdownItem>,
}

/// A session with its questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub field: String,
    pub career: String,
    pub language: String,
    /// `bank`, `llm` or `mixed`: where the questions came from.
    pub source: String,
    /// `in_progress` or `finished`.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub questions: Vec<QuestionView>,
    /// Present once finished.
    pub result: Option<FinishResult>,
}

/// A session in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummary {
    pub id: Uuid,
    pub field: String,
    pub career: String,
    pub language: String,
    pub status: String,
    pub question_count: i64,
    pub answered_count: i64,
    pub score: Option<f64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// An answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// 1–5,000 characters.
    pub answer: String,
}

/// The grade of an answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResult {
    pub question_id: Uuid,
    /// 0–10.
    pub score: i64,
    pub feedback: Feedback,
    pub model_answer: String,
    pub intent: String,
    pub key_points: Vec<String>,
}

fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

fn key_points_of(row: &QuestionRow) -> Vec<KeyPoint> {
    serde_json::from_str(&row.key_points).unwrap_or_default()
}

fn tenths_to_score(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

fn question_view(q: QuestionRow, finished: bool) -> QuestionView {
    let answered = q.answer.is_some();
    let reveal = answered || finished;
    let points = key_points_of(&q).into_iter().map(|k| k.text).collect();
    QuestionView {
        id: q.id,
        position: q.position,
        question: q.question,
        intent: q.intent,
        difficulty: q.difficulty,
        answered,
        answer: q.answer,
        score: q.score,
        feedback: match (q.feedback_good, q.feedback_missing) {
            (Some(good), Some(missing)) => Some(Feedback { good, missing }),
            _ => None,
        },
        model_answer: reveal.then_some(q.model_answer),
        key_points: reveal.then_some(points),
    }
}

fn breakdown(questions: &[QuestionRow]) -> Vec<BreakdownItem> {
    questions
        .iter()
        .map(|q| BreakdownItem {
            question_id: q.id,
            position: q.position,
            question: q.question.clone(),
            difficulty: q.difficulty.clone(),
            score: q.score,
            skipped: q.answer.is_none(),
        })
        .collect()
}

fn session_view(s: SessionRow, questions: Vec<QuestionRow>) -> SessionView {
    let finished = s.status == "finished";
    let result = match (finished, s.score_tenths, s.complement.clone()) {
        (true, Some(tenths), Some(complement)) => Some(FinishResult {
            score: tenths_to_score(tenths),
            complement,
            breakdown: breakdown(&questions),
        }),
        _ => None,
    };
    SessionView {
        id: s.id,
        field: s.field,
        career: s.career,
        language: s.language,
        source: s.source,
        status: s.status,
        created_at: s.created_at,
        finished_at: s.finished_at,
        questions: questions
            .into_iter()
            .map(|q| question_view(q, finished))
            .collect(),
        result,
    }
}

fn label(items: &[super::CatalogItem], id: &str, lang: Language) -> String {
    items
        .iter()
        .find(|i| i.id == id)
        .map(|i| match lang {
            Language::Ko => i.label.ko,
            Language::En => i.label.en,
        })
        .unwrap_or(id)
        .to_owned()
}

/// Questions for a new session: from the model when one is configured and its output is
/// valid, the rest from the bank. Returns the questions and their source.
async fn build_questions(
    state: &AppState,
    user: &AuthUser,
    field: &str,
    career: &str,
    count: usize,
    lang: Language,
) -> Result<(Vec<NewQuestion>, &'static str)> {
    let mut out = Vec::with_capacity(count);
    if llm::online(state) {
        let avoid = repo::recent_questions(&state.db, user.id, field, 30).await?;
        let generated = llm::generate_questions(
            state,
            lang,
            &label(FIELDS, field, lang),
            &label(CAREERS, career, lang),
            count,
            &avoid,
        )
        .await;
        for g in generated {
            out.push(NewQuestion {
                bank_id: None,
                question: g.question,
                intent: g.intent,
                difficulty: g.difficulty.as_str(),
                model_answer: g.model_answer,
                key_points: serde_json::to_string(&g.key_points).map_err(Error::internal)?,
            });
        }
    }
    let from_model = out.len();
    if out.len() < count {
        let seen: HashSet<String> =
            repo::recent_bank_ids(&state.db, user.id, field, RECENT_SESSIONS)
                .await?
                .into_iter()
                .collect();
        let picked = bank::pick(field, career, count - out.len(), &seen, &mut rand::rng());
        for e in picked {
            out.push(NewQuestion {
                bank_id: Some(e.id.clone()),
                question: e.question.get(lang).to_owned(),
                intent: e.intent.get(lang).to_owned(),
                difficulty: e.difficulty().as_str(),
                model_answer: e.model_answer.get(lang).to_owned(),
                key_points: serde_json::to_string(&e.key_points_in(lang))
                    .map_err(Error::internal)?,
            });
        }
    }
    let source = match from_model {
        0 => "bank",
        n if n == out.len() => "llm",
        _ => "mixed",
    };
    Ok((out, source))
}

/// Start a session: questions with intent and difficulty; model answers stay hidden.
/// Costs one `interview` quota slot.
#[utoipa::path(post, path = "/api/interview/sessions", tag = "interview", security(("bearer" = [])),
    request_body = StartSession,
    responses((status = 201, body = SessionView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn start_session(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    AppJson(input): AppJson<StartSession>,
) -> Result<Response> {
    let mut fields = FieldErrors::new();
    let field = fields.take(parse_field(&input.field))?;
    let career = fields.take(parse_career(&input.career))?;
    let count = fields.check(
        "count",
        match input.count {
            None => Ok(DEFAULT_COUNT as usize),
            Some(n) if (1..=i64::from(MAX_COUNT)).contains(&n) => Ok(n as usize),
            Some(_) => Err(Problem::out_of_range(1, i64::from(MAX_COUNT))),
        },
    );
    let lang = fields.take(super::choose_language(input.language.as_deref(), &headers))?;
    fields.finish()?;
    let (Some(field), Some(career), Some(count), Some(lang)) = (field, career, count, lang) else {
        return Err(Error::internal(
            "start input failed without a field problem",
        ));
    };

    let reservation = quota::reserve(&state, user.id, Scope::Interview).await?;
    let created = async {
        let (questions, source) =
            build_questions(&state, &user, field, career, count, lang).await?;
        if questions.is_empty() {
            return Err(Error::internal("the bank has no questions for this field"));
        }
        let id = repo::insert_session(
            &state.db,
            user.id,
            field,
            career,
            lang.as_str(),
            source,
            &questions,
        )
        .await?;
        let session = repo::get_session(&state.db, user.id, id)
            .await?
            .ok_or_else(|| Error::internal("new session vanished"))?;
        let questions = repo::questions(&state.db, id).await?;
        Ok(session_view(session, questions))
    }
    .await;
    match created {
        Ok(view) => Ok((StatusCode::CREATED, reservation.headers(), Json(view)).into_response()),
        Err(err) => {
            if let Err(e) = quota::refund(&state, &reservation).await {
                tracing::error!(error = %e, "quota refund failed");
            }
            Err(err)
        }
    }
}

/// Your sessions, newest first.
#[utoipa::path(get, path = "/api/interview/sessions", tag = "interview", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = Page<SessionSummary>), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    user: AuthUser,
    page: Pagination,
) -> Result<Json<Page<SessionSummary>>> {
    let rows =
        repo::list_sessions(&state.db, user.id, page.id_cursor()?, page.fetch_limit()).await?;
    Ok(Json(page.page(
        rows,
        |r| r.id.to_string(),
        |r| SessionSummary {
            id: r.id,
            field: r.field,
            career: r.career,
            language: r.language,
            status: r.status,
            question_count: r.question_count,
            answered_count: r.answered_count,
            score: r.score_tenths.map(tenths_to_score),
            created_at: r.created_at,
            finished_at: r.finished_at,
        },
    )))
}

async fn owned_session(state: &AppState, user: &AuthUser, raw: &str) -> Result<SessionRow> {
    repo::get_session(&state.db, user.id, parse_id(raw)?)
        .await?
        .ok_or(Error::NotFound)
}

/// A session with its questions, answers and (when finished) result.
#[utoipa::path(get, path = "/api/interview/sessions/{id}", tag = "interview", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SessionView), (status = 404, body = ErrorBody)))]
pub async fn get_session(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<SessionView>> {
    let session = owned_session(&state, &user, &id).await?;
    let questions = repo::questions(&state.db, session.id).await?;
    Ok(Json(session_view(session, questions)))
}

/// Delete a session.
#[utoipa::path(delete, path = "/api/interview/sessions/{id}", tag = "interview", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_session(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    if repo::delete_session(&state.db, user.id, parse_id(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

fn already_answered() -> Error {
    Error::Conflict {
        code: "already_answered",
        message: "this question has already been answered".into(),
    }
}

fn session_finished() -> Error {
    Error::Conflict {
        code: "session_finished",
        message: "this session is finished; start a new one to practise more".into(),
    }
}

/// Answer a question once: graded 0–10 with feedback; reveals the model answer. Never
/// costs quota.
#[utoipa::path(post, path = "/api/interview/sessions/{id}/questions/{qid}/answer", tag = "interview",
    security(("bearer" = [])), params(("id" = String, Path), ("qid" = String, Path)),
    request_body = AnswerInput,
    responses((status = 200, body = AnswerResult), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn answer_question(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, qid)): Path<(String, String)>,
    AppJson(input): AppJson<AnswerInput>,
) -> Result<Json<AnswerResult>> {
    let session = owned_session(&state, &user, &id).await?;
    let qid = parse_id(&qid)?;
    let questions = repo::questions(&state.db, session.id).await?;
    let question = questions
        .into_iter()
        .find(|q| q.id == qid)
        .ok_or(Error::NotFound)?;
    let answer = input.answer.trim();
    if answer.is_empty() {
        return Err(Error::field("answer", Problem::required()));
    }
    if input.answer.chars().count() > MAX_ANSWER_CHARS {
        return Err(Error::field("answer", Problem::too_long(MAX_ANSWER_CHARS)));
    }
    if session.status == "finished" {
        return Err(session_finished());
    }
    if question.answer.is_some() {
        return Err(already_answered());
    }
    let lang = Language::parse(&session.language).unwrap_or(Language::Ko);
    let points = key_points_of(&question);
    let (score, good, missing) = match llm::grade(
        &state,
        lang,
        &question.question,
        &question.model_answer,
        &points,
        answer,
    )
    .await
    {
        Some(graded) => graded,
        None => {
            let g = bank::grade(answer, &points, lang);
            (g.score, g.good, g.missing)
        }
    };
    let graded = repo::GradedAnswer {
        answer,
        score,
        good: &good,
        missing: &missing,
    };
    let Some(row) = repo::record_answer(&state.db, user.id, session.id, qid, &graded).await? else {
        // Someone else got there first: tell which.
        return match repo::get_session(&state.db, user.id, session.id).await? {
            None => Err(Error::NotFound),
            Some(s) if s.status == "finished" => Err(session_finished()),
            Some(_) => Err(already_answered()),
        };
    };
    Ok(Json(AnswerResult {
        question_id: row.id,
        score,
        feedback: Feedback { good, missing },
        key_points: points.into_iter().map(|k| k.text).collect(),
        model_answer: row.model_answer,
        intent: row.intent,
    }))
}

/// The overall score in tenths: the mean over all questions, skipped ones counting 0.
fn overall_tenths(questions: &[QuestionRow]) -> i64 {
    let n = questions.len().max(1) as i64;
    let sum: i64 = questions.iter().filter_map(|q| q.score).sum();
    (sum * 10 * 2 + n) / (2 * n)
}

/// Offline advice from the results: the weakest answers' missed key points, the skipped
/// questions, and what to do next.
fn offline_complement(questions: &[QuestionRow], tenths: i64, lang: Language) -> String {
    let answered: Vec<&QuestionRow> = questions.iter().filter(|q| q.answer.is_some()).collect();
    let skipped = questions.len() - answered.len();
    let score = format!("{:.1}", tenths_to_score(tenths));
    let mut weak: Vec<&&QuestionRow> = answered
        .iter()
        .filter(|q| q.score.unwrap_or(0) < 7)
        .collect();
    weak.sort_by_key(|q| q.score.unwrap_or(0));
    let mut parts = Vec::new();
    parts.push(match lang {
        Language::Ko => format!(
            "{}문항 중 {}문항에 답했고 전체 점수는 {score}점입니다.",
            questions.len(),
            answered.len()
        ),
        Language::En => format!(
            "You answered {} of {} questions; overall score {score}/10.",
            answered.len(),
            questions.len()
        ),
    });
    for q in weak.iter().take(3) {
        let mut missed = bank::missed_points(q.answer.as_deref().unwrap_or(""), &key_points_of(q));
        missed.truncate(3);
        let short: String = q.question.chars().take(60).collect();
        let ellipsis = if q.question.chars().count() > 60 {
            "…"
        } else {
            ""
        };
        let score = q.score.unwrap_or(0);
        parts.push(match (lang, missed.is_empty()) {
            (Language::Ko, false) => format!(
                "「{short}{ellipsis}」({score}점): {}을(를) 보완하세요.",
                missed.join(", ")
            ),
            (Language::En, false) => format!(
                "\"{short}{ellipsis}\" ({score}/10): work on {}.",
                missed.join("; ")
            ),
            (Language::Ko, true) => format!(
                "「{short}{ellipsis}」({score}점): {}",
                q.feedback_missing
                    .as_deref()
                    .unwrap_or("모범 답안과 비교해 보세요.")
            ),
            (Language::En, true) => format!(
                "\"{short}{ellipsis}\" ({score}/10): {}",
                q.feedback_missing
                    .as_deref()
                    .unwrap_or("compare with the model answer.")
            ),
        });
    }
    if skipped > 0 {
        parts.push(match lang {
            Language::Ko => format!(
                "건너뛴 {skipped}문항은 공개된 모범 답안을 읽고 핵심 포인트를 소리 내어 설명하는 연습을 해 보세요."
            ),
            Language::En => format!(
                "For the {skipped} skipped question(s), read the model answers now shown and practise explaining their key points out loud."
            ),
        });
    }
    if weak.is_empty() && skipped == 0 {
        parts.push(match lang {
            Language::Ko => "핵심은 잘 짚었습니다. 다음에는 실제 프로젝트 경험과 트레이드오프를 곁들여 답해 보세요.".to_owned(),
            Language::En => "You hit the key points. Next time, add real project experience and the trade-offs you weighed.".to_owned(),
        });
    } else {
        parts.push(match lang {
            Language::Ko => {
                "답변은 결론 → 근거 → 예시 순서로 구조화하면 전달력이 좋아집니다.".to_owned()
            }
            Language::En => {
                "Structure answers as conclusion, reasoning, then an example.".to_owned()
            }
        });
    }
    parts.join(" ")
}

/// Finish the session: overall score, complement and breakdown. Finishing again returns
/// the same result. Never costs quota.
#[utoipa::path(post, path = "/api/interview/sessions/{id}/finish", tag = "interview",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = FinishResult), (status = 404, body = ErrorBody)))]
pub async fn finish_session(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<FinishResult>> {
    let session = owned_session(&state, &user, &id).await?;
    let questions = repo::questions(&state.db, session.id).await?;
    if let (Some(tenths), Some(complement)) = (session.score_tenths, session.complement.clone()) {
        return Ok(Json(FinishResult {
            score: tenths_to_score(tenths),
            complement,
            breakdown: breakdown(&questions),
        }));
    }
    let lang = Language::parse(&session.language).unwrap_or(Language::Ko);
    let tenths = overall_tenths(&questions);
    let results = questions
        .iter()
        .map(|q| match (&q.score, &q.feedback_missing) {
            (Some(score), Some(missing)) => {
                format!("{}. {} — {score}/10; {missing}", q.position, q.question)
            }
            _ => format!("{}. {} — skipped", q.position, q.question),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let complement = match llm::complement(
        &state,
        lang,
        &label(FIELDS, &session.field, lang),
        &label(CAREERS, &session.career, lang),
        &format!("{:.1}", tenths_to_score(tenths)),
        &results,
    )
    .await
    {
        Some(text) => text,
        None => offline_complement(&questions, tenths, lang),
    };
    if !repo::finish_session(&state.db, user.id, session.id, tenths, &complement).await? {
        // Finished concurrently (or deleted): answer with what is stored.
        let stored = owned_session(&state, &user, &id).await?;
        if let (Some(tenths), Some(complement)) = (stored.score_tenths, stored.complement) {
            return Ok(Json(FinishResult {
                score: tenths_to_score(tenths),
                complement,
                breakdown: breakdown(&questions),
            }));
        }
        return Err(Error::NotFound);
    }
    Ok(Json(FinishResult {
        score: tenths_to_score(tenths),
        complement,
        breakdown: breakdown(&questions),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::interview::Difficulty;

    fn q(score: Option<i64>) -> QuestionRow {
        QuestionRow {
            id: Uuid::now_v7(),
            session_id: Uuid::nil(),
            position: 1,
            bank_id: None,
            question: "Q".into(),
            intent: "I".into(),
            difficulty: Difficulty::Easy.as_str().into(),
            model_answer: "A".into(),
            key_points: "[]".into(),
            answer: score.map(|_| "answer".into()),
            score,
            feedback_good: None,
            feedback_missing: None,
            answered_at: None,
        }
    }

    #[test]
    fn the_overall_score_counts_skipped_questions_as_zero_and_rounds_half_up() {
        assert_eq!(overall_tenths(&[q(Some(10)), q(None)]), 50);
        assert_eq!(overall_tenths(&[q(Some(7)), q(Some(8)), q(Some(8))]), 77);
        assert_eq!(overall_tenths(&[q(None), q(None), q(None)]), 0);
        // 2/3 = 0.666… → 0.7
        assert_eq!(overall_tenths(&[q(Some(1)), q(Some(1)), q(None)]), 7);
    }
}
