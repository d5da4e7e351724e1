-- Booking calendar links (OnceHub's ics_url, and the guest's pages behind cancel_reschedule_url,
-- cancel_url and reschedule_url), reschedule requests the guest can answer, and conversations a
-- chatbot opens itself (conversation.reached_out) before the visitor answers.

-- The public .ics download has a token of its own, apart from the guest token that can cancel.
ALTER TABLE bookings ADD COLUMN ics_token TEXT;
UPDATE bookings SET ics_token = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') WHERE ics_token IS NULL;
CREATE UNIQUE INDEX bookings_ics_token ON bookings(ics_token);

-- 1 when the host canceled and asked the guest to pick a new time: the guest may still reschedule.
ALTER TABLE bookings ADD COLUMN reschedule_requested INTEGER NOT NULL DEFAULT 0;

-- When the visitor first interacted; NULL while a conversation the chatbot opened awaits an answer.
ALTER TABLE conversations ADD COLUMN engaged_at BIGINT;
UPDATE conversations SET engaged_at = created_at WHERE engaged_at IS NULL;

-- The visitor's IANA time zone, when its widget tells it.
ALTER TABLE contacts ADD COLUMN timezone TEXT;
