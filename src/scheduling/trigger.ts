// `hookline trigger <type>`: performs the real actions that produce an event type in an account, as
// `stripe trigger` does, creating the hosts and calendars it needs (once, reused afterwards). Events
// of the steps on the way are emitted too (a rescheduled booking was scheduled first).
// booking.completed and conversation.abandoned cannot wait for real time to pass: the booking is
// completed, the conversation abandoned, at once by the same handler their timer runs.
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { invalid } from '../errors.js';
import { clearTimer } from '../timers/timers.js';
import { EVENT_TYPES, type EventType } from '../webhooks/event-types.js';
import { completeBooking, guest, host, schedule } from './bookings.js';
import type { BookingObject } from './booking-object.js';
import { createChatbot, createWebsite } from './chatbots.js';
import { abandonConversation, answerQuestion, reachOut, startConversation } from './conversations.js';
import { createCalendar, createUser } from './hosts.js';

interface Fixtures {
  hostA: string;
  hostB: string;
  calendarA: string;
  calendarB: string;
}

async function ensureUser(ctx: AppContext, accountId: string, email: string, firstName: string): Promise<string> {
  const found = await ctx.db.get<{ id: string }>('SELECT id FROM users WHERE account_id = ? AND email = ?', [accountId, email]);
  return found?.id ?? (await createUser(ctx, accountId, { email, first_name: firstName, last_name: 'Trigger' })).id;
}

async function ensureCalendar(ctx: AppContext, accountId: string, hostId: string, name: string): Promise<string> {
  const found = await ctx.db.get<{ id: string }>('SELECT id FROM booking_calendars WHERE account_id = ? AND name = ?', [accountId, name]);
  return found?.id ?? (await createCalendar(ctx, accountId, { host: hostId, name, duration_minutes: 30 }, ctx.publicUrl())).id;
}

async function fixtures(ctx: AppContext, accountId: string): Promise<Fixtures> {
  const hostA = await ensureUser(ctx, accountId, 'trigger-host-a@example.com', 'Alex');
  const hostB = await ensureUser(ctx, accountId, 'trigger-host-b@example.com', 'Blair');
  return {
    hostA,
    hostB,
    calendarA: await ensureCalendar(ctx, accountId, hostA, 'Trigger calendar A'),
    calendarB: await ensureCalendar(ctx, accountId, hostB, 'Trigger calendar B'),
  };
}

const tokenOf = (b: BookingObject) => b.cancel_reschedule_url.split('/').pop()!;

/** A free slot: whole half hours, a day ahead and further on each call, so trigger bookings never clash. */
async function freeSlot(ctx: AppContext, accountId: string): Promise<number> {
  const row = await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM bookings WHERE account_id = ?', [accountId]);
  const halfHour = 30 * 60_000;
  return Math.ceil((ctx.clock.now() + 86_400_000) / halfHour) * halfHour + Number(row?.n ?? 0) * 2 * halfHour;
}

async function ensureChatbot(ctx: AppContext, accountId: string, hostId: string): Promise<{ id: string; questionId: string }> {
  const found = await ctx.db.get<{ id: string; questions: string }>('SELECT id, questions FROM chatbots WHERE account_id = ? AND name = ?', [accountId, 'Trigger chatbot']);
  if (found) return { id: found.id, questionId: (JSON.parse(found.questions) as { id: string }[])[0]!.id };
  const site = await ctx.db.get<{ id: string }>('SELECT id FROM websites WHERE account_id = ? AND name = ?', [accountId, 'Trigger website']);
  const website = site?.id ?? (await createWebsite(ctx, accountId, { name: 'Trigger website', url: 'https://example.com' })).id;
  const bot = await createChatbot(ctx, accountId, { name: 'Trigger chatbot', website, owner: hostId, questions: [{ question: 'How can we help?' }] });
  return { id: bot.id, questionId: bot.questions[0]!.id };
}

/** conversation.*: a new visitor starts the trigger chatbot (or the chatbot reaches out to it); closing answers its one question. */
async function triggerConversation(ctx: AppContext, accountId: string, type: EventType, hostId: string): Promise<{ id: string }> {
  const bot = await ensureChatbot(ctx, accountId, hostId);
  const visitor = { visitor_id: `trigger-visitor-${randomBytes(8).toString('hex')}`, email: 'trigger-visitor@example.com', first_name: 'Trigger' };
  if (type === 'conversation.reached_out') return reachOut(ctx, bot.id, visitor);
  const conversation = await startConversation(ctx, bot.id, visitor);
  if (type === 'conversation.closed') {
    await answerQuestion(ctx, conversation.id, { visitor_id: visitor.visitor_id, question_id: bot.questionId, value: 'A demo, please' });
  } else if (type === 'conversation.abandoned') {
    await ctx.db.transaction(async (tx) => {
      await clearTimer(tx, 'conversation.abandoned', conversation.id);
      await abandonConversation(ctx, tx, conversation.id);
    });
  }
  return conversation;
}

/** Every event type can be triggered. */
export const TRIGGERABLE: readonly EventType[] = EVENT_TYPES;

/** Performs the actions; returns the booking or conversation the event is about. */
export async function trigger(ctx: AppContext, accountId: string, type: string): Promise<{ id: string }> {
  if (!(TRIGGERABLE as readonly string[]).includes(type)) throw invalid(`Cannot trigger '${type}': choose one of ${TRIGGERABLE.join(', ')}.`, 'type');
  const f = await fixtures(ctx, accountId);
  if (type.startsWith('conversation.')) return triggerConversation(ctx, accountId, type as EventType, f.hostA);
  const start = await freeSlot(ctx, accountId);
  const booking = await schedule(ctx, accountId, f.calendarA, {
    start_time: new Date(start).toISOString(),
    timezone: 'UTC',
    booking_form: { name: 'Trigger Guest', email: 'trigger-guest@example.com', note: `hookline trigger ${type}` },
  });
  const at = (ms: number) => new Date(ms).toISOString();
  switch (type as EventType) {
    case 'booking.scheduled':
      return booking;
    case 'booking.rescheduled':
      return guest.reschedule(ctx, tokenOf(booking), at(start + 30 * 60_000));
    case 'booking.reassigned':
      return host.reassign(ctx, accountId, booking.id, f.hostB);
    case 'booking.canceled_then_rescheduled':
      await guest.rebook(ctx, tokenOf(booking), { booking_calendar: f.calendarB, start_time: at(start), reason: 'Triggered' });
      return booking;
    case 'booking.canceled_reschedule_requested':
      return host.requestReschedule(ctx, accountId, booking.id, 'Triggered');
    case 'booking.canceled':
      return host.cancel(ctx, accountId, booking.id, 'Triggered');
    case 'booking.completed':
    case 'booking.no_show': {
      await ctx.db.transaction(async (tx) => {
        await clearTimer(tx, 'booking.completed', booking.id);
        await completeBooking(ctx, tx, booking.id);
      });
      return type === 'booking.no_show' ? host.noShow(ctx, accountId, booking.id) : booking;
    }
    default:
      throw invalid(`Cannot trigger '${type}'.`, 'type');
  }
}
