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
