-- Answers owned by the server, and quota holds (see docs/architecture.md, "Answers and
-- holds"). Same tables, columns and nullability as migrations/sqlite/0007.
--
-- 1. A message may be `streaming`: an answer still being written by a server task.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('complete', 'incomplete', 'failed', 'streaming'));

-- 2. A quota hold: the durable record of a reserved slot whose work is not settled yet.
--    It is written in the same transaction as the reservation and removed in the same
--    transaction as the settlement (kept or refunded), so a crash in between leaves a hold
--    that start-up (or any instance's sweep once it is stale) settles: the slot is refunded
--    unless the work produced output. `message_id` is the answer a chat hold pays for;
--    `stop_requested` lets any instance stop that answer.
CREATE TABLE quota_holds (
    id             UUID    NOT NULL PRIMARY KEY,
    user_id        UUID    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope          TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    held_at_us     BIGINT  NOT NULL,
    message_id     UUID    REFERENCES messages (id) ON DELETE SET NULL,
    stop_requested BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX quota_holds_held_at_idx ON quota_holds (held_at_us);
CREATE INDEX quota_holds_message_idx ON quota_holds (message_id);
