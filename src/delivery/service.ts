// What the API offers around deliveries: the log of a webhook's deliveries and their attempts,
// events with each webhook's delivery state, redelivery, bulk recovery, and test sends.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { publishEvent } from '../events/publish.js';
import { exampleData } from '../events/catalog.js';
import { placeholders, type Db } from '../storage/db.js';
import { fetchPage, type Page, type PageRequest } from '../storage/pagination.js';
import { isEventType } from '../webhooks/event-types.js';
import { findWebhook } from '../webhooks/store.js';
import type { HttpClient } from './http-client.js';
import { decide } from './outcome.js';
import { sendAttempt } from './send.js';
import { settle } from './store.js';

export const DELIVERY_STATES = ['pending', 'succeeded', 'failed', 'skipped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

interface DeliveryRow {
  seq: number;
  id: string;
  event_id: string;
  webhook_id: string;
  state: DeliveryState;
  attempt_count: number;
  next_attempt_at: number | null;
  lease: string | null;
  created_at: number;
  updated_at: number;
}

interface AttemptRow {
  id: string;
  delivery_id: string;
  attempted_at: number;
  duration_ms: number;
  status_code: number | null;
  error_kind: string | null;
  error_message: string | null;
  response_excerpt: string | null;
  next_retry_at: number | null;
}

const time = (ms: number | null) => (ms === null ? null : isoTime(ms));

function toAttempt(a: AttemptRow) {
  return {
    object: 'attempt' as const,
    id: a.id,
    attempt_time: isoTime(a.attempted_at),
    duration_ms: a.duration_ms,
    status_code: a.status_code,
    error_kind: a.error_kind,
    error_message: a.error_message,
    response_excerpt: a.response_excerpt,
    next_retry_time: time(a.next_retry_at),
  };
}

async function toDeliveries(db: Db, rows: DeliveryRow[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const attempts = await db.all<AttemptRow>(`SELECT * FROM attempts WHERE delivery_id IN (${placeholders(ids.length)}) ORDER BY seq`, ids);
  const types = await db.all<{ id: string; type: string; test: number }>(
    `SELECT id, type, test FROM events WHERE id IN (${placeholders(rows.length)})`,
    rows.map((r) => r.event_id),
  );
  const typeOf = new Map(types.map((t) => [t.id, t.type]));
  const tests = new Set(types.filter((t) => Number(t.test) === 1).map((t) => t.id));
  return rows.map((r) => ({
    object: 'delivery' as const,
    id: r.id,
    event_id: r.event_id,
    event_type: typeOf.get(r.event_id) ?? null,
    test: tests.has(r.event_id),
    webhook_id: r.webhook_id,
    state: r.state,
    in_flight: r.state === 'pending' && r.lease !== null,
    attempt_count: r.attempt_count,
    next_attempt_time: r.state === 'pending' ? time(r.next_attempt_at) : null,
    creation_time: isoTime(r.created_at),
    attempts: attempts.filter((a) => a.delivery_id === r.id).map(toAttempt),
  }));
}

export type DeliveryObject = Awaited<ReturnType<typeof toDeliveries>>[number];

async function requireWebhook(ctx: AppContext, accountId: string, id: string) {
  const row = await findWebhook(ctx.db, accountId, id);
  if (!row) throw notFound(`No such webhook: '${id}'`, 'id');
  return row;
}

/** What the delivery log can be narrowed to: a state, an event type, a creation time range [since, until). */
export interface DeliveryFilter {
  state?: DeliveryState | undefined;
  eventType?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export async function listDeliveries(ctx: AppContext, accountId: string, webhookId: string, filter: DeliveryFilter, page: PageRequest): Promise<Page<DeliveryObject>> {
  await requireWebhook(ctx, accountId, webhookId);
  let where = 'account_id = ? AND webhook_id = ?';
  const params: (string | number)[] = [accountId, webhookId];
  const and = (condition: string, value: string | number) => {
    where += ` AND ${condition}`;
    params.push(value);
  };
  if (filter.state) and('state = ?', filter.state);
  if (filter.eventType) and('EXISTS (SELECT 1 FROM events e WHERE e.id = deliveries.event_id AND e.type = ?)', filter.eventType);
  if (filter.since) and('created_at >= ?', parseTime(filter.since, 'since'));
  if (filter.until) and('created_at < ?', parseTime(filter.until, 'until'));
  const result = await fetchPage<DeliveryRow>(ctx.db, { table: 'deliveries', where, params, noun: 'delivery' }, page);
  return { ...result, data: await toDeliveries(ctx.db, result.data) };
}

interface EventRow {
  seq: number;
  id: string;
  type: string;
  created_at: number;
  body: string;
}

function toEvent(row: EventRow) {
  return JSON.parse(row.body) as Record<string, unknown> & { id: string };
}

export async function listEvents(ctx: AppContext, accountId: string, type: string | undefined, page: PageRequest) {
  const where = `account_id = ?${type ? ' AND type = ?' : ''}`;
  const result = await fetchPage<EventRow>(ctx.db, { table: 'events', where, params: type ? [accountId, type] : [accountId], noun: 'event' }, page);
  return { ...result, data: result.data.map(toEvent) };
}

export async function getEvent(ctx: AppContext, accountId: string, eventId: string) {
  const row = await ctx.db.get<EventRow>('SELECT * FROM events WHERE account_id = ? AND id = ?', [accountId, eventId]);
  if (!row) throw notFound(`No such event: '${eventId}'`, 'id');
  const deliveries = await ctx.db.all<DeliveryRow>('SELECT * FROM deliveries WHERE event_id = ? ORDER BY seq', [eventId]);
  return { ...toEvent(row), deliveries: await toDeliveries(ctx.db, deliveries) };
}

/** Puts deliveries back in the queue from their first attempt; the worker sends them at once. */
async function requeue(ctx: AppContext, where: string, params: (string | number)[]): Promise<number> {
  const now = ctx.clock.now();
  const { changes } = await ctx.db.run(
    `UPDATE deliveries SET state = 'pending', attempt_count = 0, next_attempt_at = ?, lease = NULL, updated_at = ?
      WHERE state IN ('failed', 'skipped', 'succeeded') AND ${where}`,
    [now, now, ...params],
  );
  if (changes > 0) ctx.notifier.deliveriesDue();
  return changes;
}

export async function redeliverEvent(ctx: AppContext, accountId: string, eventId: string, webhookId: string | undefined) {
  const event = await ctx.db.get<{ id: string }>('SELECT id FROM events WHERE account_id = ? AND id = ?', [accountId, eventId]);
  if (!event) throw notFound(`No such event: '${eventId}'`, 'id');
  if (webhookId !== undefined) {
    const webhook = await requireWebhook(ctx, accountId, webhookId);
    if (webhook.status !== 'enabled') throw invalid(`Webhook '${webhookId}' is disabled: enable it before redelivering to it.`, 'webhook_id');
  }
  const scope = webhookId === undefined ? '' : ' AND webhook_id = ?';
  const requeued = await requeue(
    ctx,
    `event_id = ?${scope} AND webhook_id IN (SELECT id FROM webhooks WHERE account_id = ? AND status = 'enabled')`,
    webhookId === undefined ? [eventId, accountId] : [eventId, webhookId, accountId],
  );
  return { object: 'redelivery' as const, event_id: eventId, requeued };
}

/** Requeues every failed or skipped delivery of the webhook created since the given time. */
export async function recoverWebhook(ctx: AppContext, accountId: string, webhookId: string, since: string) {
  const webhook = await requireWebhook(ctx, accountId, webhookId);
  if (webhook.status !== 'enabled') throw invalid(`Webhook '${webhookId}' is disabled: enable it before recovering its deliveries.`, 'id');
  const sinceMs = parseTime(since, 'since');
  const requeued = await requeue(ctx, "webhook_id = ? AND created_at >= ? AND state IN ('failed', 'skipped')", [webhookId, sinceMs]);
  return { object: 'recovery' as const, webhook_id: webhookId, since: isoTime(sinceMs), requeued };
}

export function parseTime(value: string, param: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw invalid(`Invalid date: ${value}`, param);
  return ms;
}

/** Sends a signed sample event of the given type to one webhook now, once, and reports the attempt. */
export async function sendTestEvent(ctx: AppContext, http: HttpClient, accountId: string, webhookId: string, type: string) {
  await requireWebhook(ctx, accountId, webhookId);
  if (!isEventType(type)) throw invalid(`Invalid event type: '${type}'.`, 'type');
  const now = ctx.clock.now();
  const lease = newId('DLV').replace('DLV-', 'test-');
  const published = await publishEvent(ctx, {
    accountId,
    type,
    data: exampleData(type, now), // the event catalog's example of the type
    webhookIds: [webhookId],
    inFlight: { lease, until: now + ctx.config.deliveryTimeoutMs + 30_000 },
    test: true,
  });
  const delivery = published.deliveries[0]!;
  const webhook = (await findWebhook(ctx.db, accountId, webhookId))!;
  const outcome = await sendAttempt(http, ctx.secrets, { event_id: published.id, body: published.body, target: webhook }, now);
  const decision = decide({ outcome, attemptNumber: 1, now: ctx.clock.now(), deliveryCreatedAt: now, webhookLastSuccessAt: webhook.last_success_at, retry: false });
  ctx.metrics.attemptRecorded(outcome, decision);
  await settle(ctx.db, [{ deliveryId: delivery.id, webhookId, lease, attemptedAt: now, outcome, decision }], ctx.clock.now());
  const [result] = await toDeliveries(ctx.db, [(await ctx.db.get<DeliveryRow>('SELECT * FROM deliveries WHERE id = ?', [delivery.id]))!]);
  return { object: 'test_delivery' as const, success: outcome.ok, event: JSON.parse(published.body) as unknown, delivery: result };
}
