// Accounts and API keys: creation, revocation, and authentication of the API-Key header.
//
// A key is stored as HMAC-SHA256, under a subkey of the installation's secret key (kept outside the
// database), of the key's SHA-256: a copy of the database alone cannot test a single guess, even of
// a short bootstrap key. Its hint keeps the last 4 characters only. Keys stored before (migration
// 009) held the bare SHA-256: upgradeKeyHashes() rewraps those at start, so they keep working.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { HooklineError, notFound } from '../errors.js';
import { newApiKey, newId } from '../ids.js';
import * as store from './store.js';
import type { AccountRow, ApiKeyRow } from './store.js';

export type { AccountRow, ApiKeyRow };

const HASH_PURPOSE = 'api key hash';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** The stored form of a key: the HMAC of its SHA-256 under the secret key. */
export const hashApiKey = (secrets: AppContext['secrets'], key: string): string => secrets.keyedHash(HASH_PURPOSE, sha256(key));
/** What an API key's listing shows of it: its last 4 characters. */
export const keyHint = (key: string): string => `…${key.slice(-4)}`;

/**
 * Rewraps keys stored as a bare SHA-256 (before migration 009) in the HMAC: runs at every start,
 * and is safe beside another process doing it (each row is changed only while still unwrapped).
 */
export async function upgradeKeyHashes(ctx: Pick<AppContext, 'db' | 'secrets'>): Promise<number> {
  const rows = await store.unwrappedKeyHashes(ctx.db);
  for (const r of rows) await store.wrapKeyHash(ctx.db, r.id, r.key_hash, ctx.secrets.keyedHash(HASH_PURPOSE, r.key_hash));
  // SQLite: write the pages back to the file at once, so it no longer holds the old hashes.
  if (rows.length > 0 && ctx.db.dialect === 'sqlite') await ctx.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  return rows.length;
}

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
    key_hash: hashApiKey(ctx.secrets, plaintext),
    key_hint: keyHint(plaintext),
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
  const row = await store.findApiKeyByHash(ctx.db, hashApiKey(ctx.secrets, header));
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
