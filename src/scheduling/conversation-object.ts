// A conversation row as OnceHub's conversation object. Webhook payloads (conversation events, and a
// booking's `conversation`) expand contact, owner, bot and website, as OnceHub documents; the REST
// API (a hookline extension) gives their ids, and expands them on request (?expand=). Values follow
// the payload rule of events/payload-schemas.ts.
import { isoTime } from '../clock.js';
import { notFound } from '../errors.js';
import type { Db } from '../storage/db.js';
import { fetchPage, type PageRequest } from '../storage/pagination.js';
import { findChatbot, findWebsite } from './chatbots.js';
import { findContact, toContactObject } from './contacts.js';
import { findUser, toUserObject } from './hosts.js';

export type ConversationStatus = 'started' | 'closed' | 'abandoned';

export interface Answer {
  id: string;
  internal_label: string | null;
  question: string;
  value: string;
}

export interface ConversationRow {
  seq: number;
  id: string;
  account_id: string;
  chatbot_id: string;
  contact_id: string;
  owner_id: string;
  status: ConversationStatus;
  initiated_by: 'bot' | 'contact';
  answers: string; // JSON Answer[], in the order of the chatbot's flow
  /** When the visitor first interacted; null while a conversation the chatbot opened awaits its answer. */
  engaged_at: number | null;
  created_at: number;
  updated_at: number;
  last_interacted_at: number;
}

/** The fields a REST reader may ask to expand; webhooks expand all four. */
export const CONVERSATION_EXPANDABLE = ['contact', 'owner', 'bot', 'website'] as const;
type Expandable = (typeof CONVERSATION_EXPANDABLE)[number];

export async function renderConversation(db: Db, c: ConversationRow, options: { expand: boolean | ReadonlySet<string> }) {
  const wanted = (field: Expandable) => (typeof options.expand === 'boolean' ? options.expand : options.expand.has(field));
  const bookings = await db.all<{ id: string }>('SELECT id FROM bookings WHERE conversation_id = ? ORDER BY seq', [c.id]);
  const bot = await findChatbot(db, c.account_id, c.chatbot_id);
  const website = wanted('website') ? await findWebsite(db, c.account_id, bot.website_id) : undefined;
  return {
    object: 'conversation' as const,
    id: c.id,
    creation_time: isoTime(c.created_at),
    initiated_by: c.initiated_by,
    last_updated_time: isoTime(c.updated_at),
    last_interacted_time: isoTime(c.last_interacted_at),
    status: c.status,
    contact: wanted('contact') ? toContactObject(await findContact(db, c.account_id, c.contact_id)) : c.contact_id,
    owner: wanted('owner') ? toUserObject(await findUser(db, c.account_id, c.owner_id)) : c.owner_id,
    bot: wanted('bot') ? { id: bot.id, object: 'bot' as const, name: bot.name } : bot.id,
    website: website ? { id: website.id, object: 'website' as const, name: website.name, url: website.url } : bot.website_id,
    audience: null,
    answers: (JSON.parse(c.answers) as Answer[]).map((a) => ({ ...a, internal_label: a.internal_label ?? '' })),
    bookings: bookings.map((b) => b.id),
  };
}

export type ConversationObject = Awaited<ReturnType<typeof renderConversation>>;

/** A booking's `conversation` as webhooks carry it: the full object, or null for a booking made outside one. */
export async function expandedConversation(db: Db, conversationId: string | null): Promise<ConversationObject | null> {
  if (conversationId === null) return null;
  const row = await db.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [conversationId]);
  return row ? renderConversation(db, row, { expand: true }) : null;
}

export async function findConversationRow(db: Db, accountId: string, id: string): Promise<ConversationRow> {
  const row = await db.get<ConversationRow>('SELECT * FROM conversations WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such conversation: '${id}'`, 'id');
  return row;
}

export function listConversationRows(db: Db, accountId: string, page: PageRequest) {
  return fetchPage<ConversationRow>(db, { table: 'conversations', where: 'account_id = ?', params: [accountId], noun: 'conversation' }, page);
}
