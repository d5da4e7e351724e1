// `hookline trigger <type>` performs the real actions in the database; a running hookline, another
// process, picks the events up and delivers them to the subscribed receiver within seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIGGERABLE } from '../src/scheduling/trigger.js';
import { createWebhook } from './support/delivery.js';
import { runCli } from './support/cli.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

describe('hookline trigger', () => {
  let rx: Receiver;
  let server: TestServer;

  beforeAll(async () => {
    rx = await startReceiver();
    server = await startServer({ env: { ...receiverEnv(), HOOKLINE_POLL_INTERVAL_MS: '100' } });
    await createWebhook(server, 'everything', `${rx.url}/h`, ['booking', 'conversation']);
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  it.each(TRIGGERABLE)('delivers %s to a running hookline', async (type) => {
    const res = await runCli(['trigger', type], server.env);
    expect(res.code, res.stderr).toBe(0);
    const printed = res.stdout.trim().split('\n').map((line) => line.split('\t'));
    const wanted = printed.find(([, t]) => t === type);
    expect(wanted, res.stdout).toBeDefined();
    const [eventId, , subjectId] = wanted!;
    await expect
      .poll(() => rx.received.some((r) => r.headers['webhook-id'] === eventId), { timeout: 5_000 })
      .toBe(true);
    const body = JSON.parse(rx.received.find((r) => r.headers['webhook-id'] === eventId)!.body);
    expect(body).toMatchObject({ type, data: { object: type.split('.')[0], id: subjectId } });
  });

  it('refuses an unknown event type with a clear message', async () => {
    const res = await runCli(['trigger', 'booking.exploded'], server.env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/Cannot trigger 'booking.exploded'/);
  });
});
