-- The chatbot side: websites, chatbots (a flow of questions, optionally ending in a scheduling step),
-- contacts (the visitors) and their conversations; the tables of sqlite/migrations/004_conversations.sql
-- in PostgreSQL types. A chatbot's questions and a conversation's answers are JSON text: they are read
-- whole and never queried into.

CREATE TABLE websites (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  url        TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX websites_account_seq ON websites(account_id, seq);

CREATE TABLE chatbots (
  seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                  TEXT NOT NULL UNIQUE,
  account_id          TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  website_id          TEXT NOT NULL REFERENCES websites(id),
  owner_id            TEXT NOT NULL REFERENCES users(id),
  name                TEXT NOT NULL,
  questions           TEXT NOT NULL,
  booking_calendar_id TEXT REFERENCES booking_calendars(id),
  created_at          BIGINT NOT NULL
);
CREATE INDEX chatbots_account_seq ON chatbots(account_id, seq);

-- A visitor is known by the SHA-256 of the id its widget keeps: that id is its credential.
CREATE TABLE contacts (
  seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  account_id         TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  visitor_hash       TEXT NOT NULL,
  owner_id           TEXT NOT NULL REFERENCES users(id),
  email              TEXT,
  first_name         TEXT,
  last_name          TEXT,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  last_interacted_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_account_visitor ON contacts(account_id, visitor_hash);
CREATE INDEX contacts_account_seq ON contacts(account_id, seq);

-- status: started, closed, abandoned. A contact has at most one started conversation.
CREATE TABLE conversations (
  seq                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  account_id         TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  chatbot_id         TEXT NOT NULL REFERENCES chatbots(id),
  contact_id         TEXT NOT NULL REFERENCES contacts(id),
  owner_id           TEXT NOT NULL REFERENCES users(id),
  status             TEXT NOT NULL,
  initiated_by       TEXT NOT NULL,
  answers            TEXT NOT NULL,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  last_interacted_at BIGINT NOT NULL
);
CREATE INDEX conversations_account_seq ON conversations(account_id, seq);
CREATE UNIQUE INDEX conversations_open_contact ON conversations(contact_id) WHERE status = 'started';

CREATE INDEX bookings_conversation ON bookings(conversation_id);
