-- The event stream (GET /v2/events/stream) reads an account's events in an order that commits cannot
-- overtake. `seq` alone cannot give one here: it is drawn at insert, so a transaction holding seq 10
-- may commit after the one that took seq 11, and a reader past 11 would never see 10. Each event
-- therefore records the id of the transaction that wrote it; the stream reads events in
-- (xact, seq) order and only those whose transaction is older than every transaction still running
-- (pg_snapshot_xmin of its snapshot): that set only ever grows at its end.
-- SQLite needs none of this (its 011 is empty): one transaction writes at a time, so seq order is
-- commit order.
--
-- Rows written before this migration read as transaction 0 (a constant default: no table rewrite);
-- the default that records the writing transaction applies from now on.
ALTER TABLE events ADD COLUMN xact xid8 NOT NULL DEFAULT '0';
ALTER TABLE events ALTER COLUMN xact SET DEFAULT pg_current_xact_id();
CREATE INDEX events_account_xact ON events(account_id, xact, seq);
