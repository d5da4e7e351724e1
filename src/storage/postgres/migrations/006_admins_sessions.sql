-- The people who sign in to the account interface, and their sessions: the tables of
-- sqlite/migrations/006_admins_sessions.sql, in PostgreSQL types.
-- Times are integer milliseconds since the Unix epoch (BIGINT).

CREATE TABLE admins (
  id            TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE INDEX admins_account ON admins(account_id);

CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY,
  admin_id   TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions(admin_id);
