// Sample payloads for test sends: a booking or a conversation object in OnceHub's webhook shape,
// rendered by the same functions as real payloads (so they follow the same types), with fresh ids,
// times around `now`, and the status and cancel details that match the event type.
import { newId } from '../ids.js';
import { renderBooking, type BookingRow, type BookingStatus } from '../scheduling/booking-object.js';
import { toContactObject } from '../scheduling/contacts.js';
import { toUserObject } from '../scheduling/hosts.js';
import { kindOf, type EventType } from '../webhooks/event-types.js';

const SAMPLE_URL = 'https://hookline.example.com';
const HOST = 'USR-SAMPLE0001';

const BOOKING_STATUS: Record<string, BookingStatus> = {
  'booking.scheduled': 'scheduled',
  'booking.rescheduled': 'rescheduled',
  'booking.reassigned': 'scheduled',
  'booking.canceled_then_rescheduled': 'canceled',
  'booking.canceled_reschedule_requested': 'canceled',
  'booking.canceled': 'canceled',
  'booking.completed': 'completed',
  'booking.no_show': 'no_show',
};

/** Who acted, for the events about a cancel or a reschedule. */
const ACTIONED: Record<string, Pick<BookingRow, 'actioned_by' | 'actioned_by_user_id' | 'cancel_reason'>> = {
  'booking.rescheduled': { actioned_by: 'customer', actioned_by_user_id: null, cancel_reason: 'A conflict came up' },
  'booking.canceled_then_rescheduled': { actioned_by: 'customer', actioned_by_user_id: null, cancel_reason: 'Another calendar suits me better' },
  'booking.canceled_reschedule_requested': { actioned_by: 'user', actioned_by_user_id: HOST, cancel_reason: 'Please pick another day' },
  'booking.canceled': { actioned_by: 'customer', actioned_by_user_id: null, cancel_reason: 'Sample cancellation' },
};

export function sampleData(type: EventType, now: number): Record<string, unknown> {
  return kindOf(type) === 'booking' ? sampleBooking(type, now) : sampleConversation(type, now);
}

function sampleBooking(type: EventType, now: number): Record<string, unknown> {
  const row: BookingRow = {
    seq: 0,
    id: newId('BKNG', 12),
    account_id: 'ACC-SAMPLE0001',
    booking_calendar_id: 'BKC-SAMPLE0001',
    owner_id: HOST,
    status: BOOKING_STATUS[type]!,
    subject: 'Sample meeting (test event)',
    starts_at: now + 86_400_000,
    ends_at: now + 86_400_000 + 30 * 60_000,
    duration_minutes: 30,
    customer_timezone: 'America/New_York',
    location_description: null,
    form_submission: JSON.stringify({ name: 'Carrie Sample', email: 'carrie@example.com', phone: '', mobile_phone: '', note: '', company: '', guests: [], custom_fields: [] }),
    rescheduled_booking_id: null,
    cancel_reason: null,
    actioned_by: null,
    actioned_by_user_id: null,
    guest_token: 'sample-guest-link',
    ics_token: 'sample',
    reschedule_requested: type === 'booking.canceled_reschedule_requested' ? 1 : 0,
    conversation_id: null,
    created_at: now - 86_400_000,
    updated_at: now,
    ...ACTIONED[type],
  };
  return renderBooking(row, SAMPLE_URL, { conversation: null });
}

function sampleConversation(type: EventType, now: number): Record<string, unknown> {
  const status = type === 'conversation.reached_out' ? 'started' : type.slice('conversation.'.length);
  return {
    object: 'conversation',
    id: newId('CVR', 10),
    creation_time: new Date(now - 60_000).toISOString(),
    initiated_by: type === 'conversation.reached_out' ? 'bot' : 'contact',
    last_updated_time: new Date(now).toISOString(),
    last_interacted_time: new Date(now).toISOString(),
    status,
    contact: toContactObject({
      seq: 0,
      id: 'CTC-SAMPLE0001',
      account_id: 'ACC-SAMPLE0001',
      visitor_hash: '',
      owner_id: HOST,
      email: 'visitor@example.com',
      first_name: 'Sample',
      last_name: 'Visitor',
      timezone: 'Europe/London',
      created_at: now - 60_000,
      updated_at: now - 60_000,
      last_interacted_at: now,
    }),
    owner: toUserObject({ seq: 0, id: HOST, account_id: 'ACC-SAMPLE0001', first_name: 'Sample', last_name: 'Host', email: 'host@example.com', timezone: 'UTC', created_at: now }),
    bot: { id: 'BOT-SAMPLE0001', object: 'bot', name: 'Sample chatbot' },
    website: { id: 'WEB-SAMPLE0001', object: 'website', name: 'Sample website', url: 'https://example.com' },
    audience: null,
    answers: type === 'conversation.reached_out' ? [] : [{ id: 'INT-SAMPLE0001', internal_label: 'topic', question: 'How can we help?', value: 'A demo' }],
    bookings: [],
  };
}
