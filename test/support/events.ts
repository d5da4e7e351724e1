// Publishing events into a running test server, as the scheduling features will, and reading
// back what became of them through the API.
import { publishEvent, type Published } from '../../src/events/publish.js';
import { sampleData } from '../../src/events/samples.js';
import type { EventType } from '../../src/webhooks/event-types.js';
import type { TestServer } from './hookline.js';

export async function firstAccountId(server: TestServer): Promise<string> {
  const row = await server.running.ctx.db.get<{ id: string }>('SELECT id FROM accounts ORDER BY created_at LIMIT 1');
  if (!row) throw new Error('no account');
  return row.id;
}

export async function publish(server: TestServer, type: EventType = 'booking.scheduled'): Promise<Published> {
  const ctx = server.running.ctx;
  return publishEvent(ctx, { accountId: await firstAccountId(server), type, data: sampleData(type, ctx.clock.now()) });
}

export async function createWebhook(server: TestServer, url: string, events: string[] = ['booking'], name = `hook ${Math.random()}`) {
  const res = await server.api('POST', '/v2/webhooks', { name, url, events });
  if (res.status !== 200) throw new Error(`could not create webhook: ${res.text}`);
  return res.body as { id: string; secret: string };
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
