-- migrations/sqlite/0015 stores quota holds WITHOUT ROWID (one b-tree fewer written by every
-- send on SQLite). A PostgreSQL table has no hidden rowid and nothing changes here; the
-- table's purpose is recorded where a DBA looks for it.
COMMENT ON TABLE quota_holds IS
    'A reserved quota slot whose work is not settled yet: written with the reservation, deleted with the settlement (kept or refunded); start-up and the sweep settle holds left by a crash.';
