// Booking actions, each one transaction: the booking's change, its durable "completed" timer and
// the event it emits commit together, or nothing changes. An action that breaks the rules answers
// a 4xx in OnceHub's error shape.
//
//   schedule ──(needs approval)──> requested ──approve──> scheduled        booking.scheduled
//   scheduled|rescheduled ──guest moves it on its calendar──> rescheduled  booking.rescheduled
//   scheduled|rescheduled ──host reassigns──> (same status)                booking.reassigned
//   scheduled|rescheduled ──guest rebooks on another calendar──> canceled  booking.canceled_then_rescheduled
//                           (then the new booking's booking.scheduled, in that order)
//   scheduled|rescheduled ──host asks the guest to reschedule──> canceled  booking.canceled_reschedule_requested
//   canceled (reschedule requested) ──guest picks a new time──> rescheduled  booking.rescheduled
//   canceled (reschedule requested) ──guest rebooks elsewhere──> canceled    booking.canceled_then_rescheduled
//   scheduled|rescheduled ──host or guest cancels──> canceled              booking.canceled
//   scheduled|rescheduled ──end time passes (timer)──> completed           booking.completed
//   completed ──host marks no-show──> no_show                             booking.no_show
//
// Every cancel and reschedule records who acted and why (cancel_reschedule_information): the host
// ("user", with the host's user id) or the guest ("customer"), and the reason given, if any.
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import { publishEvent } from '../events/publish.js';
import { newId } from '../ids.js';
import { lockForUpdate, type Db } from '../storage/db.js';
import { clearTimer, setTimer } from '../timers/timers.js';
import type { EventType } from '../webhooks/event-types.js';
import { renderBooking, type BookingObject, type BookingRow, type BookingStatus, type CustomValue, type FormSubmission } from './booking-object.js';
import { expandedConversation } from './conversation-object.js';
import { findCalendarLockingHost, findUser, MAX_DURATION_MINUTES, validTimezone, type CalendarRow, type LockedCalendar } from './hosts.js';

const ACTIVE: BookingStatus[] = ['scheduled', 'rescheduled'];

export interface ScheduleInput {
  start_time?: unknown;
  timezone?: unknown;
  /** OnceHub's name for `timezone`. */
  guest_time_zone?: unknown;
  location_description?: unknown;
  /** OnceHub's location choice: the guest's own address or phone number becomes the location description. */
  location?: unknown;
  booking_form?: unknown;
}

function parseStart(ctx: AppContext, value: unknown): number {
  if (typeof value !== 'string') throw invalid('Missing required param: start_time.', 'start_time');
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw invalid(`Invalid date: ${value}`, 'start_time');
  if (ms <= ctx.clock.now()) throw invalid('Invalid start_time: it must be in the future.', 'start_time');
  return ms;
}

const optionalText = (v: unknown, param: string): string | null => {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(`Invalid ${param}: it must be a string.`, param);
  return v;
};

/** The booking form's own fields; any other key is a custom field named by it (OnceHub's mapped field names). */
const FORM_FIELDS = ['name', 'email', 'phone', 'mobile_phone', 'note', 'company', 'guests', 'custom_fields'];

const customValue = (v: unknown): CustomValue => (Array.isArray(v) ? v.map(String) : String(v ?? ''));

function parseForm(value: unknown): FormSubmission {
  if (typeof value !== 'object' || value === null) throw invalid('Missing required param: booking_form.', 'booking_form');
  const f = value as Record<string, unknown>;
  if (typeof f.name !== 'string' || !f.name.trim()) throw invalid('Missing required param: booking_form.name.', 'booking_form.name');
  if (typeof f.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(f.email)) {
    throw invalid('Invalid booking_form.email: provide the guest\'s e-mail address.', 'booking_form.email');
  }
  const guests = f.guests ?? [];
  if (!Array.isArray(guests) || guests.some((g) => typeof g !== 'string')) throw invalid('Invalid booking_form.guests: a list of e-mail addresses.', 'booking_form.guests');
  const custom = f.custom_fields ?? [];
  if (!Array.isArray(custom) || custom.some((c) => typeof c !== 'object' || c === null)) {
    throw invalid('Invalid booking_form.custom_fields: a list of {name, value}.', 'booking_form.custom_fields');
  }
  const named = Object.entries(f).filter(([key]) => !FORM_FIELDS.includes(key));
  return {
    name: f.name.trim(),
    email: f.email,
    phone: optionalText(f.phone, 'booking_form.phone') ?? '',
    mobile_phone: optionalText(f.mobile_phone, 'booking_form.mobile_phone') ?? '',
    note: optionalText(f.note, 'booking_form.note') ?? '',
    company: optionalText(f.company, 'booking_form.company') ?? '',
    guests: guests as string[],
    custom_fields: [
      ...(custom as { name?: unknown; value?: unknown }[]).map((c) => ({ name: String(c.name ?? ''), value: customValue(c.value) })),
      ...named.map(([name, v]) => ({ name, value: customValue(v) })),
    ],
  };
}

