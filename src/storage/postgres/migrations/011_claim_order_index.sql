-- Claims take a webhook's due deliveries oldest first, ORDER BY next_attempt_at, seq, a few at a
-- time. With seq in the index of pending deliveries the index gives them in that order, and a
-- claim reads only what it takes: PostgreSQL read and sorted every due delivery of the webhook for
-- each claim (3,628 rows to take 16, 4 ms, in a backlog), so draining a backlog cost its square.
-- (SQLite's index held seq already, as the rowid; the two schemas stay alike.)
DROP INDEX deliveries_webhook_due;
CREATE INDEX deliveries_webhook_due ON deliveries(webhook_id, next_attempt_at, seq) WHERE state = 'pending';
