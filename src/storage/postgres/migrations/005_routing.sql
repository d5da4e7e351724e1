-- Booking hubs (one entry point over several booking calendars) and routing forms (questions whose
-- answers pick a booking calendar); the tables of sqlite/migrations/005_routing.sql in PostgreSQL
-- types. Their lists are JSON text: they are read whole and never queried into.

CREATE TABLE booking_hubs (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  mode         TEXT NOT NULL,
  calendar_ids TEXT NOT NULL,
  next_index   INTEGER NOT NULL DEFAULT 0,
  created_at   BIGINT NOT NULL
);
CREATE INDEX booking_hubs_account_seq ON booking_hubs(account_id, seq);

CREATE TABLE routing_forms (
  seq                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                   TEXT NOT NULL UNIQUE,
  account_id           TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name                 TEXT NOT NULL,
  questions            TEXT NOT NULL,
  rules                TEXT NOT NULL,
  fallback_calendar_id TEXT NOT NULL,
  created_at           BIGINT NOT NULL
);
CREATE INDEX routing_forms_account_seq ON routing_forms(account_id, seq);
