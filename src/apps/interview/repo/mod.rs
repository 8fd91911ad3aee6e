//! SQL for interview sessions, questions and favourites. Every query takes the owner, so
//! another user's session or favourite is simply not found.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::{on_db, on_tx};

mod favorites;
pub use favorites::*;

/// A session as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub field: String,
    pub career: String,
    pub language: String,
    pub source: String,
    pub status: String,
    pub score_tenths: Option<i64>,
    pub complement: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

/// A session in a list, with its progress.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionSummaryRow {
    pub id: Uuid,
    pub field: String,
    pub career: String,
    pub language: String,
    pub status: String,
    pub score_tenths: Option<i64>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub question_count: i64,
    pub answered_count: i64,
}

/// A question as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: Uuid,
    pub session_id: Uuid,
    pub position: i64,
    pub bank_id: Option<String>,
    pub question: String,
    pub intent: String,
    pub difficulty: String,
    pub model_answer: String,
    /// JSON array of [`super::bank::KeyPoint`].
    pub key_points: String,
    pub answer: Option<String>,
    pub score: Option<i64>,
    pub feedback_good: Option<String>,
    pub feedback_missing: Option<String>,
    pub answered_at: Option<OffsetDateTime>,
}

/// A question to store with a new session.
pub struct NewQuestion {
    pub bank_id: Option<String>,
    pub question: String,
    pub intent: String,
    pub difficulty: &'static str,
    pub model_answer: String,
    pub key_points: String,
}

const SESSION_COLUMNS: &str = "id, user_id, field, career, language, source, status, score_tenths, complement, created_at, finished_at";
const QUESTION_COLUMNS: &str = "id, session_id, position, bank_id, question, intent, difficulty, model_answer, key_points, answer, score, feedback_good, feedback_missing, answered_at";

/// Stores a session and its questions in one transaction.
pub async fn insert_session(
    db: &Db,
    user_id: Uuid,
    field: &str,
    career: &str,
    language: &str,
    source: &str,
    questions: &[NewQuestion],
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = crate::db::now();
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO interview_sessions (id, user_id, field, career, language, source, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7)",
        )
        .bind(id)
        .bind(user_id)
        .bind(field)
        .bind(career)
        .bind(language)
        .bind(source)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    for (i, q) in questions.iter().enumerate() {
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO interview_questions \
                 (id, session_id, position, bank_id, question, intent, difficulty, model_answer, key_points) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(Uuid::now_v7())
            .bind(id)
            .bind(i as i64 + 1)
            .bind(q.bank_id.as_deref())
            .bind(&q.question)
            .bind(&q.intent)
            .bind(q.difficulty)
            .bind(&q.model_answer)
            .bind(&q.key_points)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The caller's session.
pub async fn get_session(db: &Db, user_id: Uuid, id: Uuid) -> Result<Option<SessionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {SESSION_COLUMNS} FROM interview_sessions WHERE id = $1 AND user_id = $2"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, SessionRow>(sql)
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?)
}

/// A session's questions in order.
pub async fn questions(db: &Db, session_id: Uuid) -> Result<Vec<QuestionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {QUESTION_COLUMNS} FROM interview_questions WHERE session_id = $1 ORDER BY position"
    ));
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, QuestionRow>(sql)
            .bind(session_id)
            .fetch_all(pool)
            .await
    })?)
}

/// The caller's sessions, newest first, after the cursor (a session id).
pub async fn list_sessions(
    db: &Db,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SessionSummaryRow>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, SessionSummaryRow>(
            "SELECT s.id, s.field, s.career, s.language, s.status, s.score_tenths, s.created_at, s.finished_at, \
             (SELECT COUNT(*) FROM interview_questions q WHERE q.session_id = s.id) AS question_count, \
             (SELECT COUNT(*) FROM interview_questions q WHERE q.session_id = s.id AND q.answer IS NOT NULL) AS answered_count \
             FROM interview_sessions s WHERE s.user_id = $1 AND ($2 IS NULL OR s.id < $2) \
             ORDER BY s.id DESC LIMIT $3",
        )
        .bind(user_id)
        .bind(before)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}

