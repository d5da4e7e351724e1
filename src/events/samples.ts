// Sample payloads for test sends: a booking or a conversation object in OnceHub's webhook shape,
// with fresh ids and times around `now`, and the status that matches the event type.
import { isoTime } from '../clock.js';
import { newId } from '../ids.js';
import { kindOf, type EventType } from '../webhooks/event-types.js';

const BOOKING_STATUS: Record<string, string> = {
  'booking.scheduled': 'scheduled',
  'booking.rescheduled': 'rescheduled',
  'booking.reassigned': 'scheduled',
  'booking.canceled_then_rescheduled': 'canceled',
  'booking.canceled_reschedule_requested': 'canceled',
  'booking.canceled': 'canceled',
  'booking.completed': 'completed',
  'booking.no_show': 'no_show',
};

export function sampleData(type: EventType, now: number): Record<string, unknown> {
  return kindOf(type) === 'booking' ? sampleBooking(type, now) : sampleConversation(type, now);
}

function sampleBooking(type: EventType, now: number): Record<string, unknown> {
  const id = newId('BKNG', 12);
  const canceled = type.startsWith('booking.canceled');
  return {
    object: 'booking',
    id,
    tracking_id: id.slice(5, 13),
    subject: 'Sample meeting (test event)',
    status: BOOKING_STATUS[type],
    in_trash: false,
    creation_time: isoTime(now - 86_400_000),
    starting_time: isoTime(now + 86_400_000),
    last_updated_time: isoTime(now),
    customer_timezone: 'America/New_York',
    owner: 'USR-SAMPLE0001',
    duration_minutes: 30,
    virtual_conferencing: { join_url: null },
    location_description: null,
    rescheduled_booking_id: null,
    cancel_reschedule_url: `https://example.com/m/${id}`,
    cancel_reschedule_information: canceled
      ? { reason: 'Sample cancellation', actioned_by: 'customer', user_id: null }
      : { reason: null, actioned_by: null, user_id: null },
    attendees: ['carrie@example.com'],
    form_submission: {
      name: 'Carrie Sample',
      email: 'carrie@example.com',
      phone: null,
      mobile_phone: null,
      note: null,
      company: null,
      guests: [],
      custom_fields: [],
    },
    booking_calendar: {
      id: 'BKC-SAMPLE0001',
      object: 'booking_calendar',
      name: 'Sample booking calendar',
      subject: 'Sample meeting',
      url: 'https://example.com/sample',
      published: true,
    },
    external_calendar: { type: 'none', name: null, id: null, event_id: null },
    payment_information: null,
    custom_fields: [],
    conversation: null,
  };
}

function sampleConversation(type: EventType, now: number): Record<string, unknown> {
  return {
    object: 'conversation',
    id: newId('CVR', 10),
    creation_time: isoTime(now - 60_000),
    initiated_by: 'contact',
    last_updated_time: isoTime(now),
    last_interacted_time: isoTime(now),
    status: type.slice('conversation.'.length),
    contact: sampleContact(now),
    owner: { object: 'user', id: 'USR-SAMPLE0001', first_name: 'Sample', last_name: 'Host', email: 'host@example.com', status: 'active', role_name: 'Member', timezone: 'UTC', teams: [] },
    bot: { id: 'BOT-SAMPLE0001', object: 'bot', name: 'Sample chatbot' },
    website: { id: 'WEB-SAMPLE0001', object: 'website', name: 'Sample website', url: 'https://example.com' },
    audience: null,
    answers: [{ id: 'INT-SAMPLE0001', internal_label: 'topic', question: 'How can we help?', value: 'A demo' }],
    bookings: [],
  };
}

function sampleContact(now: number): Record<string, unknown> {
  const empty = ['status', 'city', 'company_size', 'company', 'country', 'employees', 'has_consent', 'job_title', 'mobile_phone', 'phone', 'post_code', 'salutation', 'state', 'street_address', 'terms_of_sevice', 'timezone'];
  return {
    object: 'contact',
    id: 'CTC-SAMPLE0001',
    creation_time: isoTime(now - 60_000),
    last_updated_time: isoTime(now - 60_000),
    last_interacted_time: isoTime(now),
    owner: 'USR-SAMPLE0001',
    email: 'visitor@example.com',
    first_name: 'Sample',
    last_name: 'Visitor',
    ...Object.fromEntries(empty.map((k) => [k, null])),
    custom_fields: [],
  };
}
