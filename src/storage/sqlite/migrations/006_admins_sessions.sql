-- The people who sign in to the account interface (the web page), and their sessions.
-- Passwords are scrypt hashes ("scrypt$N$r$p$salt$hash", base64url parts); a session row is keyed
-- by the SHA-256 of its cookie value, so a copy of the database holds no usable session.
-- Times are integer milliseconds since the Unix epoch.

CREATE TABLE admins (
  id            TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX admins_account ON admins(account_id);

CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY,
  admin_id   TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions(admin_id);
