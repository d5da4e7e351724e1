-- The scheduling side: users (hosts), booking calendars, bookings, and durable timers; the tables
-- of sqlite/migrations/003_scheduling.sql in PostgreSQL types.

CREATE TABLE users (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  first_name TEXT NOT NULL,
  last_name  TEXT NOT NULL,
  email      TEXT NOT NULL,
  timezone   TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_account_email ON users(account_id, email);

CREATE TABLE booking_calendars (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                TEXT NOT NULL UNIQUE,
  account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  host_id           TEXT NOT NULL REFERENCES users(id),
  name              TEXT NOT NULL,
  subject           TEXT NOT NULL,
  duration_minutes  INTEGER NOT NULL,
  requires_approval INTEGER NOT NULL DEFAULT 0,
  location          TEXT,
  created_at        BIGINT NOT NULL
);
CREATE INDEX booking_calendars_account_seq ON booking_calendars(account_id, seq);

-- status: requested, scheduled, rescheduled, completed, canceled, no_show.
CREATE TABLE bookings (
  seq                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                     TEXT NOT NULL UNIQUE,
  account_id             TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  booking_calendar_id    TEXT NOT NULL REFERENCES booking_calendars(id),
  owner_id               TEXT NOT NULL REFERENCES users(id),
  status                 TEXT NOT NULL,
  subject                TEXT NOT NULL,
  starts_at              BIGINT NOT NULL,
  ends_at                BIGINT NOT NULL,
  duration_minutes       INTEGER NOT NULL,
  customer_timezone      TEXT,
  location_description   TEXT,
  form_submission        TEXT NOT NULL,
  rescheduled_booking_id TEXT,
  cancel_reason          TEXT,
  actioned_by            TEXT,
  actioned_by_user_id    TEXT,
  guest_token            TEXT NOT NULL UNIQUE,
  conversation_id        TEXT,
  created_at             BIGINT NOT NULL,
  updated_at             BIGINT NOT NULL
);
CREATE INDEX bookings_account_seq ON bookings(account_id, seq);
CREATE INDEX bookings_owner_start ON bookings(owner_id, starts_at);

-- A durable timer fires its kind's handler for its subject once, at or after due_at. Deleting the
-- row in the same transaction as the handler's work is what makes it fire once.
CREATE TABLE timers (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  due_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX timers_subject ON timers(kind, subject_id);
CREATE INDEX timers_due ON timers(due_at);