/// Bank questions the user got in their latest sessions of a field.
pub async fn recent_bank_ids(
    db: &Db,
    user_id: Uuid,
    field: &str,
    sessions: i64,
) -> Result<Vec<String>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT q.bank_id FROM interview_questions q WHERE q.bank_id IS NOT NULL AND q.session_id IN \
             (SELECT s.id FROM interview_sessions s WHERE s.user_id = $1 AND s.field = $2 \
              ORDER BY s.id DESC LIMIT $3)",
        )
        .bind(user_id)
        .bind(field)
        .bind(sessions)
        .fetch_all(pool)
        .await
    })?)
}

/// Question texts the user got in their latest sessions of a field (to tell a model).
pub async fn recent_questions(
    db: &Db,
    user_id: Uuid,
    field: &str,
    max: i64,
) -> Result<Vec<String>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT q.question FROM interview_questions q JOIN interview_sessions s ON s.id = q.session_id \
             WHERE s.user_id = $1 AND s.field = $2 ORDER BY s.id DESC, q.position LIMIT $3",
        )
        .bind(user_id)
        .bind(field)
        .bind(max)
        .fetch_all(pool)
        .await
    })?)
}

/// A graded answer to store.
pub struct GradedAnswer<'a> {
    pub answer: &'a str,
    pub score: i64,
    pub good: &'a str,
    pub missing: &'a str,
}

/// Stores the answer if the question is still unanswered and its session, owned by the
/// user, is in progress. Returns the updated question, or `None` when it was not (the
/// caller tells which case applies).
pub async fn record_answer(
    db: &Db,
    user_id: Uuid,
    session_id: Uuid,
    question_id: Uuid,
    graded: &GradedAnswer<'_>,
) -> Result<Option<QuestionRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE interview_questions SET answer = $4, score = $5, feedback_good = $6, feedback_missing = $7, answered_at = $8 \
         WHERE id = $1 AND session_id = $2 AND answer IS NULL AND EXISTS \
         (SELECT 1 FROM interview_sessions s WHERE s.id = $2 AND s.user_id = $3 AND s.status = 'in_progress') \
         RETURNING {QUESTION_COLUMNS}"
    ));
    let now = crate::db::now();
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, QuestionRow>(sql)
            .bind(question_id)
            .bind(session_id)
            .bind(user_id)
            .bind(graded.answer)
            .bind(graded.score)
            .bind(graded.good)
            .bind(graded.missing)
            .bind(now)
            .fetch_optional(pool)
            .await
    })?)
}

/// Replaces the grade of an answered question (the model's grade over the key-point one
/// the answer was claimed with).
pub async fn regrade(
    db: &Db,
    question_id: Uuid,
    score: i64,
    good: &str,
    missing: &str,
) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE interview_questions SET score = $2, feedback_good = $3, feedback_missing = $4 \
             WHERE id = $1 AND answer IS NOT NULL",
        )
        .bind(question_id)
        .bind(score)
        .bind(good)
        .bind(missing)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Replaces a finished session's complement (the model's over the offline one it was
/// claimed with).
pub async fn set_complement(db: &Db, session_id: Uuid, complement: &str) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::query(
            "UPDATE interview_sessions SET complement = $2 WHERE id = $1 AND status = 'finished'",
        )
        .bind(session_id)
        .bind(complement)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Marks the session finished with its result, if it is still in progress. Returns
/// whether this call finished it.
pub async fn finish_session(
    db: &Db,
    user_id: Uuid,
    session_id: Uuid,
    score_tenths: i64,
    complement: &str,
) -> Result<bool> {
    let now = crate::db::now();
    let n = on_db!(db, |pool| {
        sqlx::query(
            "UPDATE interview_sessions SET status = 'finished', score_tenths = $3, complement = $4, finished_at = $5 \
             WHERE id = $1 AND user_id = $2 AND status = 'in_progress'",
        )
        .bind(session_id)
        .bind(user_id)
        .bind(score_tenths)
        .bind(complement)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

pub async fn delete_session(db: &Db, user_id: Uuid, id: Uuid) -> Result<bool> {
    db.delete_owned("interview_sessions", "user_id", id, user_id)
        .await
}
