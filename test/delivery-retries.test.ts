// Retries against a real HTTPS receiver, with time moved by an injected clock instead of sleeping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../src/clock.js';
import { SCHEDULE_MS } from '../src/delivery/retry.js';
import { createWebhook, eventWithDeliveries, publish } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

describe('retries', () => {
  let rx: Receiver;
  let server: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    rx = await startReceiver(() => ({ status: 500, body: 'broken' }));
    clock = manualClock(Date.now());
    server = await startServer({ env: { ...receiverEnv(), HOOKLINE_DELIVERY_TIMEOUT_MS: '300' }, clock });
  });
  afterEach(async () => {
    await server.stop();
    await rx.close();
  });

  /** Waits until the dispatcher has sent and recorded everything due, then returns the event's only delivery. */
  async function settled(eventId: string) {
    await server.running.dispatcher.idle();
    const event = await eventWithDeliveries(server, eventId);
    return event.deliveries[0]!;
  }

  async function moveTo(iso: string) {
    clock.set(Date.parse(iso));
    server.running.dispatcher.wake();
  }

  it('retries a failing receiver on the schedule, with jitter, until it answers 2xx', async () => {
    await createWebhook(server, 'hook', `${rx.url}/h`);
    const start = clock.now();
    const id = await publish(server, 'booking.scheduled');
    await rx.waitFor(1);
    let d = await settled(id);
    expect(d).toMatchObject({ state: 'pending', attempt_count: 1 });
    expect(d.attempts[0]).toMatchObject({ status_code: 500, error_kind: 'http_status', response_excerpt: 'broken' });
    const wait1 = Date.parse(d.next_attempt_time!) - start;
    expect(wait1).toBeGreaterThanOrEqual(SCHEDULE_MS[1] * 0.8);
    expect(wait1).toBeLessThanOrEqual(SCHEDULE_MS[1] * 1.2);
    expect(d.attempts[0]!.next_retry_time).toBe(d.next_attempt_time);

    clock.advance(wait1 - 1); // not yet due
    server.running.dispatcher.wake();
    await settled(id);
    expect(rx.received).toHaveLength(1);

    await moveTo(d.next_attempt_time!);
    await rx.waitFor(2);
    d = await settled(id);
    const wait2 = Date.parse(d.next_attempt_time!) - clock.now();
    expect(wait2).toBeGreaterThanOrEqual(SCHEDULE_MS[2] * 0.8);
    expect(wait2).toBeLessThanOrEqual(SCHEDULE_MS[2] * 1.2);

    rx.respond(() => ({ status: 204 }));
    await moveTo(d.next_attempt_time!);
    await rx.waitFor(3);
    d = await settled(id);
    expect(d).toMatchObject({ state: 'succeeded', attempt_count: 3, next_attempt_time: null });
    expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([id, id, id]);
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    await createWebhook(server, 'hook', `${rx.url}/moved`);
    rx.respond((req) => (req.path === '/moved' ? { status: 301, headers: { location: `${rx.url}/new` } } : { status: 200 }));
    const id = await publish(server, 'booking.scheduled');
    await rx.waitFor(1);
    const d = await settled(id);
    expect(d.state).toBe('pending');
    expect(d.attempts[0]!.status_code).toBe(301);
    expect(rx.received.map((r) => r.path)).toEqual(['/moved']);
  });

  it('waits at least a minute after 429, longer when Retry-After asks', async () => {
    await createWebhook(server, 'hook', `${rx.url}/h`);
    rx.respond((_req, i) => (i === 0 ? { status: 429 } : { status: 429, headers: { 'retry-after': '600' } }));
    const id = await publish(server, 'booking.scheduled');
    await rx.waitFor(1);
    let d = await settled(id);
    expect(Date.parse(d.next_attempt_time!) - clock.now()).toBeGreaterThanOrEqual(60_000);
    await moveTo(d.next_attempt_time!);
    await rx.waitFor(2);
    d = await settled(id);
    expect(Date.parse(d.next_attempt_time!) - clock.now()).toBeGreaterThanOrEqual(600_000);
  });

  it('counts a slow receiver as a timeout and waits at least a minute', async () => {
    await createWebhook(server, 'hook', `${rx.url}/h`);
    rx.respond(() => ({ status: 200, delayMs: 1_000 }));
    const id = await publish(server, 'booking.scheduled');
    await rx.waitFor(1);
    const d = await settled(id);
    expect(d.attempts[0]).toMatchObject({ status_code: null, error_kind: 'timeout' });
    expect(Date.parse(d.next_attempt_time!) - clock.now()).toBeGreaterThanOrEqual(60_000);
  });

  it('disables the webhook at once on 410 Gone and skips what comes after', async () => {
    const webhook = await createWebhook(server, 'hook', `${rx.url}/h`);
    rx.respond(() => ({ status: 410 }));
    const id = await publish(server, 'booking.scheduled');
    await rx.waitFor(1);
    expect(await settled(id)).toMatchObject({ state: 'failed', next_attempt_time: null });
    const after = await server.api('GET', `/v2/webhooks/${webhook.id}`);
    expect(after.body).toMatchObject({ status: 'disabled', disabled_reason: expect.stringContaining('410') });
    expect(Date.parse(after.body.disabled_time)).toBe(clock.now());
    const next = await publish(server, 'booking.scheduled');
    expect((await settled(next)).state).toBe('skipped');
    expect(rx.received).toHaveLength(1);
  });

  it('disables the webhook after about 3 days of failures; re-enabling replays what failed or was skipped', async () => {
    const webhook = await createWebhook(server, 'hook', `${rx.url}/h`);
    const since = new Date(clock.now()).toISOString();
    const id = await publish(server, 'booking.scheduled');
    for (let attempt = 1; attempt <= SCHEDULE_MS.length; attempt++) {
      await rx.waitFor(attempt);
      const d = await settled(id);
      if (attempt < SCHEDULE_MS.length) await moveTo(d.next_attempt_time!);
    }
    expect(clock.now() - Date.parse(since)).toBeGreaterThan(2.4 * 86_400_000);
    expect(await settled(id)).toMatchObject({ state: 'failed', attempt_count: SCHEDULE_MS.length });
    const disabled = await server.api('GET', `/v2/webhooks/${webhook.id}`);
    expect(disabled.body).toMatchObject({ status: 'disabled', disabled_reason: expect.stringContaining('3 days') });

    const skipped = await publish(server, 'booking.canceled');
    expect((await settled(skipped)).state).toBe('skipped');
    expect(rx.received).toHaveLength(SCHEDULE_MS.length);

    rx.respond(() => ({ status: 200 }));
    const enabled = await server.api('PATCH', `/v2/webhooks/${webhook.id}`, { status: 'enabled', replay_since: since });
    expect(enabled.body).toMatchObject({ status: 'enabled', disabled_reason: null, disabled_time: null });
    await rx.waitFor(SCHEDULE_MS.length + 2);
    expect((await settled(id)).state).toBe('succeeded');
    expect((await settled(skipped)).state).toBe('succeeded');
    const replayed = rx.received.slice(SCHEDULE_MS.length).map((r) => r.headers['webhook-id']).sort();
    expect(replayed).toEqual([id, skipped].sort());
  });
});
