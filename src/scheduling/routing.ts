// Two ways a guest reaches a booking calendar without picking it by id:
// - a booking hub lists several calendars; in `guest_choice` mode the guest picks one of them, in
//   `round_robin` mode hookline takes the next calendar in turn whose host is free at that time;
// - a routing form asks questions; the first rule whose question got the expected answer names the
//   calendar, else the form's fallback does. The answers travel with the booking as custom fields.
// Either way the booking is made by the same schedule() as a direct booking, in the same transaction.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { HooklineError, invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { lockForUpdate } from '../storage/db.js';
import { fetchPage, type PageRequest } from '../storage/pagination.js';
import type { BookingObject, FormSubmission } from './booking-object.js';
import { schedule, type ScheduleInput } from './bookings.js';
import { findCalendar } from './hosts.js';

interface HubRow {
  seq: number;
  id: string;
  account_id: string;
  name: string;
  mode: 'guest_choice' | 'round_robin';
  calendar_ids: string;
  next_index: number;
  created_at: number;
}

interface Question {
  id: string;
  question: string;
}
interface Rule {
  question_id: string;
  equals: string;
  booking_calendar: string;
}
interface FormRow {
  seq: number;
  id: string;
  account_id: string;
  name: string;
  questions: string;
  rules: string;
  fallback_calendar_id: string;
  created_at: number;
}

const toHub = (h: HubRow) => ({
  object: 'booking_hub' as const,
  id: h.id,
  name: h.name,
  mode: h.mode,
  booking_calendars: JSON.parse(h.calendar_ids) as string[],
  creation_time: isoTime(h.created_at),
});

const toForm = (f: FormRow) => ({
  object: 'routing_form' as const,
  id: f.id,
  name: f.name,
  questions: JSON.parse(f.questions) as Question[],
  rules: JSON.parse(f.rules) as Rule[],
  fallback_booking_calendar: f.fallback_calendar_id,
  creation_time: isoTime(f.created_at),
});

function name(value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) throw invalid('Missing required param: name.', 'name');
  return value.trim();
}

async function calendarList(ctx: AppContext, accountId: string, value: unknown, param: string): Promise<string[]> {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
    throw invalid(`Invalid ${param}: a non-empty list of booking calendar ids.`, param);
  }
  for (const id of value as string[]) await findCalendar(ctx.db, accountId, id, param);
  return [...new Set(value as string[])];
}

export async function createHub(ctx: AppContext, accountId: string, input: Record<string, unknown>) {
  const mode = input.mode ?? 'guest_choice';
  if (mode !== 'guest_choice' && mode !== 'round_robin') throw invalid("Invalid mode: 'guest_choice' or 'round_robin'.", 'mode');
  const row: HubRow = {
    seq: 0,
    id: newId('HUB'),
    account_id: accountId,
    name: name(input.name),
    mode,
    calendar_ids: JSON.stringify(await calendarList(ctx, accountId, input.booking_calendars, 'booking_calendars')),
    next_index: 0,
    created_at: ctx.clock.now(),
  };
  await ctx.db.run('INSERT INTO booking_hubs (id, account_id, name, mode, calendar_ids, next_index, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    row.id, row.account_id, row.name, row.mode, row.calendar_ids, row.next_index, row.created_at,
  ]);
  return toHub(row);
}

