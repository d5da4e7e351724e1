// Conversation actions, each one transaction: the conversation's change, its durable "abandoned"
// timer and the events it emits commit together, or nothing changes. The visitor acts without an
// API key: the chatbot's id and the visitor id its widget keeps are its credentials. An action
// that breaks the rules answers a 4xx in OnceHub's error shape.
//
//   chatbot reaches out to a visitor first ──> started, not yet engaged     conversation.reached_out
//     (refused while the visitor has a conversation open)
//   visitor starts with a chatbot ──> started                                  conversation.started
//     (its started conversation with another chatbot is closed first)          conversation.closed
//     (its started conversation with the same chatbot is resumed instead)      -
//     (one the chatbot reached out with is now engaged)                        conversation.started
//   visitor answers or books in a conversation not yet engaged: engaged first  conversation.started
//   started ──answers a question of the flow (again: replaces it)──> started   -
//   started ──the flow's questions are all answered, no scheduling step──> closed      conversation.closed
//   started ──books in the scheduling step──> closed                   booking.scheduled, conversation.closed
//   started ──no interaction for HOOKLINE_CONVERSATION_IDLE_MINUTES (timer)──> abandoned  conversation.abandoned
//
// Every interaction (start, resume, answer) moves the idle timer; closing clears it.
import type { AppContext } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import { publishEvent } from '../events/publish.js';
import { newId } from '../ids.js';
import { lockForUpdate, UniqueViolation, type Db } from '../storage/db.js';
import { clearTimer, setTimer } from '../timers/timers.js';
import type { EventType } from '../webhooks/event-types.js';
import type { BookingObject } from './booking-object.js';
import { schedule, type ScheduleInput } from './bookings.js';
import { findChatbot, questionsOf, type ChatbotRow } from './chatbots.js';
import { findContact, touchContact, visitorContact, visitorHash, type VisitorInput } from './contacts.js';
import { renderConversation, type Answer, type ConversationObject, type ConversationRow } from './conversation-object.js';

export interface AnswerInput {
  visitor_id?: unknown;
  question_id?: unknown;
  value?: unknown;
}

export type ConversationScheduleInput = ScheduleInput & { visitor_id?: unknown };

const MAX_ANSWER = 2000;

async function emit(ctx: AppContext, tx: Db, type: EventType, c: ConversationRow): Promise<void> {
  const data = await renderConversation(tx, c, { expand: true });
  await publishEvent(ctx, { accountId: c.account_id, type, data }, tx);
}

async function save(tx: Db, c: ConversationRow): Promise<void> {
  await tx.run('UPDATE conversations SET status = ?, answers = ?, engaged_at = ?, updated_at = ?, last_interacted_at = ? WHERE id = ?', [
    c.status, c.answers, c.engaged_at, c.updated_at, c.last_interacted_at, c.id,
  ]);
}

/** The visitor's first interaction with a conversation the chatbot opened: it starts now. */
async function engage(ctx: AppContext, tx: Db, c: ConversationRow): Promise<void> {
  if (c.engaged_at !== null) return;
  c.engaged_at = ctx.clock.now();
  await touch(ctx, tx, c);
  await save(tx, c);
  await emit(ctx, tx, 'conversation.started', c);
}

