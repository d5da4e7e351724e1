// The events and deliveries API over HTTP: listing and reading events with their deliveries,
// account isolation, redelivery, the delivery log's state filter, recovery, and test sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import { isoTime, manualClock } from '../src/clock.js';
import { EVENT_TYPES } from '../src/webhooks/event-types.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { count, createWebhook, publish, waitUntil } from './support/delivery.js';

const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((e) => e.id);

describe('events API', () => {
  let receiver: Receiver;
  let server: TestServer;
  let all: { id: string };
  let bookings: { id: string };
  let published: string[];
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ env: receiverEnv() });
    all = await createWebhook(server, 'all', `${receiver.url}/all`, ['booking', 'conversation']);
    bookings = await createWebhook(server, 'bookings', `${receiver.url}/bookings`, ['booking']);
    published = [];
    for (const type of ['booking.scheduled', 'booking.canceled', 'conversation.started', 'booking.canceled'] as const) {
      published.push(await publish(server, type));
    }
    await receiver.waitFor(7);
    await waitUntil(async () => (await count(server, "SELECT COUNT(*) AS n FROM deliveries WHERE state = 'succeeded'")) === 7);
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  it('lists events newest first in the OnceHub envelope, filtered by type and paged', async () => {
    const list = await server.api('GET', '/v2/events');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ object: 'list', has_more: false });
    expect(ids(list)).toEqual([...published].reverse());
    for (const e of list.body.data) {
      expect(Object.keys(e).sort()).toEqual(['api_version', 'creation_time', 'data', 'id', 'object', 'type']);
      expect(e).toMatchObject({ id: expect.stringMatching(/^EVNT-[A-Z0-9]{10}$/), object: 'event', api_version: 'v2' });
      expect(new Date(e.creation_time).toISOString()).toBe(e.creation_time);
    }
    expect(list.body.data[1]).toMatchObject({ type: 'conversation.started', data: { object: 'conversation' } });
    const canceled = await server.api('GET', '/v2/events?type=booking.canceled');
    expect(ids(canceled)).toEqual([published[3], published[1]]);
    const first = await server.api('GET', '/v2/events?limit=2');
    expect(ids(first)).toEqual([published[3], published[2]]);
    expect(first.body.has_more).toBe(true);
    const second = await server.api('GET', `/v2/events?limit=2&after=${published[2]}`);
    expect(ids(second)).toEqual([published[1], published[0]]);
    expect(second.body.has_more).toBe(false);
    expect((await server.api('GET', '/v2/events?type=booking')).status).toBe(400);
  });

  it('reads an event with one delivery per subscribed webhook and its attempts', async () => {
    const booking = await server.api('GET', `/v2/events/${published[0]}`);
    expect(booking.status).toBe(200);
    expect(booking.body.type).toBe('booking.scheduled');
    expect(booking.body.deliveries.map((d: { webhook_id: string }) => d.webhook_id).sort()).toEqual([all.id, bookings.id].sort());
    for (const d of booking.body.deliveries) {
      expect(d).toMatchObject({ object: 'delivery', event_id: published[0], event_type: 'booking.scheduled', state: 'succeeded', in_flight: false, attempt_count: 1, next_attempt_time: null });
      expect(d.attempts).toHaveLength(1);
      const a = d.attempts[0];
      expect(a).toMatchObject({ object: 'attempt', status_code: 200, response_excerpt: 'ok', error_kind: null, error_message: null, next_retry_time: null });
      expect(Number.isInteger(a.duration_ms) && a.duration_ms >= 0).toBe(true);
      expect(Date.parse(a.attempt_time)).toBeGreaterThanOrEqual(Date.parse(booking.body.creation_time));
    }
    const conversation = await server.api('GET', `/v2/events/${published[2]}`);
    expect(conversation.body.deliveries.map((d: { webhook_id: string }) => d.webhook_id)).toEqual([all.id]);
  });

  it('answers 404 for an unknown event, and hides events from other accounts', async () => {
    const missing = await server.api('GET', '/v2/events/EVNT-XXXX');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ type: 'invalid_request_error', message: "No such event: 'EVNT-XXXX'", param: 'id' });
    const other = await createAccount(server.running.ctx, 'b@example.com');
    const asB = { 'API-Key': other.issued.plaintext };
    expect((await server.api('GET', '/v2/test', undefined, asB)).body.message).toContain('b@example.com');
    expect((await server.api('GET', '/v2/events', undefined, asB)).body.data).toEqual([]);
    expect((await server.api('GET', `/v2/events/${published[0]}`, undefined, asB)).status).toBe(404);
    expect((await server.api('POST', `/v2/events/${published[0]}/redeliver`, undefined, asB)).status).toBe(404);
    expect((await server.api('GET', `/v2/webhooks/${all.id}/deliveries`, undefined, asB)).status).toBe(404);
    expect((await server.api('POST', `/v2/webhooks/${all.id}/test`, { type: 'booking.scheduled' }, asB)).status).toBe(404);
  });

  it('redelivers an event with the same id and byte-identical body', async () => {
    const original = receiver.received.filter((r) => JSON.parse(r.body).id === published[1]);
    expect(original).toHaveLength(2);
    const res = await server.api('POST', `/v2/events/${published[1]}/redeliver`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'redelivery', event_id: published[1], requeued: 2 });
    await receiver.waitFor(9);
    const again = receiver.received.slice(7);
    for (const r of again) {
      const first = original.find((o) => o.path === r.path)!;
      expect(r.headers['webhook-id']).toBe(published[1]);
      expect(r.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(r.body).toBe(first.body);
    }
    expect(again.map((r) => r.path).sort()).toEqual(['/all', '/bookings']);
    await waitUntil(async () => (await count(server, "SELECT COUNT(*) AS n FROM deliveries WHERE event_id = ? AND state = 'succeeded'", [published[1]!])) === 2);
    const one = await server.api('POST', `/v2/events/${published[1]}/redeliver`, { webhook_id: bookings.id });
    expect(one.body.requeued).toBe(1);
    const [last] = (await receiver.waitFor(10)).slice(9);
    expect(last!.path).toBe('/bookings');
  });

  it('sends a test event of each of the 12 types, and refuses a composite', async () => {
    expect(EVENT_TYPES).toHaveLength(12);
    for (const type of EVENT_TYPES) {
      const before = receiver.received.length;
      const res = await server.api('POST', `/v2/webhooks/${all.id}/test`, { type });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ object: 'test_delivery', success: true, event: { type }, delivery: { state: 'succeeded', event_type: type } });
      const [got] = (await receiver.waitFor(before + 1)).slice(before);
      const envelope = JSON.parse(got!.body);
      expect(envelope).toMatchObject({ id: res.body.event.id, object: 'event', type, api_version: 'v2' });
      expect(envelope.data.object).toBe(type.startsWith('booking.') ? 'booking' : 'conversation');
    }
    const composite = await server.api('POST', `/v2/webhooks/${all.id}/test`, { type: 'booking' });
    expect(composite.status).toBe(400);
    expect(composite.body).toMatchObject({ type: 'invalid_request_error', param: 'type' });
  });

  it('documents the delivery paths in the OpenAPI document', async () => {
    const doc = await server.api('GET', '/v2/openapi.json', undefined, { 'API-Key': '' });
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const p of ['/v2/events', '/v2/events/{id}', '/v2/events/{id}/redeliver', '/v2/webhooks/{id}/deliveries', '/v2/webhooks/{id}/recover', '/v2/webhooks/{id}/test', '/v2/webhooks/{id}/rotate-secret', '/v2/webhooks/{id}/secret']) {
      expect(paths).toContain(p);
    }
  });
});

