-- Mock interview: sessions, their questions and answers, and favourites. Same tables,
-- columns and nullability as migrations/postgres/0003_interview.sql.

CREATE TABLE interview_sessions (
    id           BLOB    NOT NULL PRIMARY KEY,
    user_id      BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    field        TEXT    NOT NULL,
    career       TEXT    NOT NULL,
    language     TEXT    NOT NULL CHECK (language IN ('ko', 'en')),
    source       TEXT    NOT NULL CHECK (source IN ('bank', 'llm', 'mixed')),
    status       TEXT    NOT NULL CHECK (status IN ('in_progress', 'finished')),
    score_tenths INTEGER,
    complement   TEXT,
    created_at   TEXT    NOT NULL,
    finished_at  TEXT
);
CREATE INDEX interview_sessions_user_idx ON interview_sessions (user_id, id);

CREATE TABLE interview_questions (
    id               BLOB    NOT NULL PRIMARY KEY,
    session_id       BLOB    NOT NULL REFERENCES interview_sessions (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    bank_id          TEXT,
    question         TEXT    NOT NULL,
    intent           TEXT    NOT NULL,
    difficulty       TEXT    NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    model_answer     TEXT    NOT NULL,
    key_points       TEXT    NOT NULL,
    answer           TEXT,
    score            INTEGER,
    feedback_good    TEXT,
    feedback_missing TEXT,
    answered_at      TEXT,
    CONSTRAINT interview_questions_position_key UNIQUE (session_id, position)
);

CREATE TABLE interview_favorites (
    id           BLOB NOT NULL PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    difficulty   TEXT NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    question     TEXT NOT NULL,
    question_key TEXT NOT NULL,
    intent       TEXT NOT NULL,
    model_answer TEXT NOT NULL,
    source       TEXT,
    created_at   TEXT NOT NULL,
    CONSTRAINT interview_favorites_question_key UNIQUE (user_id, question_key)
);
CREATE INDEX interview_favorites_user_idx ON interview_favorites (user_id, id);