async function insertConversation(ctx: AppContext, tx: Db, bot: ChatbotRow, contactId: string, by: ConversationRow['initiated_by']): Promise<ConversationRow> {
  const now = ctx.clock.now();
  const row: ConversationRow = {
    seq: 0,
    id: newId('CVR'),
    account_id: bot.account_id,
    chatbot_id: bot.id,
    contact_id: contactId,
    owner_id: bot.owner_id,
    status: 'started',
    initiated_by: by,
    answers: '[]',
    engaged_at: by === 'contact' ? now : null,
    created_at: now,
    updated_at: now,
    last_interacted_at: now,
  };
  await tx.run(
    `INSERT INTO conversations (id, account_id, chatbot_id, contact_id, owner_id, status, initiated_by, answers, engaged_at, created_at, updated_at, last_interacted_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.account_id, row.chatbot_id, row.contact_id, row.owner_id, row.status, row.initiated_by, row.answers, row.engaged_at, row.created_at, row.updated_at, row.last_interacted_at],
  );
  await touch(ctx, tx, row);
  return row;
}

/** Two first requests of one visitor at once (possible on PostgreSQL): one wins, the other is told. */
async function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UniqueViolation) throw conflict('This visitor is starting a conversation already: try again.', 'visitor_id');
    throw err;
  }
}

/** An interaction: the conversation and its contact were active now, so the idle timer starts over. */
async function touch(ctx: AppContext, tx: Db, c: ConversationRow): Promise<void> {
  const now = ctx.clock.now();
  c.last_interacted_at = now;
  c.updated_at = now;
  await touchContact(tx, c.contact_id, now);
  await setTimer(tx, 'conversation.abandoned', c.id, now + ctx.config.conversationIdleMinutes * 60_000);
}

async function close(ctx: AppContext, tx: Db, c: ConversationRow): Promise<void> {
  c.status = 'closed';
  c.updated_at = ctx.clock.now();
  await clearTimer(tx, 'conversation.abandoned', c.id);
  await save(tx, c);
  await emit(ctx, tx, 'conversation.closed', c);
}

/**
 * A visitor's request to a chatbot, one transaction: the chatbot, the visitor's contact (made on
 * first contact) and its open conversation (locked), if any.
 */
function atChatbot<T>(ctx: AppContext, chatbotId: string, input: VisitorInput, run: (tx: Db, bot: ChatbotRow, contactId: string, open: ConversationRow | undefined) => Promise<T>): Promise<T> {
  return oneAtATime(() =>
    ctx.db.transaction(async (tx) => {
      const bot = await findChatbot(tx, null, chatbotId);
      const contact = await visitorContact(ctx, tx, bot.account_id, bot.owner_id, input);
      const open = await tx.get<ConversationRow>(`SELECT * FROM conversations WHERE contact_id = ? AND status = 'started'${lockForUpdate(tx)}`, [contact.id]);
      return run(tx, bot, contact.id, open);
    }),
  );
}

/** The visitor starts talking to a chatbot (or comes back to the conversation it has open with it). */
export function startConversation(ctx: AppContext, chatbotId: string, input: VisitorInput): Promise<ConversationObject> {
  return atChatbot(ctx, chatbotId, input, async (tx, bot, contactId, open) => {
    if (open?.chatbot_id === bot.id) {
      if (open.engaged_at === null) {
        await engage(ctx, tx, open);
      } else {
        await touch(ctx, tx, open);
        await save(tx, open);
      }
      return renderConversation(tx, open, { expand: false });
    }
    if (open) await close(ctx, tx, open); // a new conversation with a different chatbot ends the old one
    const row = await insertConversation(ctx, tx, bot, contactId, 'contact');
    await emit(ctx, tx, 'conversation.started', row);
    return renderConversation(tx, row, { expand: false });
  });
}

/**
 * The chatbot reaches out to a visitor first (its widget opens with the bot's message): a
 * conversation the bot initiated, started but not yet engaged. It is refused while the visitor has a
 * conversation open. Once the visitor answers, the conversation is engaged (conversation.started);
 * if it never does, it is abandoned after the idle time like any other.
 */
export function reachOut(ctx: AppContext, chatbotId: string, input: VisitorInput): Promise<ConversationObject> {
  return atChatbot(ctx, chatbotId, input, async (tx, bot, contactId, open) => {
    if (open) throw conflict(`This visitor is in a conversation already: '${open.id}'.`, 'visitor_id');
    const row = await insertConversation(ctx, tx, bot, contactId, 'bot');
    await emit(ctx, tx, 'conversation.reached_out', row);
    return renderConversation(tx, row, { expand: false });
  });
}

/** The visitor's own conversation, locked for the change; another visitor's (or an unknown one) answers 404. */
async function visitorConversation(tx: Db, id: string, visitorId: unknown): Promise<ConversationRow> {
  const hash = visitorHash(visitorId);
  const row = await tx.get<ConversationRow>(
    `SELECT c.* FROM conversations c JOIN contacts t ON t.id = c.contact_id WHERE c.id = ? AND t.visitor_hash = ?${lockForUpdate(tx, 'c')}`,
    [id, hash],
  );
  if (!row) throw notFound(`No such conversation: '${id}'`, 'id');
  return row;
}

function assertStarted(c: ConversationRow, action: string): void {
  if (c.status !== 'started') throw invalid(`Conversation '${c.id}' cannot be ${action}: its status is '${c.status}'.`, 'id');
}

/** The visitor answers one of the flow's questions; answering the last one ends a flow without a scheduling step. */
export async function answerQuestion(ctx: AppContext, conversationId: string, input: AnswerInput): Promise<ConversationObject> {
  return ctx.db.transaction(async (tx) => {
    const c = await visitorConversation(tx, conversationId, input.visitor_id);
    assertStarted(c, 'answered');
    await engage(ctx, tx, c);
    const bot = await findChatbot(tx, c.account_id, c.chatbot_id);
    if (typeof input.question_id !== 'string' || input.question_id === '') throw invalid('Missing required param: question_id.', 'question_id');
    const flow = questionsOf(bot);
    const question = flow.find((q) => q.id === input.question_id);
    if (!question) throw invalid(`Invalid question_id: chatbot '${bot.id}' has no question '${input.question_id}'.`, 'question_id');
    if (typeof input.value !== 'string' || input.value.trim() === '') throw invalid('Missing required param: value.', 'value');
    if (input.value.length > MAX_ANSWER) throw invalid(`Invalid value: it must be at most ${MAX_ANSWER} characters long.`, 'value');
    const answered = new Map((JSON.parse(c.answers) as Answer[]).map((a) => [a.id, a]));
    answered.set(question.id, { id: question.id, internal_label: question.internal_label, question: question.question, value: input.value.trim() });
    c.answers = JSON.stringify(flow.flatMap((q) => answered.get(q.id) ?? []));
    await touch(ctx, tx, c);
    if (answered.size === flow.length && bot.booking_calendar_id === null) await close(ctx, tx, c);
    else await save(tx, c);
    return renderConversation(tx, c, { expand: false });
  });
}

/** The flow's last step: the visitor books on the chatbot's booking calendar, which closes the conversation. */
export async function scheduleInConversation(ctx: AppContext, conversationId: string, input: ConversationScheduleInput): Promise<BookingObject> {
  return ctx.db.transaction(async (tx) => {
    const c = await visitorConversation(tx, conversationId, input.visitor_id);
    assertStarted(c, 'scheduled in');
    await engage(ctx, tx, c);
    const bot = await findChatbot(tx, c.account_id, c.chatbot_id);
    if (bot.booking_calendar_id === null) throw invalid(`Chatbot '${bot.id}' has no scheduling step.`, 'id');
    const answered = new Set((JSON.parse(c.answers) as Answer[]).map((a) => a.id));
    const pending = questionsOf(bot).find((q) => !answered.has(q.id));
    if (pending) throw invalid(`Answer question '${pending.id}' first: scheduling is the last step of the flow.`, 'id');
    const contact = await findContact(tx, c.account_id, c.contact_id);
    const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ') || contact.email;
    const given = typeof input.booking_form === 'object' && input.booking_form !== null ? input.booking_form : {};
    const { visitor_id: _credential, ...slot } = input;
    await touch(ctx, tx, c);
    await save(tx, c);
    const made = await schedule(ctx, c.account_id, bot.booking_calendar_id, { ...slot, booking_form: { name, email: contact.email, ...given } }, { conversationId: c.id }, tx);
    await close(ctx, tx, c);
    return made;
  });
}

/** The timer handler: a conversation left without interaction for the idle time is abandoned. */
export async function abandonConversation(ctx: AppContext, tx: Db, conversationId: string): Promise<void> {
  const c = await tx.get<ConversationRow>(`SELECT * FROM conversations WHERE id = ?${lockForUpdate(tx)}`, [conversationId]);
  if (!c || c.status !== 'started') return;
  c.status = 'abandoned';
  c.updated_at = ctx.clock.now();
  await save(tx, c);
  await emit(ctx, tx, 'conversation.abandoned', c);
}