/** The location description: given as such, or the address or phone a guest gives in OnceHub's `location`, else the calendar's. */
function locationOf(input: ScheduleInput, calendar: CalendarRow): string | null {
  const given = optionalText(input.location_description, 'location_description');
  if (given !== null) return given;
  const location = input.location as { type?: unknown; value?: unknown } | undefined;
  if ((location?.type === 'in_person_by_guest' || location?.type === 'guest_phone') && typeof location.value === 'string' && location.value.trim()) {
    return location.value.trim();
  }
  return calendar.location;
}

async function assertHostFree(db: Db, hostId: string, startsAt: number, endsAt: number, except?: string): Promise<void> {
  // The host is locked first, so that two bookings for one host are checked one after the other:
  // both cannot find the same time free.
  await db.get(`SELECT id FROM users WHERE id = ?${lockForUpdate(db)}`, [hostId]);
  await assertNoOverlap(db, hostId, startsAt, endsAt, except);
}

/**
 * The overlap check, the host's row locked already. A booking that overlaps starts at most its
 * length (a day at most) before this one: the index range read stays a day long, however long the
 * host's history.
 */
async function assertNoOverlap(db: Db, hostId: string, startsAt: number, endsAt: number, except?: string): Promise<void> {
  const clash = await db.get<{ id: string }>(
    `SELECT id FROM bookings WHERE owner_id = ? AND starts_at > ? AND starts_at < ?
        AND ends_at > ? AND status IN ('requested', 'scheduled', 'rescheduled') AND id <> ? LIMIT 1`,
    [hostId, startsAt - MAX_DURATION_MINUTES * 60_000, endsAt, startsAt, except ?? ''],
  );
  if (clash) throw conflict('The host already has a booking that overlaps this time.', 'start_time');
}

/** Renders the booking as webhooks carry it (a conversation it was made in expanded) and records the event in the same transaction. */
async function emit(ctx: AppContext, tx: Db, type: EventType, booking: BookingRow): Promise<void> {
  const conversation = await expandedConversation(tx, booking.conversation_id);
  const data = renderBooking(booking, ctx.publicUrl(), { conversation });
  await publishEvent(ctx, { accountId: booking.account_id, type, data }, tx);
}

async function save(tx: Db, b: BookingRow): Promise<void> {
  await tx.run(
    `UPDATE bookings SET status = ?, owner_id = ?, starts_at = ?, ends_at = ?, cancel_reason = ?, actioned_by = ?,
            actioned_by_user_id = ?, reschedule_requested = ?, updated_at = ? WHERE id = ?`,
    [b.status, b.owner_id, b.starts_at, b.ends_at, b.cancel_reason, b.actioned_by, b.actioned_by_user_id, b.reschedule_requested, b.updated_at, b.id],
  );
}

export interface ScheduleOptions {
  rescheduledBookingId?: string;
  conversationId?: string;
}

