-- What the account page needs beyond the API it already had: the tables and index of
-- sqlite/migrations/010_account_page.sql, in PostgreSQL types (see there for what each is for).
-- Times are integer milliseconds since the Unix epoch (BIGINT).
--
-- Building attempts_webhook_time blocks writes to attempts while it runs. On a large installation,
-- build it beforehand without blocking, with the same name, and this migration keeps it:
--   CREATE INDEX CONCURRENTLY attempts_webhook_time ON attempts (webhook_id, attempted_at);

CREATE TABLE admin_invites (
  id         TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  email      TEXT,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT REFERENCES admins(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT
);
CREATE INDEX admin_invites_account ON admin_invites(account_id);

-- A constant default: PostgreSQL 11 and later add the column without rewriting the table.
ALTER TABLE events ADD COLUMN test SMALLINT NOT NULL DEFAULT 0;

CREATE INDEX IF NOT EXISTS attempts_webhook_time ON attempts(webhook_id, attempted_at);
