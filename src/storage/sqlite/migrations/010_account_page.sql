-- What the account page needs beyond the API it already had (issue 14):
-- 1. One-time links that make someone an admin of an account: the set-up link printed at first
--    start (kind 'setup': the person chooses the e-mail address) and invitations made by an admin
--    (kind 'invite': for the address given). Only the SHA-256 of the link's token is stored; a link
--    works once (used_at) and until expires_at.
-- 2. Test sends marked as such on their event.
-- 3. An index of each webhook's attempts by time, so the delivery figures of one webhook over a
--    range (GET /v2/webhooks/{id}/stats) read only that webhook's attempts in that range.
-- Times are integer milliseconds since the Unix epoch.

CREATE TABLE admin_invites (
  id         TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  email      TEXT,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT REFERENCES admins(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX admin_invites_account ON admin_invites(account_id);

ALTER TABLE events ADD COLUMN test INTEGER NOT NULL DEFAULT 0;

CREATE INDEX IF NOT EXISTS attempts_webhook_time ON attempts(webhook_id, attempted_at);
