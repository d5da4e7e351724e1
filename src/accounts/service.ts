// Accounts and API keys: creation, revocation, and authentication of the API-Key header.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { HooklineError, notFound } from '../errors.js';
import { newApiKey, newId } from '../ids.js';
import * as store from './store.js';
import type { AccountRow, ApiKeyRow } from './store.js';

export type { AccountRow, ApiKeyRow };

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** last_used_at is written at most this often per key, so authentication rarely writes. */
const TOUCH_INTERVAL_MS = 60_000;

export interface IssuedKey {
  key: ApiKeyRow;
  /** The key itself: shown once, never stored. */
  plaintext: string;
}

export async function createAccount(ctx: AppContext, name: string, apiKey?: string): Promise<{ account: AccountRow; issued: IssuedKey }> {
  const account: AccountRow = { id: newId('ACC'), name, created_at: ctx.clock.now() };
  return ctx.db.transaction(async (db) => {
    await store.insertAccount(db, account);
    const issued = await createApiKey({ ...ctx, db }, account.id, 'default', apiKey);
    return { account, issued };
  });
}

export async function createApiKey(ctx: AppContext, accountId: string, label: string, plaintext = newApiKey()): Promise<IssuedKey> {
  if (!(await store.findAccount(ctx.db, accountId))) throw notFound(`No such account: '${accountId}'`, 'account');
  const key: ApiKeyRow = {
    id: newId('KEY'),
    account_id: accountId,
    label,
    key_hash: hashApiKey(plaintext),
    key_hint: `${plaintext.slice(0, 8)}…${plaintext.slice(-4)}`,
    created_at: ctx.clock.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await store.insertApiKey(ctx.db, key);
  return { key, plaintext };
}

export async function revokeApiKey(ctx: AppContext, keyId: string): Promise<void> {
  if (!(await store.revokeApiKey(ctx.db, keyId, ctx.clock.now()))) throw notFound(`No such active API key: '${keyId}'`, 'id');
}

export interface Principal {
  accountId: string;
  accountName: string;
  /** Set when an API key authenticated the request. */
  keyId?: string;
  /** Set when an admin's session (the web page) authenticated the request. */
  adminId?: string;
  /** With adminId: the session's id (the hash of its cookie), which keys the page's own rate budget. */
  sessionId?: string;
}

const invalidKey = () => new HooklineError('authentication', 'Invalid API key.');

/** The account an API-Key header value belongs to; an authentication error otherwise. */
export async function authenticate(ctx: AppContext, header: string | string[] | undefined): Promise<Principal> {
  if (typeof header !== 'string' || header.length === 0 || header.length > 200) throw invalidKey();
  const row = await store.findApiKeyByHash(ctx.db, hashApiKey(header));
  if (!row) throw invalidKey();
  if (row.revoked_at !== null) {
    throw new HooklineError('authentication', 'Expired API key. The key has been revoked by the account owner.');
  }
  const now = ctx.clock.now();
  if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) await store.touchApiKey(ctx.db, row.id, now);
  return { accountId: row.account_id, accountName: row.account_name, keyId: row.id };
}

/**
 * On an empty database, creates the first account: with HOOKLINE_API_KEY as its key when set,
 * else with a generated key, returned so that start can print it once.
 */
export async function bootstrap(ctx: AppContext): Promise<{ account: AccountRow; generatedKey?: string } | undefined> {
  if ((await store.countAccounts(ctx.db)) > 0) return undefined;
  const given = ctx.config.apiKey;
  const { account, issued } = await createAccount(ctx, ctx.config.accountName, given);
  return given === undefined ? { account, generatedKey: issued.plaintext } : { account };
}
