// Contacts: the website visitors who talk to chatbots, in OnceHub's Contact object shape. A visitor
// is known by an id its chatbot widget keeps (stored only as a SHA-256 hash): starting a conversation
// with the same id finds the same contact, and what it tells (email, names) updates it.
import { createHash } from 'node:crypto';
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../storage/db.js';
import { validTimezone } from './hosts.js';
import { fetchPage, type PageRequest } from '../storage/pagination.js';

export interface ContactRow {
  seq: number;
  id: string;
  account_id: string;
  visitor_hash: string;
  owner_id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  timezone: string | null;
  created_at: number;
  updated_at: number;
  last_interacted_at: number;
}

/** What a visitor may say about itself when it starts a conversation. */
export interface VisitorInput {
  visitor_id?: unknown;
  email?: unknown;
  first_name?: unknown;
  last_name?: unknown;
  timezone?: unknown;
}

/** OnceHub's Contact object; fields hookline learns nothing of are empty, typed as OnceHub's schema types them. */
export function toContactObject(c: ContactRow) {
  return {
    object: 'contact' as const,
    id: c.id,
    creation_time: isoTime(c.created_at),
    last_updated_time: isoTime(c.updated_at),
    last_interacted_time: isoTime(c.last_interacted_at),
    owner: c.owner_id,
    status: null,
    city: '',
    company_size: '',
    company: '',
    country: '',
    email: c.email ?? '',
    employees: 0,
    first_name: c.first_name ?? '',
    has_consent: false,
    job_title: '',
    last_name: c.last_name ?? '',
    mobile_phone: '',
    phone: '',
    post_code: '',
    salutation: '',
    state: '',
    street_address: '',
    terms_of_sevice: false, // sic: OnceHub's field name
    timezone: c.timezone ?? '',
    custom_fields: [] as { name: string; value: string }[],
  };
}

/** The hash a visitor id is stored and looked up as; refuses ids too short to be unguessable. */
export function visitorHash(value: unknown): string {
  if (value === undefined || value === null || value === '') throw invalid('Missing required param: visitor_id.', 'visitor_id');
  if (typeof value !== 'string' || !/^[\x21-\x7e]{16,200}$/.test(value)) {
    throw invalid('Invalid visitor_id: 16 to 200 visible ASCII characters, e.g. a random UUID the widget keeps.', 'visitor_id');
  }
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const optionalName = (value: unknown, param: string): string | null => {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 200) throw invalid(`Invalid ${param}: a string of at most 200 characters.`, param);
  return value.trim() || null;
};

function optionalEmail(value: unknown): string | null {
  const email = optionalName(value, 'email')?.toLowerCase() ?? null;
  if (email !== null && !/^[^@\s]+@[^@\s]+$/.test(email)) throw invalid(`Invalid email: '${email}'.`, 'email');
  return email;
}

/** Finds the visitor's contact (creating it, owned by ownerId, on first contact) and records what it told. */
export async function visitorContact(ctx: AppContext, tx: Db, accountId: string, ownerId: string, input: VisitorInput): Promise<ContactRow> {
  const hash = visitorHash(input.visitor_id);
  const told = {
    email: optionalEmail(input.email),
    first_name: optionalName(input.first_name, 'first_name'),
    last_name: optionalName(input.last_name, 'last_name'),
    timezone: input.timezone === undefined || input.timezone === null || input.timezone === '' ? null : validTimezone(input.timezone, 'timezone'),
  };
  const now = ctx.clock.now();
  const found = await tx.get<ContactRow>('SELECT * FROM contacts WHERE account_id = ? AND visitor_hash = ?', [accountId, hash]);
  if (!found) {
    const row: ContactRow = { seq: 0, id: newId('CTC'), account_id: accountId, visitor_hash: hash, owner_id: ownerId, ...told, created_at: now, updated_at: now, last_interacted_at: now };
    await tx.run(
      `INSERT INTO contacts (id, account_id, visitor_hash, owner_id, email, first_name, last_name, timezone, created_at, updated_at, last_interacted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.id, row.account_id, row.visitor_hash, row.owner_id, row.email, row.first_name, row.last_name, row.timezone, row.created_at, row.updated_at, row.last_interacted_at],
    );
    return row;
  }
  const changed = (Object.keys(told) as (keyof typeof told)[]).filter((k) => told[k] !== null && told[k] !== found[k]);
  for (const k of changed) found[k] = told[k];
  if (changed.length > 0) found.updated_at = now;
  found.last_interacted_at = now;
  await tx.run('UPDATE contacts SET email = ?, first_name = ?, last_name = ?, timezone = ?, updated_at = ?, last_interacted_at = ? WHERE id = ?', [
    found.email, found.first_name, found.last_name, found.timezone, found.updated_at, found.last_interacted_at, found.id,
  ]);
  return found;
}

export async function touchContact(tx: Db, contactId: string, now: number): Promise<void> {
  await tx.run('UPDATE contacts SET last_interacted_at = ? WHERE id = ?', [now, contactId]);
}

export async function findContact(db: Db, accountId: string, id: string): Promise<ContactRow> {
  const row = await db.get<ContactRow>('SELECT * FROM contacts WHERE account_id = ? AND id = ?', [accountId, id]);
  if (!row) throw notFound(`No such contact: '${id}'`, 'id');
  return row;
}

export async function listContacts(ctx: AppContext, accountId: string, page: PageRequest) {
  const result = await fetchPage<ContactRow>(ctx.db, { table: 'contacts', where: 'account_id = ?', params: [accountId], noun: 'contact' }, page);
  return { ...result, data: result.data.map(toContactObject) };
}
