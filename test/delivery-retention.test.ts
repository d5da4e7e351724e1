// Retention: finished events older than the retention age go with their deliveries and attempts;
// an event still being retried stays (only its old attempts go), and so do recent events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/clock.js';
import { pruneOnce } from '../src/delivery/retention.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { count, createWebhook, publish, sleep, waitUntil } from './support/delivery.js';

const DAY = 86_400_000;

describe('pruneOnce', () => {
  const clock = manualClock(Date.now());
  let receiver: Receiver;
  let server: TestServer;
  let startedAt: number;
  beforeAll(async () => {
    receiver = await startReceiver((r) => (r.path === '/broken' ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
    server = await startServer({ env: receiverEnv(), clock });
    startedAt = Date.now(); // the server's first retention pass was set up by now (migrating a fresh PostgreSQL schema takes a while)
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const rows = async (table: string, where = '1 = 1', params: (string | number)[] = []) => count(server, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);

  it('deletes old finished events with their deliveries and attempts, and keeps pending ones', async () => {
    await createWebhook(server, 'works', `${receiver.url}/works`, ['booking']);
    const broken = await createWebhook(server, 'broken', `${receiver.url}/broken`, ['conversation']);
    const old = [await publish(server, 'booking.scheduled'), await publish(server, 'booking.canceled'), await publish(server, 'booking.completed')];
    const retried = await publish(server, 'conversation.started');
    // A test send to the broken receiver is tried once and ends failed: finished, so prunable.
    const test = await server.api('POST', `/v2/webhooks/${broken.id}/test`, { type: 'conversation.closed' });
    expect(test.body.delivery.state).toBe('failed');
    const failedTest = test.body.event.id as string;
    await receiver.waitFor(5);
    await waitUntil(async () => (await rows('deliveries', "state = 'succeeded'")) === 3 && (await rows('attempts')) === 5);
    expect(await rows('deliveries', "event_id = ? AND state = 'pending'", [retried])).toBe(1);

    // The server's own retention pass runs once a second after start: let it go by before moving time.
    await sleep(Math.max(0, startedAt + 1_500 - Date.now()));
    clock.advance(31 * DAY);
    const recent = await publish(server, 'booking.rescheduled');
    await waitUntil(async () => (await rows('deliveries', "event_id = ? AND state = 'succeeded'", [recent])) === 1);
    await server.running.dispatcher.idle();

    const pruned = await pruneOnce(server.running.ctx, 30 * DAY);
    expect(pruned.events).toBe(4);
    expect(pruned.attempts).toBeGreaterThanOrEqual(1);
    const gone = [...old, failedTest];
    const marks = gone.map(() => '?').join(', ');
    expect(await rows('events', `id IN (${marks})`, gone)).toBe(0);
    expect(await rows('deliveries', `event_id IN (${marks})`, gone)).toBe(0);
    expect(await rows('attempts', `delivery_id NOT IN (SELECT id FROM deliveries)`)).toBe(0);
    expect(await rows('attempts', 'attempted_at < ?', [clock.now() - 30 * DAY])).toBe(0);

    expect(await rows('events', 'id IN (?, ?)', [retried, recent])).toBe(2);
    expect(await rows('events')).toBe(2);
    expect(await rows('deliveries', "event_id = ? AND state = 'pending'", [retried])).toBe(1);
    expect(await rows('deliveries', "event_id = ? AND state = 'succeeded'", [recent])).toBe(1);
    expect(await rows('attempts', 'delivery_id IN (SELECT id FROM deliveries WHERE event_id = ?)', [recent])).toBe(1);

    const api = await server.api('GET', '/v2/events');
    expect(api.body.data.map((e: { id: string }) => e.id).sort()).toEqual([retried, recent].sort());
    expect((await server.api('GET', `/v2/events/${old[0]}`)).status).toBe(404);

    const again = await pruneOnce(server.running.ctx, 30 * DAY);
    expect(again.events).toBe(0);
  });
});
