// Users (the hosts who are booked) and booking calendars (a host, a subject and a duration), in
// OnceHub's object shapes. Both are account-scoped; another account's ids answer 404.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { lockForUpdate, UniqueViolation, type Db } from '../storage/db.js';
import { fetchPage, type PageRequest } from '../storage/pagination.js';

export interface UserRow {
  seq: number;
  id: string;
  account_id: string;
  first_name: string;
  last_name: string;
  email: string;
  timezone: string;
  created_at: number;
}

export interface CalendarRow {
  seq: number;
  id: string;
  account_id: string;
  host_id: string;
  name: string;
  subject: string;
  duration_minutes: number;
  requires_approval: number;
  location: string | null;
  created_at: number;
}

export function toUserObject(u: UserRow) {
  return {
    object: 'user' as const,
    id: u.id,
    first_name: u.first_name,
    last_name: u.last_name,
    email: u.email,
    status: 'active' as const,
    role_name: 'Member',
    timezone: u.timezone,
    teams: [] as string[],
  };
}

export function toCalendarObject(c: CalendarRow, publicUrl: string) {
  return {
    object: 'booking_calendar' as const,
    id: c.id,
    host: c.host_id,
    name: c.name,
    subject: c.subject,
    url: `${publicUrl}/calendars/${c.id}`,
    published: true,
    duration_minutes: c.duration_minutes,
    requires_approval: c.requires_approval === 1,
    creation_time: isoTime(c.created_at),
  };
}

const text = (value: unknown, param: string, max = 200): string => {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`Missing required param: ${param}.`, param);
  if (value.length > max) throw invalid(`Invalid ${param}: it must be at most ${max} characters long.`, param);
  return value.trim();
};

/** Zones already found valid: checking one builds an Intl.DateTimeFormat, costly on every booking. */
const knownZones = new Set<string>(['UTC']);

export function validTimezone(value: unknown, param: string): string {
  const zone = text(value, param, 64);
  if (knownZones.has(zone)) return zone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw invalid(`Invalid ${param}: '${zone}' is not an IANA time zone.`, param);
  }
  if (knownZones.size < 1_000) knownZones.add(zone); // about 600 names are valid, in any letter case: the cap bounds the set
  return zone;
}

export async function createUser(ctx: AppContext, accountId: string, input: Record<string, unknown>) {
  const email = text(input.email, 'email', 254).toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw invalid(`Invalid email: '${email}'.`, 'email');
  const row: UserRow = {
    seq: 0,
    id: newId('USR'),
    account_id: accountId,
    first_name: text(input.first_name, 'first_name'),
    last_name: typeof input.last_name === 'string' ? input.last_name.trim() : '',
    email,
    timezone: input.timezone === undefined ? 'UTC' : validTimezone(input.timezone, 'timezone'),
    created_at: ctx.clock.now(),
  };
  try {
    await ctx.db.run(
      'INSERT INTO users (id, account_id, first_name, last_name, email, timezone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [row.id, row.account_id, row.first_name, row.last_name, row.email, row.timezone, row.created_at],
    );
  } catch (err) {
    if (err instanceof UniqueViolation) throw conflict(`A user with this email already exists: '${email}'`, 'email');
    throw err;
  }
  return toUserObject(row);
}

export async function findUser(db: Db, accountId: string, id: string, param = 'id'): Promise<UserRow> {
  const row = await db.get<UserRow>('SELECT * FROM users WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such user: '${id}'`, param);
  return row;
}

export async function listUsers(ctx: AppContext, accountId: string, page: PageRequest) {
  const result = await fetchPage<UserRow>(ctx.db, { table: 'users', where: 'account_id = ?', params: [accountId], noun: 'user' }, page);
  return { ...result, data: result.data.map(toUserObject) };
}

/** The longest a booking can last (a calendar's duration is at most a day): it bounds the host's overlap check. */
export const MAX_DURATION_MINUTES = 1440;

export async function createCalendar(ctx: AppContext, accountId: string, input: Record<string, unknown>, publicUrl: string) {
  const host = await findUser(ctx.db, accountId, text(input.host, 'host'), 'host');
  const duration = input.duration_minutes ?? 30;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 5 || duration > MAX_DURATION_MINUTES) {
    throw invalid(`Invalid duration_minutes: it must be a whole number of minutes between 5 and ${MAX_DURATION_MINUTES}.`, 'duration_minutes');
  }
  const row: CalendarRow = {
    seq: 0,
    id: newId('BKC'),
    account_id: accountId,
    host_id: host.id,
    name: text(input.name, 'name'),
    subject: input.subject === undefined ? text(input.name, 'name') : text(input.subject, 'subject'),
    duration_minutes: duration,
    requires_approval: input.requires_approval === true ? 1 : 0,
    location: typeof input.location === 'string' ? input.location : null,
    created_at: ctx.clock.now(),
  };
  await ctx.db.run(
    `INSERT INTO booking_calendars (id, account_id, host_id, name, subject, duration_minutes, requires_approval, location, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.account_id, row.host_id, row.name, row.subject, row.duration_minutes, row.requires_approval, row.location, row.created_at],
  );
  return toCalendarObject(row, publicUrl);
}

export async function findCalendar(db: Db, accountId: string, id: string, param = 'id'): Promise<CalendarRow> {
  const row = await db.get<CalendarRow>('SELECT * FROM booking_calendars WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such booking calendar: '${id}'`, param);
  return row;
}

/** A booking calendar read with its host's row locked until the transaction ends (what booking on it needs). */
export type LockedCalendar = CalendarRow & { readonly hostLocked: true };

/**
 * The booking calendar, its host's row locked in the same statement (one round trip less than
 * reading, then locking): bookings for one host are then checked one after the other.
 */
export async function findCalendarLockingHost(db: Db, accountId: string, id: string, param = 'id'): Promise<LockedCalendar> {
  const row = await db.get<CalendarRow>(
    `SELECT c.* FROM booking_calendars c JOIN users u ON u.id = c.host_id WHERE c.account_id = ? AND c.id = ?${lockForUpdate(db, 'u')}`,
    [accountId, id],
  );
  if (!row) throw notFound(`No such booking calendar: '${id}'`, param);
  return { ...row, hostLocked: true };
}

export async function listCalendars(ctx: AppContext, accountId: string, page: PageRequest, publicUrl: string) {
  const scope = { table: 'booking_calendars', where: 'account_id = ?', params: [accountId], noun: 'booking calendar' };
  const result = await fetchPage<CalendarRow>(ctx.db, scope, page);
  return { ...result, data: result.data.map((c) => toCalendarObject(c, publicUrl)) };
}
