// Helpers for delivery tests: the first account's id, webhooks, publishing, reading an event's
// deliveries back through the API, row counts and polling.
import { publishEvent } from '../../src/events/publish.js';
import { sampleData } from '../../src/events/samples.js';
import type { EventType } from '../../src/webhooks/event-types.js';
import type { TestServer } from './hookline.js';

export async function firstAccountId(server: TestServer): Promise<string> {
  const row = await server.running.ctx.db.get<{ id: string }>('SELECT id FROM accounts ORDER BY created_at LIMIT 1');
  if (!row) throw new Error('no account');
  return row.id;
}

export async function createWebhook(server: TestServer, name: string, url: string, events: string[] = ['booking']): Promise<{ id: string; secret: string }> {
  const res = await server.api('POST', '/v2/webhooks', { name, url, events });
  if (res.status !== 200) throw new Error(`creating webhook ${name}: ${res.status} ${res.text}`);
  return { id: res.body.id as string, secret: res.body.secret as string };
}

export async function publish(server: TestServer, type: EventType, accountId?: string): Promise<string> {
  const ctx = server.running.ctx;
  const published = await publishEvent(ctx, { accountId: accountId ?? (await firstAccountId(server)), type, data: sampleData(type, ctx.clock.now()) });
  return published.id;
}

export async function count(server: TestServer, sql: string, params: (string | number)[] = []): Promise<number> {
  const row = await server.running.ctx.db.get<{ n: number }>(sql, params);
  return row?.n ?? 0;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until check() returns a truthy value, which is returned; fails after timeoutMs. */
export async function waitUntil<T>(check: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The event as GET /v2/events/{id} shows it, with its deliveries and their attempts. */
export async function eventWithDeliveries(server: TestServer, eventId: string) {
  const res = await server.api('GET', `/v2/events/${eventId}`);
  if (res.status !== 200) throw new Error(res.text);
  return res.body as {
    id: string;
    deliveries: {
      webhook_id: string;
      state: string;
      attempt_count: number;
      next_attempt_time: string | null;
      attempts: { status_code: number | null; error_kind: string | null; error_message: string | null; next_retry_time: string | null; response_excerpt: string | null }[];
    }[];
  };
}
