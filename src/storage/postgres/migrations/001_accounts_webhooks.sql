-- Accounts, their API keys (hashed) and their webhooks (secrets encrypted): the tables of
-- sqlite/migrations/001_accounts_webhooks.sql, in PostgreSQL types.
-- Times are integer milliseconds since the Unix epoch (BIGINT).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE accounts (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  label        TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  key_hint     TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at   BIGINT
);
CREATE INDEX api_keys_account ON api_keys(account_id);

CREATE TABLE webhooks (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  name_key       TEXT NOT NULL,
  url            TEXT NOT NULL,
  events         TEXT NOT NULL,
  secret_enc     TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'enabled',
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX webhooks_account_name ON webhooks(account_id, name_key);
CREATE INDEX webhooks_account_seq ON webhooks(account_id, seq);
