// On SQLite the process that publishes is the only sender, so a new delivery to a webhook that
// answers promptly, with nothing older waiting, is written leased to its worker in the event's own
// transaction and handed over once committed: no claim. Nothing changes for what is guaranteed:
// a rolled-back event sends nothing, a handed-over delivery is in the database under its lease
// while in flight (so a crash brings it back), and each event arrives once. On PostgreSQL, where
// other processes may send, every delivery is claimed as before.
import { afterEach, describe, expect, it } from 'vitest';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { TEST_DIALECT } from './support/database.js';
import { count, createWebhook, firstAccountId, publish, waitUntil } from './support/delivery.js';
import { startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

let server: TestServer | undefined;
let rx: Receiver | undefined;
afterEach(async () => {
  await server?.stop();
  await rx?.close();
});

/** The value of the first series of this process's metrics that starts with `series` (0 if none). */
async function metric(series: string): Promise<number> {
  const line = (await server!.running.ctx.metrics.render()).split('\n').find((l) => l.startsWith(series));
  return Number(line?.split(' ').at(-1) ?? 0);
}
const handedOver = () => metric('hookline_deliveries_handed_over_total');
const claimsFound = () => metric('hookline_delivery_claims_total{result="found"');

/** A server with one webhook whose first delivery has been sent (so the worker knows it answers). */
async function warmedUp() {
  rx = await startReceiver();
  server = await startServer({ env: receiverEnv() });
  const hook = await createWebhook(server, 'prompt', `${rx.url}/h`);
  await publish(server, 'booking.scheduled');
  await rx.waitFor(1);
  await server.running.dispatcher.idle();
  return hook;
}

describe('new deliveries handed to the worker', () => {
  it('on SQLite go out without a claim, each once; on PostgreSQL each is claimed', async () => {
    await warmedUp();
    expect(await claimsFound()).toBe(1); // the first one: the worker had not heard from the webhook yet
    for (let n = 2; n <= 6; n++) {
      await publish(server!, 'booking.scheduled');
      await rx!.waitFor(n);
      await server!.running.dispatcher.idle(); // the last outcome recorded: nothing in flight at the next publish
    }
    await server!.running.dispatcher.idle();
    if (TEST_DIALECT === 'sqlite') {
      expect(await handedOver()).toBe(5);
      expect(await claimsFound()).toBe(1);
    } else {
      expect(await handedOver()).toBe(0);
      expect(await claimsFound()).toBe(6);
    }
    expect(rx!.received).toHaveLength(6);
    expect(new Set(rx!.received.map((r) => r.headers['webhook-id'])).size).toBe(6);
    expect(await count(server!, "SELECT COUNT(*) AS n FROM deliveries WHERE state = 'succeeded' AND lease IS NULL")).toBe(6);
    expect(await count(server!, 'SELECT COUNT(*) AS n FROM attempts')).toBe(6);
  });

  it('are written leased in the event transaction: a rolled-back event sends nothing, a sent one is in the database while in flight', async () => {
    await warmedUp();
    const ctx = server!.running.ctx;
    const accountId = await firstAccountId(server!);
    const before = await handedOver();
    await expect(
      ctx.db.transaction(async (tx) => {
        await publishEvent(ctx, { accountId, type: 'booking.canceled', data: sampleData('booking.canceled', Date.now()) }, tx);
        throw new Error('the booking change failed');
      }),
    ).rejects.toThrow('the booking change failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rx!.received).toHaveLength(1);
    expect(await count(server!, 'SELECT COUNT(*) AS n FROM deliveries')).toBe(1);
    expect(await handedOver()).toBe(before);

    // A slow answer: while the attempt is in flight, its row is pending under the worker's lease.
    rx!.respond(() => ({ status: 200, body: 'ok', delayMs: 600 }));
    const published = await publishEvent(ctx, { accountId, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) });
    const id = published.deliveries[0]!.id;
    const inFlight = (await waitUntil(async () => {
      const row = await ctx.db.get<{ state: string; lease: string | null; next_attempt_at: number }>('SELECT state, lease, next_attempt_at FROM deliveries WHERE id = ?', [id]);
      return row?.lease ? row : undefined;
    }, 2_000, 'the delivery leased'))!;
    expect(inFlight.state).toBe('pending');
    expect(inFlight.next_attempt_at).toBeGreaterThan(Date.now()); // due again only once the lease ends
    await rx!.waitFor(2);
    await server!.running.dispatcher.idle();
    expect(await count(server!, "SELECT COUNT(*) AS n FROM deliveries WHERE id = ? AND state = 'succeeded' AND lease IS NULL", [id])).toBe(1);
    expect(await handedOver()).toBe(TEST_DIALECT === 'sqlite' ? before + 1 : 0);
  });
});
