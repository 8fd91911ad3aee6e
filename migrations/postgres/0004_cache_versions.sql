-- Intentionally empty on PostgreSQL. The SQLite twin adds `user_versions` and the triggers
-- that keep it, which let a single SQLite server cache answers in memory
-- (docs/architecture.md §7, "Read caches on SQLite"). Several instances share one
-- PostgreSQL database and read it on every request, so there is nothing to keep here.
SELECT 1;
