// SQL for accounts and their API keys. Keys are stored hashed under the secret key (see
// service.ts): hash_scheme 'hmac'; 'sha256' marks a row from before migration 009, not yet rewrapped.
import type { Db } from '../storage/db.js';

export interface AccountRow {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeyRow {
  id: string;
  account_id: string;
  label: string;
  key_hash: string;
  key_hint: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export async function insertAccount(db: Db, row: AccountRow): Promise<void> {
  await db.run('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)', [row.id, row.name, row.created_at]);
}

export function listAccounts(db: Db): Promise<AccountRow[]> {
  return db.all<AccountRow>('SELECT * FROM accounts ORDER BY created_at, id');
}

export function findAccount(db: Db, id: string): Promise<AccountRow | undefined> {
  return db.get<AccountRow>('SELECT * FROM accounts WHERE id = ?', [id]);
}

export async function countAccounts(db: Db): Promise<number> {
  const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM accounts');
  return Number(row?.n ?? 0);
}

export async function insertApiKey(db: Db, row: ApiKeyRow): Promise<void> {
  await db.run(
    "INSERT INTO api_keys (id, account_id, label, key_hash, hash_scheme, key_hint, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, 'hmac', ?, ?, ?, ?)",
    [row.id, row.account_id, row.label, row.key_hash, row.key_hint, row.created_at, row.last_used_at, row.revoked_at],
  );
}

export function unwrappedKeyHashes(db: Db): Promise<{ id: string; key_hash: string }[]> {
  return db.all("SELECT id, key_hash FROM api_keys WHERE hash_scheme = 'sha256'");
}

export async function wrapKeyHash(db: Db, id: string, sha256: string, hmac: string): Promise<void> {
  await db.run("UPDATE api_keys SET key_hash = ?, hash_scheme = 'hmac' WHERE id = ? AND key_hash = ? AND hash_scheme = 'sha256'", [hmac, id, sha256]);
}

export function findApiKeyByHash(db: Db, hash: string): Promise<(ApiKeyRow & { account_name: string }) | undefined> {
  return db.get(
    "SELECT k.*, a.name AS account_name FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ? AND k.hash_scheme = 'hmac'",
    [hash],
  );
}

export function listApiKeys(db: Db, accountId: string): Promise<ApiKeyRow[]> {
  return db.all<ApiKeyRow>('SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at, id', [accountId]);
}

export async function revokeApiKey(db: Db, id: string, now: number): Promise<boolean> {
  const { changes } = await db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]);
  return changes > 0;
}

export async function touchApiKey(db: Db, id: string, now: number): Promise<void> {
  await db.run('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [now, id]);
}

export async function revokeAccountApiKey(db: Db, accountId: string, id: string, now: number): Promise<boolean> {
  const { changes } = await db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL', [now, id, accountId]);
  return changes > 0;
}
