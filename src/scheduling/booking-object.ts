// A booking row as OnceHub's booking object. Webhook payloads expand the booking calendar and the
// conversation, as OnceHub documents; the REST API gives the calendar's id. Empty values are null
// (OnceHub: "Fields with no values will appear as null"), lists are [].
import { isoTime } from '../clock.js';
import type { Db } from '../storage/db.js';
import { fetchPage, type PageRequest } from '../storage/pagination.js';
import { toCalendarObject, type CalendarRow } from './hosts.js';

export type BookingStatus = 'requested' | 'scheduled' | 'rescheduled' | 'completed' | 'canceled' | 'no_show';

export interface BookingRow {
  seq: number;
  id: string;
  account_id: string;
  booking_calendar_id: string;
  owner_id: string;
  status: BookingStatus;
  subject: string;
  starts_at: number;
  ends_at: number;
  duration_minutes: number;
  customer_timezone: string | null;
  location_description: string | null;
  form_submission: string; // JSON
  rescheduled_booking_id: string | null;
  cancel_reason: string | null;
  actioned_by: 'user' | 'customer' | null;
  actioned_by_user_id: string | null;
  guest_token: string;
  conversation_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface FormSubmission {
  name: string;
  email: string;
  phone: string | null;
  mobile_phone: string | null;
  note: string | null;
  company: string | null;
  guests: string[];
  custom_fields: { name: string; value: string }[];
}

/** The guest's link to cancel or reschedule: hookline's own guest endpoint, keyed by an unguessable token. */
export const guestUrl = (publicUrl: string, token: string) => `${publicUrl}/v2/guest/bookings/${token}`;

export function renderBooking(b: BookingRow, calendar: CalendarRow, publicUrl: string, options: { expand: boolean; conversation?: unknown }) {
  const form = JSON.parse(b.form_submission) as FormSubmission;
  return {
    object: 'booking' as const,
    id: b.id,
    tracking_id: b.id.slice(5, 13),
    subject: b.subject,
    status: b.status,
    in_trash: false,
    creation_time: isoTime(b.created_at),
    starting_time: isoTime(b.starts_at),
    last_updated_time: isoTime(b.updated_at),
    customer_timezone: b.customer_timezone,
    owner: b.owner_id,
    duration_minutes: b.duration_minutes,
    virtual_conferencing: { join_url: null },
    location_description: b.location_description,
    rescheduled_booking_id: b.rescheduled_booking_id,
    cancel_reschedule_url: guestUrl(publicUrl, b.guest_token),
    cancel_reschedule_information: { reason: b.cancel_reason, actioned_by: b.actioned_by, user_id: b.actioned_by_user_id },
    attendees: [form.email, ...form.guests],
    form_submission: form,
    booking_calendar: options.expand ? toCalendarObject(calendar, publicUrl) : calendar.id,
    external_calendar: { type: 'none', name: null, id: null, event_id: null },
    payment_information: null,
    custom_fields: form.custom_fields,
    conversation: options.expand ? (options.conversation ?? null) : b.conversation_id,
  };
}

export type BookingObject = ReturnType<typeof renderBooking>;

export async function findBookingRow(db: Db, accountId: string, id: string): Promise<BookingRow | undefined> {
  return db.get<BookingRow>('SELECT * FROM bookings WHERE account_id = ? AND id = ?', [accountId, id]);
}

export function listBookingRows(db: Db, accountId: string, page: PageRequest) {
  return fetchPage<BookingRow>(db, { table: 'bookings', where: 'account_id = ?', params: [accountId], noun: 'booking' }, page);
}
