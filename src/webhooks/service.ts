// The webhooks resource: create, list, get, update, delete, and the signing secret. Inputs are
// validated here (validation.ts); rows become OnceHub's webhook object here (toWebhookObject).
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import { newId, newWebhookSecret } from '../ids.js';
import { UniqueViolation } from '../storage/db.js';
import type { Page, PageRequest } from '../storage/pagination.js';
import * as store from './store.js';
import type { WebhookChanges, WebhookRow } from './store.js';
import { nameKey, validateEvents, validateName, validateStatus, validateUrl, type WebhookStatus } from './validation.js';

export interface WebhookObject {
  object: 'webhook';
  id: string;
  api_version: 'v2';
  name: string;
  url: string;
  events: string[];
  creation_time: string;
  status: WebhookStatus;
  secret?: string;
}

export function toWebhookObject(row: WebhookRow): WebhookObject {
  return {
    object: 'webhook',
    id: row.id,
    api_version: 'v2',
    name: row.name,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    creation_time: isoTime(row.created_at),
    status: row.status,
  };
}

const duplicateName = (name: string) => conflict(`A webhook subscription with this name already exists: '${name}'`, 'name');
const noSuchWebhook = (id: string) => notFound(`No such webhook: '${id}'`, 'id');

export interface CreateWebhookInput {
  name?: unknown;
  url?: unknown;
  events?: unknown;
}

export async function createWebhook(ctx: AppContext, accountId: string, input: CreateWebhookInput): Promise<WebhookObject> {
  for (const param of ['name', 'url', 'events'] as const) {
    if (input[param] === undefined) throw invalid(`Missing required param: ${param}.`, param);
  }
  const name = validateName(input.name);
  const url = validateUrl(input.url);
  const events = validateEvents(input.events);
  const id = newId('WHK');
  const secret = newWebhookSecret();
  const now = ctx.clock.now();
  const row = {
    id,
    account_id: accountId,
    name,
    name_key: nameKey(name),
    url,
    events: JSON.stringify(events),
    secret_enc: ctx.secrets.seal(secret, id),
    status: 'enabled' as const,
    created_at: now,
    updated_at: now,
  };
  try {
    await store.insertWebhook(ctx.db, row);
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateName(name);
    throw err;
  }
  return { ...toWebhookObject({ ...row, seq: 0 }), secret };
}

export async function getWebhook(ctx: AppContext, accountId: string, id: string): Promise<WebhookObject> {
  const row = await store.findWebhook(ctx.db, accountId, id);
  if (!row) throw noSuchWebhook(id);
  return toWebhookObject(row);
}

export async function listWebhooks(ctx: AppContext, accountId: string, page: PageRequest): Promise<Page<WebhookObject>> {
  const result = await store.listWebhooks(ctx.db, accountId, page);
  return { ...result, data: result.data.map(toWebhookObject) };
}

export async function deleteWebhook(ctx: AppContext, accountId: string, id: string): Promise<{ id: string; deleted: true }> {
  if (!(await store.deleteWebhook(ctx.db, accountId, id))) throw noSuchWebhook(id);
  return { id, deleted: true };
}

export async function getWebhookSecret(ctx: AppContext, accountId: string, id: string): Promise<{ object: 'webhook_secret'; id: string; secret: string }> {
  const row = await store.findWebhook(ctx.db, accountId, id);
  if (!row) throw noSuchWebhook(id);
  return { object: 'webhook_secret', id, secret: ctx.secrets.open(row.secret_enc, id) };
}

export interface UpdateWebhookInput extends CreateWebhookInput {
  status?: unknown;
}

/** Changes any of name, url, events and status, with the same rules as creation. */
export async function updateWebhook(ctx: AppContext, accountId: string, id: string, input: UpdateWebhookInput): Promise<WebhookObject> {
  const changes: WebhookChanges = {};
  if (input.name !== undefined) {
    changes.name = validateName(input.name);
    changes.name_key = nameKey(changes.name);
  }
  if (input.url !== undefined) changes.url = validateUrl(input.url);
  if (input.events !== undefined) changes.events = JSON.stringify(validateEvents(input.events));
  if (input.status !== undefined) changes.status = validateStatus(input.status);
  try {
    if (!(await store.updateWebhook(ctx.db, accountId, id, changes, ctx.clock.now()))) throw noSuchWebhook(id);
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateName(changes.name ?? '');
    throw err;
  }
  return getWebhook(ctx, accountId, id);
}
