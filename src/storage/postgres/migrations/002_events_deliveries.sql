-- The outbox: events (payload stored once, as the exact bytes sent), one delivery per subscribed
-- webhook, and one row per delivery attempt; the tables of sqlite/migrations/002_events_deliveries.sql
-- in PostgreSQL types. Every index costs each publish a page write, so there are only those the
-- queries need; rows are pruned in `seq` order, which follows creation time.

ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;
ALTER TABLE webhooks ADD COLUMN disabled_at BIGINT;
ALTER TABLE webhooks ADD COLUMN prev_secret_enc TEXT;
ALTER TABLE webhooks ADD COLUMN prev_secret_expires_at BIGINT;
ALTER TABLE webhooks ADD COLUMN last_success_at BIGINT;

CREATE TABLE events (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  type       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  body       TEXT NOT NULL
);
CREATE INDEX events_account_seq ON events(account_id, seq);

-- state: pending (waiting for its next attempt, or in flight while `lease` is set),
-- succeeded, failed (retries exhausted, or 410 Gone), skipped (webhook disabled).
-- While in flight, next_attempt_at holds the lease's expiry: a crashed sender's deliveries
-- come due again by themselves.
CREATE TABLE deliveries (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  event_id        TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  account_id      TEXT NOT NULL,
  state           TEXT NOT NULL,
  attempt_count   INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease           TEXT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX deliveries_webhook_due ON deliveries(webhook_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_webhook ON deliveries(webhook_id, seq);
CREATE INDEX deliveries_event ON deliveries(event_id);

CREATE TABLE attempts (
  seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               TEXT NOT NULL,
  delivery_id      TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  webhook_id       TEXT NOT NULL,
  attempted_at     BIGINT NOT NULL,
  duration_ms      INTEGER NOT NULL,
  status_code      INTEGER,
  error_kind       TEXT,
  error_message    TEXT,
  response_excerpt TEXT,
  next_retry_at    BIGINT
);
CREATE INDEX attempts_delivery ON attempts(delivery_id, seq);
