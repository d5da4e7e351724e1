// Receivers that never answer delay only themselves: with 16 of them and one healthy receiver, and
// a worker with 32 slots (which a dead webhook's 32 allowed at once used to fill alone), every
// delivery to the healthy one arrives well inside one attempt timeout, bursts after bursts. The dead ones are cut to one probe after their
// timeouts, which their webhook objects and the metrics show.
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhook, firstAccountId, publish, sleep, waitUntil } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const DEAD = 16;
const TIMEOUT_MS = 4_000;

describe('receivers that never answer', () => {
  let server: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await server?.stop();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('never delay a healthy receiver by anything near an attempt timeout', { timeout: 60_000 }, async () => {
    const dead = await startReceiver(() => ({ status: 200, delayMs: 3_600_000 }));
    const healthy = await startReceiver();
    receivers.push(dead, healthy);
    server = await startServer({
      env: {
        ...receiverEnv(),
        HOOKLINE_DELIVERY_CONCURRENCY: '32',
        HOOKLINE_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
        HOOKLINE_SHUTDOWN_GRACE_MS: '200',
      },
    });
    const deadHooks: string[] = [];
    for (let i = 0; i < DEAD; i++) deadHooks.push((await createWebhook(server, `dead ${i}`, `${dead.url}/d${i}`)).id);
    await createWebhook(server, 'healthy', `${healthy.url}/ok`);
    const account = await firstAccountId(server);

    // Bursts of events, each to all 17 webhooks, over about three attempt timeouts.
    const published = new Map<string, number>();
    for (let burst = 0; burst < 12; burst++) {
      for (let i = 0; i < 5; i++) published.set(await publish(server, 'booking.scheduled', account), Date.now());
      await sleep(1_000);
    }
    await healthy.waitFor(published.size, 20_000);
    const lags = healthy.received.map((r) => r.at - published.get(r.headers['webhook-id']!)!);
    expect(lags).toHaveLength(published.size);
    // A functional bound, not a speed target: well inside one timeout (without the fix, each
    // burst's deliveries waited for the dead ones' attempts to time out).
    expect(Math.max(...lags)).toBeLessThan(TIMEOUT_MS / 2);

    // The dead ones got probes, not a slot per delivery: at most their first window each before
    // their first timeout, then one at a time.
    expect(dead.received.length).toBeLessThan(DEAD * 6);
    const health = await waitUntil(async () => {
      const states = await Promise.all(deadHooks.map(async (id) => (await server!.api('GET', `/v2/webhooks/${id}`)).body.delivery_health.state as string));
      return states.every((s) => s === 'slowed') && states;
    }, 20_000, 'the dead webhooks to show as slowed');
    expect(health).toHaveLength(DEAD);
    const ok = await server.api('GET', '/v2/webhooks');
    expect(ok.body.data.find((w: { name: string }) => w.name === 'healthy').delivery_health).toEqual({ state: 'healthy', since: null, resume_time: null });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^hookline_webhooks_by_health\{state="slowed",role="all"\} 16$/m);
    expect(metrics).toMatch(/^hookline_webhooks_by_health\{state="healthy",role="all"\} 1$/m);
  });
});
