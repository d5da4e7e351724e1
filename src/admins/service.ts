// Admins sign in to the account interface with e-mail and password; a session is a random token
// kept in an HTTP-only cookie and stored as its SHA-256. Each session has a CSRF token derived from
// it: the page sends it back in a header on every state-changing request, which another site's
// form or script cannot do.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as accounts from '../accounts/store.js';
import type { AppContext } from '../context.js';
import { HooklineError, conflict, invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { UniqueViolation, type Db } from '../storage/db.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.js';
import * as store from './store.js';

export const SESSION_TTL_MS = 12 * 3_600_000;
export const MIN_PASSWORD_LENGTH = 10;

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
export const csrfTokenOf = (sessionToken: string) => sha256(`csrf:${sessionToken}`);

export interface AdminSession {
  /** The SHA-256 of the session's cookie value: names the session (its own rate budget) without revealing it. */
  sessionId: string;
  adminId: string;
  email: string;
  accountId: string;
  accountName: string;
  csrfToken: string;
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The address as stored (trimmed, lower case), or a clear error. */
export function checkEmail(email: string, param = 'email'): string {
  const address = normaliseEmail(email);
  if (!/^[^\s@]+@[^\s@]+$/.test(address) || address.length > 320) throw invalid(`Invalid email: '${email}'.`, param);
  return address;
}

export function checkPassword(password: string, param = 'password'): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw invalid(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`, param);
}

export const emailTaken = (address: string) => conflict(`An admin with this email already exists: '${address}'`, 'email');

export async function createAdmin(ctx: AppContext, accountId: string, email: string, password: string): Promise<store.AdminRow> {
  const address = checkEmail(email);
  checkPassword(password);
  if (!(await accounts.findAccount(ctx.db, accountId))) throw notFound(`No such account: '${accountId}'`, 'account');
  const row = newAdminRow(accountId, address, await hashPassword(password), ctx.clock.now());
  await insertAdmin(ctx.db, row);
  return row;
}

export function newAdminRow(accountId: string, address: string, passwordHash: string, now: number): store.AdminRow {
  return { id: newId('ADM'), account_id: accountId, email: address, password_hash: passwordHash, created_at: now };
}

/** Inserts the admin; a taken e-mail address is a 409. */
export async function insertAdmin(db: Db, row: store.AdminRow): Promise<void> {
  try {
    await store.insertAdmin(db, row);
  } catch (err) {
    if (err instanceof UniqueViolation) throw emailTaken(row.email);
    throw err;
  }
}

const badCredentials = () => new HooklineError('authentication', 'Incorrect email or password.');

/** Checks the password and opens a session; returns the cookie value (shown to no one else) and the session. */
export async function signIn(ctx: AppContext, email: string, password: string): Promise<{ token: string; session: AdminSession }> {
  const admin = await store.findAdminByEmail(ctx.db, normaliseEmail(email));
  const ok = await verifyPassword(password, admin?.password_hash ?? DUMMY_HASH);
  if (!admin || !ok) throw badCredentials();
  return openSession(ctx, admin);
}

/** A new session for the admin (signed in, or just made an admin by a one-time link). */
export async function openSession(ctx: AppContext, admin: Pick<store.AdminRow, 'id' | 'email' | 'account_id'>): Promise<{ token: string; session: AdminSession }> {
  const now = ctx.clock.now();
  const token = randomBytes(32).toString('base64url');
  await store.deleteExpiredSessions(ctx.db, now);
  await store.insertSession(ctx.db, sha256(token), admin.id, now, now + SESSION_TTL_MS);
  const account = await accounts.findAccount(ctx.db, admin.account_id);
  return {
    token,
    session: {
      sessionId: sha256(token),
      adminId: admin.id,
      email: admin.email,
      accountId: admin.account_id,
      accountName: account?.name ?? '',
      csrfToken: csrfTokenOf(token),
    },
  };
}

/** The live session a cookie value names, or undefined. */
export async function findSession(ctx: AppContext, token: string): Promise<AdminSession | undefined> {
  if (token.length === 0 || token.length > 100) return undefined;
  const sessionId = sha256(token);
  const row = await store.findSession(ctx.db, sessionId);
  if (!row || row.expires_at <= ctx.clock.now()) return undefined;
  return { sessionId, adminId: row.admin_id, email: row.email, accountId: row.account_id, accountName: row.account_name, csrfToken: csrfTokenOf(token) };
}

export async function signOut(ctx: AppContext, token: string): Promise<void> {
  await store.deleteSession(ctx.db, sha256(token));
}

export function csrfMatches(session: AdminSession, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(session.csrfToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
