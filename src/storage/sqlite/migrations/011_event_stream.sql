-- The event stream (GET /v2/events/stream) reads an account's events by `seq`. SQLite lets one
-- transaction write at a time, holding the database from its first write to its commit, so events
-- commit in seq order and the existing index events_account_seq serves the stream. PostgreSQL's
-- 011 adds what it needs there, where transactions commit side by side.
SELECT 1;
