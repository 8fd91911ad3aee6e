-- The model's context for a room's next answer (chat::repo::recent_turns) is the room's
-- newest settled turns with text. Through messages_room_idx every candidate row had to be
-- read from the table to test its status, and many of a busy room's newest rows are
-- answers still streaming (one per open send). This partial index holds only the usable
-- turns, so the read visits no row it does not return. Same index on migrations/postgres/0013_context_index.sql.
-- The query must repeat the index's WHERE terms exactly for the planner to use it.
CREATE INDEX messages_context_idx ON messages (room_id, id)
    WHERE status IN ('complete', 'incomplete') AND content <> '';
