// SQL for admins (the people who sign in to the web page) and their sessions.
import type { Db } from '../storage/db.js';

export interface AdminRow {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

export interface SessionAdmin {
  admin_id: string;
  email: string;
  account_id: string;
  account_name: string;
  expires_at: number;
}

export async function insertAdmin(db: Db, row: AdminRow): Promise<void> {
  await db.run('INSERT INTO admins (id, account_id, email, password_hash, created_at) VALUES (?, ?, ?, ?, ?)', [
    row.id,
    row.account_id,
    row.email,
    row.password_hash,
    row.created_at,
  ]);
}

export function findAdminByEmail(db: Db, email: string): Promise<AdminRow | undefined> {
  return db.get<AdminRow>('SELECT * FROM admins WHERE email = ?', [email]);
}

export async function insertSession(db: Db, tokenHash: string, adminId: string, now: number, expiresAt: number): Promise<void> {
  await db.run('INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
    tokenHash,
    adminId,
    now,
    expiresAt,
  ]);
}

export function findSession(db: Db, tokenHash: string): Promise<SessionAdmin | undefined> {
  return db.get<SessionAdmin>(
    `SELECT s.admin_id, s.expires_at, a.email, a.account_id, c.name AS account_name
       FROM admin_sessions s JOIN admins a ON a.id = s.admin_id JOIN accounts c ON c.id = a.account_id
      WHERE s.token_hash = ?`,
    [tokenHash],
  );
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.run('DELETE FROM admin_sessions WHERE token_hash = ?', [tokenHash]);
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.run('DELETE FROM admin_sessions WHERE expires_at <= ?', [now]);
}

export interface AdminListRow {
  id: string;
  account_id: string;
  email: string;
  created_at: number;
}

export function listAdmins(db: Db, accountId?: string): Promise<AdminListRow[]> {
  return accountId === undefined
    ? db.all<AdminListRow>('SELECT id, account_id, email, created_at FROM admins ORDER BY account_id, created_at, id')
    : db.all<AdminListRow>('SELECT id, account_id, email, created_at FROM admins WHERE account_id = ? ORDER BY created_at, id', [accountId]);
}

export function findAdmin(db: Db, id: string): Promise<AdminRow | undefined> {
  return db.get<AdminRow>('SELECT * FROM admins WHERE id = ?', [id]);
}

export async function countAdmins(db: Db, accountId: string): Promise<number> {
  const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM admins WHERE account_id = ?', [accountId]);
  return Number(row?.n ?? 0);
}

/** Removing an admin ends its sessions too (ON DELETE CASCADE). */
export async function deleteAdmin(db: Db, id: string): Promise<boolean> {
  const { changes } = await db.run('DELETE FROM admins WHERE id = ?', [id]);
  return changes > 0;
}

export async function updatePassword(db: Db, id: string, passwordHash: string): Promise<boolean> {
  const { changes } = await db.run('UPDATE admins SET password_hash = ? WHERE id = ?', [passwordHash, id]);
  return changes > 0;
}

/** Ends the admin's sessions, except the one named (the session that changed the password). */
export async function deleteSessionsOf(db: Db, adminId: string, keepTokenHash?: string): Promise<void> {
  if (keepTokenHash === undefined) await db.run('DELETE FROM admin_sessions WHERE admin_id = ?', [adminId]);
  else await db.run('DELETE FROM admin_sessions WHERE admin_id = ? AND token_hash <> ?', [adminId, keepTokenHash]);
}

export interface InviteRow {
  id: string;
  account_id: string;
  kind: 'setup' | 'invite';
  email: string | null;
  token_hash: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export async function insertInvite(db: Db, row: InviteRow): Promise<void> {
  await db.run(
    `INSERT INTO admin_invites (id, account_id, kind, email, token_hash, created_by, created_at, expires_at, used_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.account_id, row.kind, row.email, row.token_hash, row.created_by, row.created_at, row.expires_at, row.used_at],
  );
}

export function findInviteByToken(db: Db, tokenHash: string): Promise<(InviteRow & { account_name: string }) | undefined> {
  return db.get(
    'SELECT i.*, a.name AS account_name FROM admin_invites i JOIN accounts a ON a.id = i.account_id WHERE i.token_hash = ?',
    [tokenHash],
  );
}

/** Invitations of the account not used yet and not expired, newest first. */
export function listOpenInvites(db: Db, accountId: string, now: number): Promise<InviteRow[]> {
  return db.all<InviteRow>(
    "SELECT * FROM admin_invites WHERE account_id = ? AND kind = 'invite' AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id",
    [accountId, now],
  );
}

/** Marks a link used; false when it was used (or revoked) meanwhile, so a link works once even when two use it together. */
export async function useInvite(db: Db, id: string, now: number): Promise<boolean> {
  const { changes } = await db.run('UPDATE admin_invites SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?', [now, id, now]);
  return changes > 0;
}

export async function deleteInvite(db: Db, accountId: string, id: string): Promise<boolean> {
  const { changes } = await db.run("DELETE FROM admin_invites WHERE account_id = ? AND id = ? AND kind = 'invite' AND used_at IS NULL", [accountId, id]);
  return changes > 0;
}