describe('delivery log and recovery', () => {
  const start = Date.now();
  const clock = manualClock(start);
  let receiver: Receiver;
  let server: TestServer;
  let failing: { id: string };
  let healthy: { id: string };
  const failedAll = () => count(server, 'SELECT COUNT(*) AS n FROM deliveries WHERE webhook_id = ? AND state = ?', [failing.id, 'failed']);
  beforeAll(async () => {
    receiver = await startReceiver((r) => (r.path === '/failing' ? { status: 500, body: 'boom' } : { status: 200, body: 'ok' }));
    server = await startServer({ env: receiverEnv(), clock });
    failing = await createWebhook(server, 'failing', `${receiver.url}/failing`, ['booking']);
    healthy = await createWebhook(server, 'healthy', `${receiver.url}/healthy`, ['conversation']);
    await publish(server, 'booking.scheduled');
    await publish(server, 'booking.completed');
    await publish(server, 'conversation.closed');
    // Ten attempts fail, each retry coming due as the clock moves past it; then the deliveries fail.
    for (let attempt = 1; attempt <= 10; attempt++) {
      await waitUntil(async () => (await count(server, 'SELECT COUNT(*) AS n FROM deliveries WHERE webhook_id = ? AND attempt_count >= ? AND lease IS NULL', [failing.id, attempt])) === 2, 10_000, `attempt ${attempt}`);
      clock.advance(30 * 3_600_000);
      server.running.dispatcher.wake();
    }
    await waitUntil(async () => (await failedAll()) === 2);
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  it('filters a webhook\'s deliveries by state', async () => {
    const failed = await server.api('GET', `/v2/webhooks/${failing.id}/deliveries?state=failed`);
    expect(failed.status).toBe(200);
    expect(failed.body.data).toHaveLength(2);
    for (const d of failed.body.data) {
      expect(d).toMatchObject({ state: 'failed', attempt_count: 10, next_attempt_time: null, webhook_id: failing.id });
      expect(d.attempts).toHaveLength(10);
      expect(d.attempts[9]).toMatchObject({ status_code: 500, error_kind: 'http_status', response_excerpt: 'boom', next_retry_time: null });
      expect(d.attempts[0].next_retry_time).not.toBeNull();
    }
    expect((await server.api('GET', `/v2/webhooks/${failing.id}/deliveries?state=succeeded`)).body.data).toEqual([]);
    expect((await server.api('GET', `/v2/webhooks/${healthy.id}/deliveries?state=failed`)).body.data).toEqual([]);
    expect((await server.api('GET', `/v2/webhooks/${healthy.id}/deliveries?state=succeeded`)).body.data).toHaveLength(1);
    expect((await server.api('GET', `/v2/webhooks/${failing.id}/deliveries?state=bogus`)).status).toBe(400);
    const webhook = await server.api('GET', `/v2/webhooks/${failing.id}`);
    expect(webhook.body).toMatchObject({ status: 'disabled', disabled_reason: expect.stringContaining('10 attempts') });
  });

  it('recovers failed deliveries once the webhook is enabled and the receiver fixed', async () => {
    const since = isoTime(start - 60_000);
    const whileDisabled = await server.api('POST', `/v2/webhooks/${failing.id}/recover`, { since });
    expect(whileDisabled.status).toBe(400);
    receiver.respond(() => ({ status: 200, body: 'ok' }));
    expect((await server.api('PATCH', `/v2/webhooks/${failing.id}`, { status: 'enabled' })).status).toBe(200);
    const bad = await server.api('POST', `/v2/webhooks/${failing.id}/recover`, { since: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ type: 'invalid_request_error', param: 'since' });
    const later = await server.api('POST', `/v2/webhooks/${failing.id}/recover`, { since: isoTime(clock.now()) });
    expect(later.body.requeued).toBe(0);
    const before = receiver.received.length;
    const res = await server.api('POST', `/v2/webhooks/${failing.id}/recover`, { since });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'recovery', webhook_id: failing.id, since, requeued: 2 });
    const got = (await receiver.waitFor(before + 2)).slice(before);
    expect(got.map((r) => r.path)).toEqual(['/failing', '/failing']);
    await waitUntil(async () => (await count(server, "SELECT COUNT(*) AS n FROM deliveries WHERE webhook_id = ? AND state = 'succeeded'", [failing.id])) === 2);
    const succeeded = await server.api('GET', `/v2/webhooks/${failing.id}/deliveries?state=succeeded`);
    for (const d of succeeded.body.data) {
      expect(d.attempt_count).toBe(1);
      expect(d.attempts).toHaveLength(11);
      expect(d.attempts[10]).toMatchObject({ status_code: 200, response_excerpt: 'ok' });
    }
    expect((await server.api('POST', `/v2/webhooks/${failing.id}/recover`, { since })).body.requeued).toBe(0);
  });
});
