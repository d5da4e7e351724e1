// A slow receiver fills only its own webhook's concurrency slots: another webhook's deliveries of
// the same events go out at once, and the slow one still gets everything in the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';
import { count, createWebhook, publish, sleep, waitUntil } from './support/delivery.js';

const SLOW_MS = 1_500;

describe('per-webhook concurrency', () => {
  let slow: Receiver;
  let fast: Receiver;
  let server: TestServer;
  let inFlightSlow = 0;
  let maxInFlightSlow = 0;
  beforeAll(async () => {
    slow = await startReceiver(() => {
      inFlightSlow += 1;
      maxInFlightSlow = Math.max(maxInFlightSlow, inFlightSlow);
      setTimeout(() => (inFlightSlow -= 1), SLOW_MS);
      return { status: 200, body: 'slow ok', delayMs: SLOW_MS };
    });
    fast = await startReceiver();
    server = await startServer({ env: { ...receiverEnv(), HOOKLINE_WEBHOOK_CONCURRENCY: '2' } });
  });
  afterAll(async () => {
    await server.stop();
    await slow.close();
    await fast.close();
  });

  it('delivers to the fast receiver at once while the slow one works through its queue', async () => {
    const slowHook = await createWebhook(server, 'slow', `${slow.url}/slow`);
    const fastHook = await createWebhook(server, 'fast', `${fast.url}/fast`);
    const started = Date.now();
    const events: string[] = [];
    for (let i = 0; i < 20; i++) events.push(await publish(server, 'booking.scheduled'));

    await fast.waitFor(20, 1_500);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(slow.received.length).toBeLessThanOrEqual(4);
    expect(new Set(fast.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(events));
    await waitUntil(async () => (await count(server, "SELECT COUNT(*) AS n FROM deliveries WHERE webhook_id = ? AND state = 'succeeded'", [fastHook.id])) === 20, 2_000);

    await slow.waitFor(20, 25_000);
    expect(maxInFlightSlow).toBeLessThanOrEqual(2);
    expect(new Set(slow.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(events));
    // 20 deliveries, 2 at a time, 1.5 s each: about 15 s, not 1.5 s (the cap held) nor 30 s (it was used).
    expect(Date.now() - started).toBeGreaterThanOrEqual(9 * SLOW_MS);
    await waitUntil(async () => (await count(server, "SELECT COUNT(*) AS n FROM deliveries WHERE webhook_id = ? AND state = 'succeeded'", [slowHook.id])) === 20, 5_000);
    await sleep(100);
    expect(slow.received).toHaveLength(20);
    expect(fast.received).toHaveLength(20);
    const attempts = await count(server, 'SELECT COUNT(*) AS n FROM attempts WHERE webhook_id = ?', [slowHook.id]);
    expect(attempts).toBe(20);
  }, 40_000);
});
