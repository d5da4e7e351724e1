// Managing an account's admins: listing them, removing one (never the last: an account always keeps
// someone who can sign in), changing one's own password from the page, and resetting a password
// from the command line. A removed admin's sessions end with it; a changed password ends the
// admin's other sessions.
import type { AppContext } from '../context.js';
import { HooklineError, conflict, notFound } from '../errors.js';
import { lockForUpdate, type Db } from '../storage/db.js';
import { hashPassword, verifyPassword } from './password.js';
import { checkPassword, type AdminSession } from './service.js';
import * as store from './store.js';

export type { AdminListRow } from './store.js';

export const listAdmins = (ctx: AppContext, accountId: string) => store.listAdmins(ctx.db, accountId);

const lastAdmin = (email: string) =>
  conflict(`'${email}' is the account's last admin: add or invite another admin before removing this one.`, 'id');

/**
 * Removes an admin of the account. The account's row is locked first, so two admins removing each
 * other at the same moment cannot both succeed and leave the account with none.
 */
export async function removeAdmin(ctx: AppContext, accountId: string, adminId: string): Promise<store.AdminRow> {
  return ctx.db.transaction(async (tx) => {
    await tx.get(`SELECT id FROM accounts WHERE id = ?${lockForUpdate(tx)}`, [accountId]);
    const admin = await store.findAdmin(tx, adminId);
    if (!admin || admin.account_id !== accountId) throw notFound(`No such admin: '${adminId}'`, 'id');
    if ((await store.countAdmins(tx, accountId)) <= 1) throw lastAdmin(admin.email);
    await store.deleteAdmin(tx, adminId);
    return admin;
  });
}

/** The admin named by id (ADM-...) or e-mail address, in any account: for the command line. */
export async function findAdminByIdOrEmail(db: Db, idOrEmail: string): Promise<store.AdminRow> {
  const admin = idOrEmail.startsWith('ADM-')
    ? await store.findAdmin(db, idOrEmail)
    : await store.findAdminByEmail(db, idOrEmail.trim().toLowerCase());
  if (!admin) throw notFound(`No such admin: '${idOrEmail}'`, 'id');
  return admin;
}

/** The signed-in admin changes their own password; their other sessions end. */
export async function changeOwnPassword(ctx: AppContext, session: AdminSession, current: string, next: string): Promise<void> {
  const admin = await store.findAdmin(ctx.db, session.adminId);
  if (!admin || !(await verifyPassword(current, admin.password_hash))) {
    throw new HooklineError('invalid_request', 'The current password is not correct.', 'current_password');
  }
  checkPassword(next, 'new_password');
  await store.updatePassword(ctx.db, admin.id, await hashPassword(next));
  await store.deleteSessionsOf(ctx.db, admin.id, session.sessionId);
}

/** Sets a new password (the command line, for an admin who forgot theirs); every session of the admin ends. */
export async function resetPassword(ctx: AppContext, adminId: string, password: string): Promise<void> {
  checkPassword(password);
  if (!(await store.updatePassword(ctx.db, adminId, await hashPassword(password)))) throw notFound(`No such admin: '${adminId}'`, 'id');
  await store.deleteSessionsOf(ctx.db, adminId);
}
