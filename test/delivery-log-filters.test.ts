// The delivery log's filters (hookline extension): GET /v2/webhooks/{id}/deliveries narrowed by
// state, event type and creation time, paged with the filters kept in the Link header; test sends
// are marked as such.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhook, firstAccountId, publish } from './support/delivery.js';
import { expectApiError } from './support/expect-api.js';
import { startServer, type TestServer } from './support/hookline.js';

let server: TestServer;
let webhookId: string;

beforeAll(async () => {
  server = await startServer();
  // Disabled: its deliveries are recorded as skipped, and nothing is sent anywhere.
  webhookId = (await createWebhook(server, 'Filtered', 'https://receiver.invalid/h')).id;
  await server.api('PATCH', `/v2/webhooks/${webhookId}`, { status: 'disabled' });
  await firstAccountId(server);
});
afterAll(() => server.stop());

const ids = (res: { body: { data: { event_id: string }[] } }) => res.body.data.map((d) => d.event_id);

describe('the delivery log', () => {
  it('filters by event type and creation time, and pages with the filters kept', async () => {
    const canceled: string[] = [];
    for (let i = 0; i < 5; i++) {
      await publish(server, 'booking.scheduled');
      canceled.push(await publish(server, 'booking.canceled'));
    }
    const byType = await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?event_type=booking.canceled&limit=3`);
    expect(byType.status, byType.text).toBe(200);
    expect(ids(byType)).toEqual(canceled.slice(-3).reverse());
    expect(byType.body.data.every((d: { event_type: string; state: string }) => d.event_type === 'booking.canceled' && d.state === 'skipped')).toBe(true);
    const next = /<([^>]+)>; rel="next"/.exec(byType.headers.get('link') ?? '')![1]!;
    expect(next).toContain('event_type=booking.canceled');
    const rest = await server.api('GET', next.slice(server.url.length));
    expect(ids(rest)).toEqual(canceled.slice(0, 2).reverse());
    expect(rest.body.has_more).toBe(false);

    const rows = await server.running.ctx.db.all<{ event_id: string; created_at: number }>('SELECT event_id, created_at FROM deliveries WHERE webhook_id = ? ORDER BY seq', [webhookId]);
    const [a, b] = [rows[3]!, rows[6]!]; // a booking.canceled and a booking.scheduled delivery
    await server.running.ctx.db.run('UPDATE deliveries SET created_at = created_at - 3600000 WHERE webhook_id = ? AND event_id NOT IN (?, ?)', [webhookId, a.event_id, b.event_id]);
    const since = new Date(Math.min(a.created_at, b.created_at) - 1000).toISOString();
    const recent = await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?since=${since}`);
    expect(ids(recent).sort()).toEqual([a.event_id, b.event_id].sort());
    const until = await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?until=${since}&limit=100`);
    expect(until.body.data).toHaveLength(rows.length - 2);
    const both = await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?since=${since}&event_type=booking.canceled`);
    expect(ids(both)).toEqual([a.event_id]);
  });

  it('refuses a malformed time and an unknown event type', async () => {
    expectApiError(await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?since=yesterday`), 400, { param: 'since' });
    expectApiError(await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?event_type=meeting.booked`), 400, { param: 'event_type' });
  });

  it('marks the deliveries of test sends', async () => {
    await server.api('PATCH', `/v2/webhooks/${webhookId}`, { status: 'enabled' });
    const test = await server.api('POST', `/v2/webhooks/${webhookId}/test`, { type: 'booking.no_show' });
    expect(test.body.delivery.test).toBe(true);
    const log = await server.api('GET', `/v2/webhooks/${webhookId}/deliveries?limit=100`);
    expect(log.body.data.filter((d: { test: boolean }) => d.test).map((d: { id: string }) => d.id)).toEqual([test.body.delivery.id]);
  });
});
