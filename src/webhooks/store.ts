// SQL for the webhooks table. Every query is scoped by account: one account never reads or
// changes another's webhooks.
import { lockForUpdate, type Db } from '../storage/db.js';
import { fetchPage, type Page, type PageRequest } from '../storage/pagination.js';

export interface WebhookRow {
  seq: number;
  id: string;
  account_id: string;
  name: string;
  name_key: string;
  url: string;
  events: string; // JSON array
  secret_enc: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  disabled_at: number | null;
  prev_secret_enc: string | null;
  prev_secret_expires_at: number | null;
  last_success_at: number | null;
  /** How its receiver behaves, as the delivery workers last recorded it (delivery/health.ts). */
  delivery_health: 'healthy' | 'slowed' | 'backing_off';
  health_since: number | null;
  backoff_until: number | null;
  created_at: number;
  updated_at: number;
}

export type NewWebhookRow = Omit<
  WebhookRow,
  'seq' | 'disabled_reason' | 'disabled_at' | 'prev_secret_enc' | 'prev_secret_expires_at' | 'last_success_at' | 'delivery_health' | 'health_since' | 'backoff_until'
>;

export async function insertWebhook(db: Db, row: NewWebhookRow): Promise<void> {
  await db.run(
    `INSERT INTO webhooks (id, account_id, name, name_key, url, events, secret_enc, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.account_id, row.name, row.name_key, row.url, row.events, row.secret_enc, row.status, row.created_at, row.updated_at],
  );
}

export function findWebhook(db: Db, accountId: string, id: string): Promise<WebhookRow | undefined> {
  return db.get<WebhookRow>('SELECT * FROM webhooks WHERE account_id = ? AND id = ?', [accountId, id]);
}

/** The webhook, locked until the transaction ends: changes built on its current values take turns. */
export function findWebhookForUpdate(db: Db, accountId: string, id: string): Promise<WebhookRow | undefined> {
  return db.get<WebhookRow>(`SELECT * FROM webhooks WHERE account_id = ? AND id = ?${lockForUpdate(db)}`, [accountId, id]);
}

export function listWebhooks(db: Db, accountId: string, page: PageRequest): Promise<Page<WebhookRow>> {
  return fetchPage<WebhookRow>(db, { table: 'webhooks', where: 'account_id = ?', params: [accountId], noun: 'webhook' }, page);
}

export async function deleteWebhook(db: Db, accountId: string, id: string): Promise<boolean> {
  const { changes } = await db.run('DELETE FROM webhooks WHERE account_id = ? AND id = ?', [accountId, id]);
  return changes > 0;
}

export type WebhookChanges = Partial<
  Pick<WebhookRow, 'name' | 'name_key' | 'url' | 'events' | 'status' | 'disabled_reason' | 'disabled_at' | 'secret_enc' | 'prev_secret_enc' | 'prev_secret_expires_at'>
>;

export async function updateWebhook(db: Db, accountId: string, id: string, changes: WebhookChanges, now: number): Promise<boolean> {
  const columns = Object.keys(changes) as (keyof WebhookChanges)[];
  const sets = [...columns.map((c) => `${c} = ?`), 'updated_at = ?'].join(', ');
  const values = columns.map((c) => changes[c] ?? null);
  const { changes: n } = await db.run(`UPDATE webhooks SET ${sets} WHERE account_id = ? AND id = ?`, [...values, now, accountId, id]);
  return n > 0;
}
