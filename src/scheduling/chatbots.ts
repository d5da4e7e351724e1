// Websites and the chatbots on them. A chatbot belongs to an owner (a user) and follows a flow: an
// ordered list of questions, optionally ended by a scheduling step on a booking calendar. OnceHub
// makes both in its app; creating them here is a hookline extension. Both are account-scoped.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../storage/db.js';
import { fetchPage, type PageRequest } from '../storage/pagination.js';
import { findCalendar, findUser } from './hosts.js';

export interface WebsiteRow {
  seq: number;
  id: string;
  account_id: string;
  name: string;
  url: string;
  created_at: number;
}

export interface Question {
  id: string;
  question: string;
  internal_label: string | null;
}

export interface ChatbotRow {
  seq: number;
  id: string;
  account_id: string;
  website_id: string;
  owner_id: string;
  name: string;
  questions: string; // JSON Question[]
  booking_calendar_id: string | null;
  created_at: number;
}

const MAX_QUESTIONS = 50;

export const questionsOf = (bot: ChatbotRow) => JSON.parse(bot.questions) as Question[];

export function toWebsiteObject(w: WebsiteRow) {
  return { object: 'website' as const, id: w.id, name: w.name, url: w.url, creation_time: isoTime(w.created_at) };
}

/** The REST form (hookline extension): the flow in full, other objects by id. */
export function toChatbotObject(b: ChatbotRow) {
  return {
    object: 'bot' as const,
    id: b.id,
    name: b.name,
    website: b.website_id,
    owner: b.owner_id,
    questions: questionsOf(b),
    booking_calendar: b.booking_calendar_id,
    creation_time: isoTime(b.created_at),
  };
}

const text = (value: unknown, param: string, max: number): string => {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`Missing required param: ${param}.`, param);
  if (value.length > max) throw invalid(`Invalid ${param}: it must be at most ${max} characters long.`, param);
  return value.trim();
};

function websiteUrl(value: unknown): string {
  const raw = text(value, 'url', 2048);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw invalid(`Invalid url: '${raw}' is not an absolute http(s) URL.`, 'url');
  }
  return raw;
}

function parseQuestions(value: unknown): Question[] {
  const list = value ?? [];
  if (!Array.isArray(list)) throw invalid('Invalid questions: a list of {question, internal_label?}.', 'questions');
  if (list.length > MAX_QUESTIONS) throw invalid(`Invalid questions: at most ${MAX_QUESTIONS}.`, 'questions');
  return list.map((q: unknown, i) => {
    const param = `questions.${i}`;
    if (typeof q !== 'object' || q === null) throw invalid(`Invalid ${param}: it must be {question, internal_label?}.`, param);
    const { question, internal_label: label } = q as Record<string, unknown>;
    return {
      id: newId('INT'),
      question: text(question, `${param}.question`, 500),
      internal_label: label === undefined || label === null || label === '' ? null : text(label, `${param}.internal_label`, 100),
    };
  });
}

export async function createWebsite(ctx: AppContext, accountId: string, input: Record<string, unknown>) {
  const row: WebsiteRow = { seq: 0, id: newId('WEB'), account_id: accountId, name: text(input.name, 'name', 200), url: websiteUrl(input.url), created_at: ctx.clock.now() };
  await ctx.db.run('INSERT INTO websites (id, account_id, name, url, created_at) VALUES (?, ?, ?, ?, ?)', [row.id, row.account_id, row.name, row.url, row.created_at]);
  return toWebsiteObject(row);
}

export async function findWebsite(db: Db, accountId: string, id: string, param = 'id'): Promise<WebsiteRow> {
  const row = await db.get<WebsiteRow>('SELECT * FROM websites WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such website: '${id}'`, param);
  return row;
}

export async function listWebsites(ctx: AppContext, accountId: string, page: PageRequest) {
  const result = await fetchPage<WebsiteRow>(ctx.db, { table: 'websites', where: 'account_id = ?', params: [accountId], noun: 'website' }, page);
  return { ...result, data: result.data.map(toWebsiteObject) };
}

export async function createChatbot(ctx: AppContext, accountId: string, input: Record<string, unknown>) {
  const name = text(input.name, 'name', 200);
  const website = await findWebsite(ctx.db, accountId, text(input.website, 'website', 64), 'website');
  const owner = await findUser(ctx.db, accountId, text(input.owner, 'owner', 64), 'owner');
  const questions = parseQuestions(input.questions);
  const calendar = input.booking_calendar === undefined || input.booking_calendar === null
    ? null
    : await findCalendar(ctx.db, accountId, text(input.booking_calendar, 'booking_calendar', 64), 'booking_calendar');
  if (questions.length === 0 && !calendar) {
    throw invalid('Invalid questions: a chatbot needs at least one question or a booking_calendar to schedule on.', 'questions');
  }
  const row: ChatbotRow = {
    seq: 0,
    id: newId('BOT'),
    account_id: accountId,
    website_id: website.id,
    owner_id: owner.id,
    name,
    questions: JSON.stringify(questions),
    booking_calendar_id: calendar?.id ?? null,
    created_at: ctx.clock.now(),
  };
  await ctx.db.run(
    'INSERT INTO chatbots (id, account_id, website_id, owner_id, name, questions, booking_calendar_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [row.id, row.account_id, row.website_id, row.owner_id, row.name, row.questions, row.booking_calendar_id, row.created_at],
  );
  return toChatbotObject(row);
}

/** A chatbot of the account; without an account (a visitor's request), any chatbot: its id is what the widget holds. */
export async function findChatbot(db: Db, accountId: string | null, id: string, param = 'id'): Promise<ChatbotRow> {
  const row = accountId === null
    ? await db.get<ChatbotRow>('SELECT * FROM chatbots WHERE id = ?', [id])
    : await db.get<ChatbotRow>('SELECT * FROM chatbots WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such chatbot: '${id}'`, param);
  return row;
}

export async function listChatbots(ctx: AppContext, accountId: string, page: PageRequest) {
  const result = await fetchPage<ChatbotRow>(ctx.db, { table: 'chatbots', where: 'account_id = ?', params: [accountId], noun: 'chatbot' }, page);
  return { ...result, data: result.data.map(toChatbotObject) };
}
