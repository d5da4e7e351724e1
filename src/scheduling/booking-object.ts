// A booking row as OnceHub's booking object, every field typed as OnceHub's published schema types it
// (the rule is in events/payload-schemas.ts): a string without a value is "", an object without one is
// null where the schema allows it, lists are []. Webhook payloads expand the conversation, as OnceHub
// documents; the REST API gives ids and expands `owner`, `conversation` and `booking_calendar` on
// request (?expand=).
import { isoTime } from '../clock.js';
import type { Db } from '../storage/db.js';
import { fetchPage, type PageRequest } from '../storage/pagination.js';
import { renderConversation, type ConversationRow } from './conversation-object.js';
import { findCalendar, findUser, toCalendarObject, toUserObject } from './hosts.js';

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
  ics_token: string;
  /** 1 when the host canceled asking the guest to pick a new time. */
  reschedule_requested: number;
  conversation_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface FormSubmission {
  name: string;
  email: string;
  phone: string;
  mobile_phone: string;
  note: string;
  company: string;
  guests: string[];
  custom_fields: { name: string; value: CustomValue }[];
}

/** A custom field's value: text, or the choices of a multi-select question (OnceHub's booking form). */
export type CustomValue = string | string[];

/** The guest's pages (no API key: the unguessable token in the link is the credential) and the public .ics download. */
export function bookingLinks(publicUrl: string, b: Pick<BookingRow, 'guest_token' | 'ics_token'>) {
  const page = `${publicUrl}/m/${b.guest_token}`;
  return { page, cancel: `${page}/cancel`, reschedule: `${page}/reschedule`, ics: `${publicUrl}/ics/${b.ics_token}.ics` };
}

export interface RenderOptions {
  /** The conversation expanded (webhooks always; REST on request), or null for a booking made outside one. Else its id. */
  conversation?: unknown;
  /** The owner expanded (REST on request). Else its id. */
  owner?: unknown;
}

/** Who canceled or rescheduled, and why: null until someone did. */
function cancelRescheduleInformation(b: BookingRow) {
  if (b.actioned_by === null) return null;
  return { reason: b.cancel_reason ?? '', actioned_by: b.actioned_by, user_id: b.actioned_by_user_id ?? '' };
}

export function renderBooking(b: BookingRow, publicUrl: string, options: RenderOptions = {}) {
  const form = JSON.parse(b.form_submission) as StoredForm;
  const links = bookingLinks(publicUrl, b);
  return {
    object: 'booking' as const,
    id: b.id,
    tracking_id: b.id.slice(5, 13),
    subject: b.subject,
    status: b.status,
    in_trash: false,
    creation_time: isoTime(b.created_at),
    starting_time: isoTime(b.starts_at),
    customer_timezone: b.customer_timezone ?? '',
    last_updated_time: isoTime(b.updated_at),
    owner: options.owner ?? b.owner_id,
    duration_minutes: b.duration_minutes,
    virtual_conferencing: { join_url: '' },
    location_description: b.location_description ?? '',
    rescheduled_booking_id: b.rescheduled_booking_id ?? '',
    cancel_reschedule_url: links.page,
    cancel_reschedule_information: cancelRescheduleInformation(b),
    attendees: [form.email, ...form.guests],
    form_submission: formSubmission(form),
    // OnceHub's sample payload says "none" when no external calendar holds the booking, though its
    // schema's enum lists only google, exchange, office_365 and icloud: hookline follows the sample.
    external_calendar: { type: 'none', name: '', id: '', event_id: '' },
    ics_url: links.ics,
    booking_calendar: b.booking_calendar_id,
    cancel_url: links.cancel,
    reschedule_url: links.reschedule,
    payment_information: null,
    custom_fields: form.custom_fields,
    conversation: options.conversation !== undefined ? options.conversation : b.conversation_id,
  };
}

/** Rows written before the empty-string rule kept null for the optional fields. */
type StoredForm = Omit<FormSubmission, 'phone' | 'mobile_phone' | 'note' | 'company'> & Record<'phone' | 'mobile_phone' | 'note' | 'company', string | null>;

function formSubmission(f: StoredForm): FormSubmission {
  return {
    name: f.name,
    email: f.email,
    phone: f.phone ?? '',
    mobile_phone: f.mobile_phone ?? '',
    note: f.note ?? '',
    company: f.company ?? '',
    guests: f.guests,
    custom_fields: f.custom_fields,
  };
}

export type BookingObject = ReturnType<typeof renderBooking>;

export async function findBookingRow(db: Db, accountId: string, id: string): Promise<BookingRow | undefined> {
  return db.get<BookingRow>('SELECT * FROM bookings WHERE account_id = ? AND id = ?', [accountId, id]);
}

export function listBookingRows(db: Db, accountId: string, page: PageRequest) {
  return fetchPage<BookingRow>(db, { table: 'bookings', where: 'account_id = ?', params: [accountId], noun: 'booking' }, page);
}

/** What the REST API may expand in a booking. */
export const BOOKING_EXPANDABLE = ['owner', 'conversation', 'booking_calendar'] as const;

/**
 * Bookings as the REST API answers them: ids, except the fields `expand` names, given as objects (a
 * conversation with its own fields as ids). Each object is read once for the whole list.
 */
export async function renderBookingsForApi(db: Db, rows: BookingRow[], publicUrl: string, expand: ReadonlySet<string>) {
  const once = <T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>) => cache.get(id) ?? cache.set(id, read()).get(id)!;
  const owners = new Map<string, Promise<unknown>>();
  const calendars = new Map<string, Promise<unknown>>();
  const conversations = new Map<string, Promise<unknown>>();
  return Promise.all(
    rows.map(async (b) => {
      const booking = renderBooking(b, publicUrl, {
        ...(expand.has('owner') && { owner: await once(owners, b.owner_id, async () => toUserObject(await findUser(db, b.account_id, b.owner_id))) }),
        ...(expand.has('conversation') && {
          conversation:
            b.conversation_id === null
              ? null
              : await once(conversations, b.conversation_id, async () => {
                  const row = await db.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [b.conversation_id]);
                  return row ? renderConversation(db, row, { expand: false }) : null;
                }),
        }),
      });
      if (!expand.has('booking_calendar')) return booking;
      const calendar = await once(calendars, b.booking_calendar_id, async () => toCalendarObject(await findCalendar(db, b.account_id, b.booking_calendar_id), publicUrl));
      return { ...booking, booking_calendar: calendar };
    }),
  );
}
