// Deleting a webhook while one of its attempts is in flight must not spoil the recording of the
// other attempts settled in the same batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhook, eventWithDeliveries, publish } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

describe('a webhook deleted mid-attempt', () => {
  let rx: Receiver;
  let server: TestServer;

  beforeAll(async () => {
    rx = await startReceiver(() => ({ status: 200, delayMs: 300 }));
    server = await startServer({ env: receiverEnv() });
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  it('records the other webhooks\' outcomes and drops the deleted one\'s', async () => {
    const doomed = await createWebhook(server, 'doomed', `${rx.url}/a`);
    const kept = await createWebhook(server, 'kept', `${rx.url}/b`);
    const eventId = await publish(server, 'booking.scheduled');
    await rx.waitFor(2);
    expect((await server.api('DELETE', `/v2/webhooks/${doomed.id}`)).status).toBe(200);
    await server.running.dispatcher.idle();
    const event = await eventWithDeliveries(server, eventId);
    expect(event.deliveries).toHaveLength(1);
    expect(event.deliveries[0]).toMatchObject({ webhook_id: kept.id, state: 'succeeded', attempt_count: 1 });
    expect(event.deliveries[0]!.attempts).toHaveLength(1);
  });
});
