//! Finishing a session: the overall score, the complement (from the model, else written
//! offline from the results) and the breakdown. Never costs quota.

use axum::Json;
use axum::extract::State;

use super::{FinishResult, breakdown, key_points_of, label, owned_session, tenths_to_score};
use crate::apps::interview::bank;
use crate::apps::interview::repo::{self, QuestionRow};
use crate::apps::interview::{CAREERS, FIELDS, Language, llm};
use crate::auth::extract::AuthUser;
use crate::error::{Error, ErrorBody, Result};
use crate::extract::IdPath;
use crate::state::AppState;

/// The overall score in tenths: the mean over all questions, skipped ones counting 0.
fn overall_tenths(questions: &[QuestionRow]) -> i64 {
    let n = questions.len().max(1) as i64;
    let sum: i64 = questions.iter().filter_map(|q| q.score).sum();
    (sum * 10 * 2 + n) / (2 * n)
}

/// Offline advice from the results, one line each: the summary, a `- ` bullet per weak
/// answer (its missed key points) and for the skipped questions, then what to do next.
fn offline_complement(questions: &[QuestionRow], tenths: i64, lang: Language) -> String {
    let answered: Vec<&QuestionRow> = questions.iter().filter(|q| q.answer.is_some()).collect();
    let skipped = questions.len() - answered.len();
    let mut weak: Vec<&&QuestionRow> = answered
        .iter()
        .filter(|q| q.score.unwrap_or(0) < 7)
        .collect();
    weak.sort_by_key(|q| q.score.unwrap_or(0));
    let mut lines = vec![summary_line(questions.len(), answered.len(), tenths, lang)];
    lines.extend(weak.iter().take(3).map(|q| weak_answer_line(q, lang)));
    if skipped > 0 {
        lines.push(skipped_line(skipped, lang));
    }
    lines.push(closing_line(weak.is_empty() && skipped == 0, lang));
    lines.join("\n")
}

/// How many questions were answered, and the overall score.
fn summary_line(total: usize, answered: usize, tenths: i64, lang: Language) -> String {
    let score = format!("{:.1}", tenths_to_score(tenths));
    match lang {
        Language::Ko => {
            format!("{total}문항 중 {answered}문항에 답했고 전체 점수는 {score}점입니다.")
        }
        Language::En => {
            let s = if total == 1 { "" } else { "s" };
            format!("You answered {answered} of {total} question{s}; overall score {score}/10.")
        }
    }
}

/// One weak answer as a bullet: its question (shortened), its score, and the key points it
/// did not explain (else the stored feedback). No particle follows a key point: they are
/// clauses, listed after a colon.
fn weak_answer_line(q: &QuestionRow, lang: Language) -> String {
    let mut missed = bank::missed_points(q.answer.as_deref().unwrap_or(""), &key_points_of(q));
    missed.truncate(3);
    if missed.is_empty() {
        missed = bank::items(q.feedback_missing.as_deref().unwrap_or(""));
        missed.truncate(3);
    }
    let short: String = q.question.chars().take(60).collect();
    let ellipsis = if q.question.chars().count() > 60 {
        "…"
    } else {
        ""
    };
    let score = q.score.unwrap_or(0);
    match (lang, missed.is_empty()) {
        (Language::Ko, false) => format!(
            "- 「{short}{ellipsis}」({score}점) 더 설명할 점: {}",
            missed.join("; ")
        ),
        (Language::En, false) => format!(
            "- “{short}{ellipsis}” ({score}/10) still to explain: {}",
            missed.join("; ")
        ),
        (Language::Ko, true) => {
            format!("- 「{short}{ellipsis}」({score}점): 모범 답안과 비교해 보세요.")
        }
        (Language::En, true) => {
            format!("- “{short}{ellipsis}” ({score}/10): compare it with the model answer.")
        }
    }
}

/// What to do about skipped questions, as a bullet.
fn skipped_line(skipped: usize, lang: Language) -> String {
    match (lang, skipped) {
        (Language::Ko, n) => format!(
            "- 건너뛴 {n}문항은 공개된 모범 답안을 읽고 핵심 포인트를 소리 내어 설명하는 연습을 해 보세요."
        ),
        (Language::En, 1) => "- For the skipped question, read the model answer now shown and practise explaining its key points out loud.".to_owned(),
        (Language::En, n) => format!(
            "- For the {n} skipped questions, read the model answers now shown and practise explaining their key points out loud."
        ),
    }
}

