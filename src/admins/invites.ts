// One-time links that make someone an admin. Two kinds:
// - the set-up link, made at first start for the first account and printed once on the terminal:
//   whoever opens it chooses the e-mail address and password of the account's first admin;
// - an invitation, made by an admin for an e-mail address and shown only to that admin (hookline
//   sends no e-mail): the invitee opens it and chooses a password.
// The token travels in the link's fragment (/setup#<token>, /invite#<token>), which browsers do not
// send to the server, so it never reaches a request log; the page posts it in a request body.
// Only its SHA-256 is stored. A link works once and until it expires; using it opens a session.
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { HooklineError } from '../errors.js';
import { newId } from '../ids.js';
import { hashPassword } from './password.js';
import { checkEmail, checkPassword, emailTaken, insertAdmin, newAdminRow, openSession, sha256, type AdminSession } from './service.js';
import * as store from './store.js';

export const INVITE_TTL_MS = 7 * 86_400_000;
export const SETUP_TTL_MS = 24 * 3_600_000;

export type InviteRow = store.InviteRow;

export const linkPath = (kind: InviteRow['kind'], token: string) => `/${kind === 'setup' ? 'setup' : 'invite'}#${token}`;

async function issue(ctx: AppContext, row: Omit<InviteRow, 'id' | 'token_hash' | 'created_at' | 'expires_at' | 'used_at'>, ttlMs: number) {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const invite: InviteRow = { ...row, id: newId('INV'), token_hash: sha256(token), created_at: now, expires_at: now + ttlMs, used_at: null };
  await store.insertInvite(ctx.db, invite);
  return { invite, token, path: linkPath(invite.kind, token) };
}

/** The first start's link to set up the account's first admin. */
export function createSetupLink(ctx: AppContext, accountId: string) {
  return issue(ctx, { account_id: accountId, kind: 'setup', email: null, created_by: null }, SETUP_TTL_MS);
}

/** An admin invites someone by e-mail address; the link is returned to that admin only. */
export async function createInvite(ctx: AppContext, accountId: string, createdBy: string, email: string) {
  const address = checkEmail(email);
  if (await store.findAdminByEmail(ctx.db, address)) throw emailTaken(address);
  return issue(ctx, { account_id: accountId, kind: 'invite', email: address, created_by: createdBy }, INVITE_TTL_MS);
}

export const listInvites = (ctx: AppContext, accountId: string) => store.listOpenInvites(ctx.db, accountId, ctx.clock.now());
export const revokeInvite = (ctx: AppContext, accountId: string, id: string) => store.deleteInvite(ctx.db, accountId, id);

const unusable = () =>
  new HooklineError('invalid_request', 'This link cannot be used: it has expired, was used already, or was withdrawn. Ask an admin for a new one.', 'token');

/** What a link is for, before it is used (the page shows the account and, for an invitation, the address). */
export async function lookupLink(ctx: AppContext, token: string) {
  const invite = await store.findInviteByToken(ctx.db, sha256(token));
  if (!invite || invite.used_at !== null || invite.expires_at <= ctx.clock.now()) throw unusable();
  return invite;
}

/**
 * Uses a link: makes the admin (the invitation's address, or the one given with a set-up link)
 * with the chosen password and opens a session. Marking the link used and adding the admin commit
 * together, so a link used twice at once makes one admin.
 */
export async function acceptLink(ctx: AppContext, token: string, input: { email?: string | undefined; password: string }): Promise<{ token: string; session: AdminSession }> {
  const invite = await lookupLink(ctx, token);
  let address: string;
  if (invite.kind === 'invite') address = invite.email!;
  else if (input.email === undefined) throw new HooklineError('invalid_request', 'Missing required param: email.', 'email');
  else address = checkEmail(input.email);
  checkPassword(input.password);
  const admin = newAdminRow(invite.account_id, address, await hashPassword(input.password), ctx.clock.now());
  await ctx.db.transaction(async (tx) => {
    if (!(await store.useInvite(tx, invite.id, ctx.clock.now()))) throw unusable();
    await insertAdmin(tx, admin);
  });
  return openSession(ctx, admin);
}