async function findHub(ctx: AppContext, accountId: string, id: string): Promise<HubRow> {
  const row = await ctx.db.get<HubRow>('SELECT * FROM booking_hubs WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such booking hub: '${id}'`, 'id');
  return row;
}

export const getHub = async (ctx: AppContext, accountId: string, id: string) => toHub(await findHub(ctx, accountId, id));

export async function listHubs(ctx: AppContext, accountId: string, page: PageRequest) {
  const result = await fetchPage<HubRow>(ctx.db, { table: 'booking_hubs', where: 'account_id = ?', params: [accountId], noun: 'booking hub' }, page);
  return { ...result, data: result.data.map(toHub) };
}

const busy = (err: unknown) => err instanceof HooklineError && err.kind === 'conflict';

/** Books through a hub: the guest's choice, or the next calendar in turn whose host is free. */
export async function scheduleThroughHub(ctx: AppContext, accountId: string, hubId: string, input: ScheduleInput & { booking_calendar?: unknown }): Promise<BookingObject> {
  return ctx.db.transaction(async (tx) => {
    // Locked, so that bookings arriving together take the round robin's turns one after the other.
    const hub = await tx.get<HubRow>(`SELECT * FROM booking_hubs WHERE account_id = ? AND id = ?${lockForUpdate(tx)}`, [accountId, hubId]);
    if (!hub) throw notFound(`No such booking hub: '${hubId}'`, 'id');
    const calendars = JSON.parse(hub.calendar_ids) as string[];
    if (hub.mode === 'guest_choice') {
      if (typeof input.booking_calendar !== 'string' || !calendars.includes(input.booking_calendar)) {
        throw invalid(`Invalid booking_calendar: choose one of this hub's booking calendars (${calendars.join(', ')}).`, 'booking_calendar');
      }
      return schedule(ctx, accountId, input.booking_calendar, input, {}, tx);
    }
    for (let i = 0; i < calendars.length; i++) {
      const index = (hub.next_index + i) % calendars.length;
      try {
        const booking = await schedule(ctx, accountId, calendars[index]!, input, {}, tx);
        await tx.run('UPDATE booking_hubs SET next_index = ? WHERE id = ?', [(index + 1) % calendars.length, hub.id]);
        return booking;
      } catch (err) {
        if (!busy(err)) throw err;
      }
    }
    throw new HooklineError('conflict', 'No host of this booking hub is free at that time.', 'start_time');
  });
}

function parseQuestions(value: unknown): Question[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('Invalid questions: a non-empty list of {question}.', 'questions');
  return value.map((q: { id?: unknown; question?: unknown }, i) => {
    if (typeof q?.question !== 'string' || !q.question.trim()) throw invalid(`Invalid questions[${i}]: it needs a question.`, 'questions');
    return { id: typeof q.id === 'string' ? q.id : `Q${i + 1}`, question: q.question.trim() };
  });
}

export async function createForm(ctx: AppContext, accountId: string, input: Record<string, unknown>) {
  const questions = parseQuestions(input.questions);
  const rawRules = input.rules ?? [];
  if (!Array.isArray(rawRules)) throw invalid('Invalid rules: a list of {question_id, equals, booking_calendar}.', 'rules');
  const rules: Rule[] = [];
  for (const r of rawRules as Record<string, unknown>[]) {
    if (!questions.some((q) => q.id === r.question_id)) throw invalid(`Invalid rules: no question '${String(r.question_id)}'.`, 'rules');
    if (typeof r.equals !== 'string') throw invalid('Invalid rules: each rule needs the answer it `equals`.', 'rules');
    const [calendar] = await calendarList(ctx, accountId, [r.booking_calendar], 'rules');
    rules.push({ question_id: r.question_id as string, equals: r.equals, booking_calendar: calendar! });
  }
  const [fallback] = await calendarList(ctx, accountId, [input.fallback_booking_calendar], 'fallback_booking_calendar');
  const row: FormRow = {
    seq: 0,
    id: newId('RTF'),
    account_id: accountId,
    name: name(input.name),
    questions: JSON.stringify(questions),
    rules: JSON.stringify(rules),
    fallback_calendar_id: fallback!,
    created_at: ctx.clock.now(),
  };
  await ctx.db.run('INSERT INTO routing_forms (id, account_id, name, questions, rules, fallback_calendar_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    row.id, row.account_id, row.name, row.questions, row.rules, row.fallback_calendar_id, row.created_at,
  ]);
  return toForm(row);
}

async function findForm(ctx: AppContext, accountId: string, id: string): Promise<FormRow> {
  const row = await ctx.db.get<FormRow>('SELECT * FROM routing_forms WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such routing form: '${id}'`, 'id');
  return row;
}

export const getForm = async (ctx: AppContext, accountId: string, id: string) => toForm(await findForm(ctx, accountId, id));

export async function listForms(ctx: AppContext, accountId: string, page: PageRequest) {
  const result = await fetchPage<FormRow>(ctx.db, { table: 'routing_forms', where: 'account_id = ?', params: [accountId], noun: 'routing form' }, page);
  return { ...result, data: result.data.map(toForm) };
}

/** Routes the answers to a calendar and books the slot there; answers become the booking's custom fields. */
export async function submitForm(ctx: AppContext, accountId: string, formId: string, input: ScheduleInput & { answers?: unknown }) {
  const form = toForm(await findForm(ctx, accountId, formId));
  if (!Array.isArray(input.answers)) throw invalid('Missing required param: answers.', 'answers');
  const answers = new Map<string, string>();
  for (const a of input.answers as { question_id?: unknown; value?: unknown }[]) {
    if (!form.questions.some((q) => q.id === a.question_id)) throw invalid(`Invalid answers: no question '${String(a.question_id)}'.`, 'answers');
    answers.set(a.question_id as string, String(a.value ?? ''));
  }
  const rule = form.rules.find((r) => answers.get(r.question_id) === r.equals);
  const calendar = rule?.booking_calendar ?? form.fallback_booking_calendar;
  const bookingForm = (input.booking_form ?? {}) as Partial<FormSubmission>;
  const custom = form.questions.filter((q) => answers.has(q.id)).map((q) => ({ name: q.question, value: answers.get(q.id)! }));
  const booking = await schedule(ctx, accountId, calendar, {
    ...input,
    booking_form: { ...bookingForm, custom_fields: [...(bookingForm.custom_fields ?? []), ...custom] },
  });
  return { object: 'routing_result' as const, routing_form: form.id, booking_calendar: calendar, booking };
}