/// The closing advice: going further when nothing was weak or skipped, else structure.
fn closing_line(all_good: bool, lang: Language) -> String {
    let text = match (all_good, lang) {
        (true, Language::Ko) => {
            "핵심은 잘 짚었습니다. 다음에는 실제 프로젝트 경험과 트레이드오프를 곁들여 답해 보세요."
        }
        (true, Language::En) => {
            "You hit the key points. Next time, add real project experience and the trade-offs you weighed."
        }
        (false, Language::Ko) => "답변은 결론 → 근거 → 예시 순서로 구조화하면 전달력이 좋아집니다.",
        (false, Language::En) => "Structure answers as conclusion, reasoning, then an example.",
    };
    text.to_owned()
}

/// Finish the session: overall score, complement and breakdown. Finishing again returns
/// the same result. Never costs quota.
#[utoipa::path(post, path = "/api/interview/sessions/{id}/finish", tag = "interview",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = FinishResult), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn finish_session(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> Result<Json<FinishResult>> {
    let session = owned_session(&state, &user, id).await?;
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
    // Finished first with the offline complement: of any number of requests racing to
    // finish, exactly one wins, and only the winner asks the model for a better one.
    let mut complement = offline_complement(&questions, tenths, lang);
    if !repo::finish_session(&state.db, user.id, session.id, tenths, &complement).await? {
        // Finished concurrently (or deleted): answer with what is stored.
        let stored = owned_session(&state, &user, id).await?;
        if let (Some(tenths), Some(complement)) = (stored.score_tenths, stored.complement) {
            return Ok(Json(FinishResult {
                score: tenths_to_score(tenths),
                complement,
                breakdown: breakdown(&questions),
            }));
        }
        return Err(Error::NotFound);
    }
    let from_model = llm::complement(
        &state,
        lang,
        &label(FIELDS, &session.field, lang),
        &label(CAREERS, &session.career, lang),
        &format!("{:.1}", tenths_to_score(tenths)),
        &results,
    )
    .await;
    if let Some(text) = from_model {
        repo::set_complement(&state.db, session.id, &text).await?;
        complement = text;
    }
    Ok(Json(FinishResult {
        score: tenths_to_score(tenths),
        complement,
        breakdown: breakdown(&questions),
    }))
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

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

    fn answered(score: Option<i64>, question: &str, answer: &str) -> QuestionRow {
        QuestionRow {
            question: question.into(),
            key_points: r#"[{"text":"PUT is idempotent","terms":[["idempot","멱등"]]},
                {"text":"PATCH is partial","terms":[["patch"],["partial"]]}]"#
                .into(),
            answer: score.map(|_| answer.to_owned()),
            ..q(score)
        }
    }

    #[test]
    fn the_offline_complement_names_weak_answers_skipped_questions_and_what_next() {
        let mixed = [
            answered(
                Some(3),
                "Q1",
                "PUT is idempotent because a repeat leaves the same state.",
            ),
            answered(None, "Q2", ""),
        ];
        assert_eq!(
            offline_complement(&mixed, 15, Language::En),
            "You answered 1 of 2 questions; overall score 1.5/10.\n\
             - “Q1” (3/10) still to explain: PATCH is partial\n\
             - For the skipped question, read the model answer now shown and practise \
             explaining its key points out loud.\n\
             Structure answers as conclusion, reasoning, then an example."
        );
        // Korean: no "을(를)" after a key point; the point follows a colon.
        let ko = offline_complement(&mixed, 15, Language::Ko);
        assert_eq!(
            ko,
            "2문항 중 1문항에 답했고 전체 점수는 1.5점입니다.\n\
             - 「Q1」(3점) 더 설명할 점: PATCH is partial\n\
             - 건너뛴 1문항은 공개된 모범 답안을 읽고 핵심 포인트를 소리 내어 설명하는 연습을 해 보세요.\n\
             답변은 결론 → 근거 → 예시 순서로 구조화하면 전달력이 좋아집니다."
        );
        assert!(!ko.contains("(를)"));
        // A bare term list does not count as explained: both points are still to explain.
        let listed = [answered(Some(2), "Q1", "idempotent, patch, partial")];
        assert!(
            offline_complement(&listed, 20, Language::En)
                .contains("still to explain: PUT is idempotent; PATCH is partial"),
        );
        let strong = [answered(Some(10), "Q1", "put idempotent patch partial")];
        assert_eq!(
            offline_complement(&strong, 100, Language::En),
            "You answered 1 of 1 question; overall score 10.0/10.\n\
             You hit the key points. Next time, add real project experience and the trade-offs \
             you weighed."
        );
    }
}
