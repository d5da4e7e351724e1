// The webhooks resource: create, list, get, update, delete, and the signing secret. Inputs are
// validated here (validation.ts); rows become OnceHub's webhook object here (toWebhookObject).
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import { newId, newWebhookSecret } from '../ids.js';
import { UniqueViolation } from '../storage/db.js';
import type { Page, PageRequest } from '../storage/pagination.js';
import { recoverWebhook } from '../delivery/service.js';
import { standardWebhooksSecret } from '../delivery/signing.js';
import { skipWhileDisabled } from '../delivery/store.js';
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
  disabled_reason: string | null;
  disabled_time: string | null;
  delivery_health: { state: WebhookRow['delivery_health']; since: string | null; resume_time: string | null };
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
    disabled_reason: row.status === 'disabled' ? (row.disabled_reason ?? 'Disabled by the account.') : null,
    disabled_time: row.status === 'disabled' && row.disabled_at !== null ? isoTime(row.disabled_at) : null,
    delivery_health: {
      state: row.delivery_health,
      since: row.health_since === null ? null : isoTime(row.health_since),
      resume_time: row.delivery_health === 'backing_off' && row.backoff_until !== null ? isoTime(row.backoff_until) : null,
    },
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
  return {
    ...toWebhookObject({
      ...row, seq: 0, disabled_reason: null, disabled_at: null, prev_secret_enc: null, prev_secret_expires_at: null, last_success_at: null,
      delivery_health: 'healthy', health_since: null, backoff_until: null,
    }),
    secret,
  };
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

export interface WebhookSecret {
  object: 'webhook_secret';
  id: string;
  secret: string;
  /** The same key in the form the `standardwebhooks` and `svix` verifiers take. */
  standard_webhooks_secret: string;
  /** Until when the previous secret also signs, after a rotation. */
  previous_secret_expires_time: string | null;
}

function secretObject(id: string, secret: string, prevExpiresAt: number | null, now: number): WebhookSecret {
  return {
    object: 'webhook_secret',
    id,
    secret,
    standard_webhooks_secret: standardWebhooksSecret(secret),
    previous_secret_expires_time: prevExpiresAt !== null && prevExpiresAt > now ? isoTime(prevExpiresAt) : null,
  };
}

export async function getWebhookSecret(ctx: AppContext, accountId: string, id: string): Promise<WebhookSecret> {
  const row = await store.findWebhook(ctx.db, accountId, id);
  if (!row) throw noSuchWebhook(id);
  return secretObject(id, ctx.secrets.open(row.secret_enc, id), row.prev_secret_expires_at, ctx.clock.now());
}

/**
 * Issues a new secret. The previous one keeps signing beside it (Standard Webhooks carries both
 * signatures) for the overlap window, so receivers can switch without losing a delivery.
 */
export async function rotateWebhookSecret(ctx: AppContext, accountId: string, id: string): Promise<WebhookSecret> {
  const now = ctx.clock.now();
  const overlapMs = ctx.config.rotationOverlapSeconds * 1000;
  return ctx.db.transaction(async (db) => {
    const row = await store.findWebhookForUpdate(db, accountId, id);
    if (!row) throw noSuchWebhook(id);
    const secret = newWebhookSecret();
    const previous = ctx.secrets.open(row.secret_enc, id);
    const expiresAt = now + overlapMs;
    await store.updateWebhook(db, accountId, id, {
      secret_enc: ctx.secrets.seal(secret, id),
      prev_secret_enc: overlapMs > 0 ? ctx.secrets.seal(previous, `${id}:previous`) : null,
      prev_secret_expires_at: overlapMs > 0 ? expiresAt : null,
    }, now);
    return secretObject(id, secret, overlapMs > 0 ? expiresAt : null, now);
  });
}

export interface UpdateWebhookInput extends CreateWebhookInput {
  status?: unknown;
  /** With status "enabled": also requeue what failed or was skipped since this time. */
  replay_since?: unknown;
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
  if (input.status !== undefined) {
    changes.status = validateStatus(input.status);
    changes.disabled_reason = changes.status === 'disabled' ? 'Disabled by the account.' : null;
    changes.disabled_at = changes.status === 'disabled' ? ctx.clock.now() : null;
  }
  if (input.replay_since !== undefined && changes.status !== 'enabled') {
    throw invalid('replay_since is only accepted together with status "enabled".', 'replay_since');
  }
  try {
    if (!(await store.updateWebhook(ctx.db, accountId, id, changes, ctx.clock.now()))) throw noSuchWebhook(id);
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateName(changes.name ?? '');
    throw err;
  }
  if (changes.status === 'disabled') await skipWhileDisabled(ctx.db, [id], ctx.clock.now());
  if (typeof input.replay_since === 'string') await recoverWebhook(ctx, accountId, id, input.replay_since);
  return getWebhook(ctx, accountId, id);
}