async function insertBooking(ctx: AppContext, tx: Db, accountId: string, calendar: LockedCalendar, input: ScheduleInput, options: ScheduleOptions): Promise<BookingRow> {
  const startsAt = parseStart(ctx, input.start_time);
  const endsAt = startsAt + calendar.duration_minutes * 60_000;
  const form = parseForm(input.booking_form);
  await assertNoOverlap(tx, calendar.host_id, startsAt, endsAt);
  const now = ctx.clock.now();
  const row: BookingRow = {
    seq: 0,
    id: newId('BKNG', 12),
    account_id: accountId,
    booking_calendar_id: calendar.id,
    owner_id: calendar.host_id,
    status: calendar.requires_approval === 1 ? 'requested' : 'scheduled',
    subject: calendar.subject,
    starts_at: startsAt,
    ends_at: endsAt,
    duration_minutes: calendar.duration_minutes,
    customer_timezone: guestTimezone(input),
    location_description: locationOf(input, calendar),
    form_submission: JSON.stringify(form),
    rescheduled_booking_id: options.rescheduledBookingId ?? null,
    cancel_reason: null,
    actioned_by: null,
    actioned_by_user_id: null,
    guest_token: randomBytes(24).toString('base64url'),
    ics_token: randomBytes(24).toString('hex'),
    reschedule_requested: 0,
    conversation_id: options.conversationId ?? null,
    created_at: now,
    updated_at: now,
  };
  await tx.run(
    `INSERT INTO bookings (id, account_id, booking_calendar_id, owner_id, status, subject, starts_at, ends_at, duration_minutes,
       customer_timezone, location_description, form_submission, rescheduled_booking_id, guest_token, ics_token, conversation_id,
       created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.id, row.account_id, row.booking_calendar_id, row.owner_id, row.status, row.subject, row.starts_at, row.ends_at,
      row.duration_minutes, row.customer_timezone, row.location_description, row.form_submission, row.rescheduled_booking_id,
      row.guest_token, row.ics_token, row.conversation_id, row.created_at, row.updated_at,
    ],
  );
  if (row.status === 'scheduled') {
    await setTimer(tx, 'booking.completed', row.id, row.ends_at);
    await emit(ctx, tx, 'booking.scheduled', row);
  }
  return row;
}

/** A guest books a slot on a booking calendar (OnceHub's POST /booking-calendars/{id}/schedule). */
export async function schedule(ctx: AppContext, accountId: string, calendarId: string, input: ScheduleInput, options: ScheduleOptions = {}, db?: Db): Promise<BookingObject> {
  return (db ?? ctx.db).transaction(async (tx) => {
    const calendar = await findCalendarLockingHost(tx, accountId, calendarId, 'id');
    const row = await insertBooking(ctx, tx, accountId, calendar, input, options);
    return renderBooking(row, ctx.publicUrl());
  });
}

type Change = (b: BookingRow, tx: Db) => Promise<EventType | null>;

/** Which bookings an action may change: a list of statuses, or a test of the booking. */
type Allowed = BookingStatus[] | ((b: BookingRow) => boolean);

/** Loads a booking, checks its status, applies the change, saves it and emits its event: one transaction. */
async function transition(ctx: AppContext, find: (tx: Db) => Promise<BookingRow | undefined>, label: string, allowed: Allowed, action: string, change: Change): Promise<BookingObject> {
  return ctx.db.transaction(async (tx) => {
    const row = await find(tx);
    if (!row) throw notFound(`No such booking: '${label}'`, 'id');
    if (Array.isArray(allowed) ? !allowed.includes(row.status) : !allowed(row)) {
      throw invalid(`Booking '${row.id}' cannot be ${action}: its status is '${row.status}'.`, 'id');
    }
    row.updated_at = ctx.clock.now();
    const event = await change(row, tx);
    await save(tx, row);
    if (event) await emit(ctx, tx, event, row);
    return renderBooking(row, ctx.publicUrl());
  });
}

/** The booking, locked until the transaction ends: actions on one booking take effect one after the other. */
const lockedBooking = (tx: Db, where: string, params: string[]) => tx.get<BookingRow>(`SELECT * FROM bookings WHERE ${where}${lockForUpdate(tx)}`, params);
const byId = (accountId: string, id: string) => (tx: Db) => lockedBooking(tx, 'account_id = ? AND id = ?', [accountId, id]);
const byToken = (token: string) => (tx: Db) => lockedBooking(tx, 'guest_token = ?', [token]);

function canceled(row: BookingRow, reason: unknown, by: 'user' | 'customer') {
  row.status = 'canceled';
  row.reschedule_requested = 0;
  actioned(row, reason, by);
}

/** Who canceled or rescheduled and why: the host (with its user id) or the guest. */
function actioned(row: BookingRow, reason: unknown, by: 'user' | 'customer') {
  row.cancel_reason = optionalText(reason, 'reason');
  row.actioned_by = by;
  row.actioned_by_user_id = by === 'user' ? row.owner_id : null;
}

/** A guest may move a booking that is on, or one its host canceled asking for a new time. */
const guestMayReschedule = (b: BookingRow) => ACTIVE.includes(b.status) || (b.status === 'canceled' && b.reschedule_requested === 1);

export const host = {
  approve: (ctx: AppContext, accountId: string, id: string) =>
    transition(ctx, byId(accountId, id), id, ['requested'], 'approved', async (b, tx) => {
      await assertHostFree(tx, b.owner_id, b.starts_at, b.ends_at, b.id);
      b.status = 'scheduled';
      await setTimer(tx, 'booking.completed', b.id, b.ends_at);
      return 'booking.scheduled';
    }),
  cancel: (ctx: AppContext, accountId: string, id: string, reason: unknown) =>
    transition(ctx, byId(accountId, id), id, ['requested', ...ACTIVE], 'canceled', async (b, tx) => {
      const wasRequested = b.status === 'requested';
      canceled(b, reason, 'user');
      await clearTimer(tx, 'booking.completed', b.id);
      return wasRequested ? null : 'booking.canceled';
    }),
  requestReschedule: (ctx: AppContext, accountId: string, id: string, reason: unknown) =>
    transition(ctx, byId(accountId, id), id, ACTIVE, 'sent a reschedule request', async (b, tx) => {
      canceled(b, reason, 'user');
      b.reschedule_requested = 1;
      await clearTimer(tx, 'booking.completed', b.id);
      return 'booking.canceled_reschedule_requested';
    }),
  reassign: (ctx: AppContext, accountId: string, id: string, newHost: unknown) =>
    transition(ctx, byId(accountId, id), id, ACTIVE, 'reassigned', async (b, tx) => {
      if (typeof newHost !== 'string') throw invalid('Missing required param: new_host.', 'new_host');
      const user = await findUser(tx, accountId, newHost, 'new_host');
      if (user.id === b.owner_id) throw invalid(`Booking '${b.id}' is already assigned to '${user.id}'.`, 'new_host');
      await assertHostFree(tx, user.id, b.starts_at, b.ends_at, b.id);
      b.owner_id = user.id;
      return 'booking.reassigned';
    }),
  noShow: (ctx: AppContext, accountId: string, id: string) =>
    transition(ctx, byId(accountId, id), id, ['completed'], 'marked as no-show', async (b) => {
      b.status = 'no_show';
      return 'booking.no_show';
    }),
};

export interface RebookInput extends ScheduleInput {
  booking_calendar?: unknown;
  reason?: unknown;
}

export const guest = {
  cancel: (ctx: AppContext, token: string, reason: unknown) =>
    transition(ctx, byToken(token), 'guest link', ACTIVE, 'canceled', async (b, tx) => {
      canceled(b, reason, 'customer');
      await clearTimer(tx, 'booking.completed', b.id);
      return 'booking.canceled';
    }),
  /** A new time on the same booking calendar; also the answer to the host's request to reschedule. */
  reschedule: (ctx: AppContext, token: string, startTime: unknown, reason?: unknown) =>
    transition(ctx, byToken(token), 'guest link', guestMayReschedule, 'rescheduled', async (b, tx) => {
      const startsAt = parseStart(ctx, startTime);
      const endsAt = startsAt + b.duration_minutes * 60_000;
      await assertHostFree(tx, b.owner_id, startsAt, endsAt, b.id);
      Object.assign(b, { starts_at: startsAt, ends_at: endsAt, status: 'rescheduled', reschedule_requested: 0 });
      actioned(b, reason, 'customer');
      await setTimer(tx, 'booking.completed', b.id, endsAt);
      return 'booking.rescheduled';
    }),
  /**
   * Cancels and books again on a different booking calendar: the new booking links back to this one.
   * The old booking's booking.canceled_then_rescheduled is published before the new one's booking.scheduled.
   */
  rebook: async (ctx: AppContext, token: string, input: RebookInput) => {
    let replacement: BookingObject | undefined;
    await transition(ctx, byToken(token), 'guest link', guestMayReschedule, 'rebooked', async (b, tx) => {
      if (typeof input.booking_calendar !== 'string') throw invalid('Missing required param: booking_calendar.', 'booking_calendar');
      if (input.booking_calendar === b.booking_calendar_id) {
        throw invalid('To move a booking on the same booking calendar, reschedule it.', 'booking_calendar');
      }
      const calendar = await findCalendarLockingHost(tx, b.account_id, input.booking_calendar, 'booking_calendar');
      canceled(b, input.reason, 'customer');
      await clearTimer(tx, 'booking.completed', b.id);
      await save(tx, b); // free the old slot before the new one is checked
      await emit(ctx, tx, 'booking.canceled_then_rescheduled', b);
      const form = JSON.parse(b.form_submission) as FormSubmission;
      const timezone = input.timezone ?? input.guest_time_zone ?? b.customer_timezone ?? undefined;
      const row = await insertBooking(ctx, tx, b.account_id, calendar, { ...input, booking_form: input.booking_form ?? form, timezone, guest_time_zone: undefined }, { rescheduledBookingId: b.id });
      replacement = renderBooking(row, ctx.publicUrl());
      return null; // published above, before the new booking's event
    });
    return replacement!;
  },
};

/** The timer handler: a booking whose end time passed is completed. */
export async function completeBooking(ctx: AppContext, tx: Db, bookingId: string): Promise<void> {
  const row = await lockedBooking(tx, 'id = ?', [bookingId]);
  if (!row || !ACTIVE.includes(row.status)) return;
  row.status = 'completed';
  row.updated_at = ctx.clock.now();
  await save(tx, row);
  await emit(ctx, tx, 'booking.completed', row);
}

/** The guest's time zone: `timezone`, or OnceHub's `guest_time_zone`. */
function guestTimezone(input: ScheduleInput): string | null {
  const zone = input.timezone ?? input.guest_time_zone;
  if (zone === undefined || zone === null || zone === '') return null;
  return validTimezone(zone, input.timezone !== undefined ? 'timezone' : 'guest_time_zone');
}
