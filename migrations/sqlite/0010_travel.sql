-- Travel plans: the checked request and the composed plan as JSON, and the follow-up
-- room. Same tables, columns and nullability as migrations/postgres/0010_travel.sql.

CREATE TABLE travel_plans (
    id             BLOB    NOT NULL PRIMARY KEY,
    user_id        BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id        BLOB    REFERENCES rooms (id) ON DELETE SET NULL,
    language       TEXT    NOT NULL CHECK (language IN ('ko', 'en')),
    source         TEXT    NOT NULL CHECK (source IN ('offline', 'llm')),
    departure_date TEXT    NOT NULL,
    arrival_date   TEXT    NOT NULL,
    days           INTEGER NOT NULL,
    travelers      INTEGER NOT NULL,
    request        TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX travel_plans_user_idx ON travel_plans (user_id, id);
