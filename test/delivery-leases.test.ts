// A delivery is never sent while another process may hold it. One that waited in a worker's queue
// until its lease no longer leaves room for a whole attempt is given back unsent (and sent only
// from a fresh claim); and after a stall, when the worker's heartbeat is too old to be sure nobody
// took it for dead, nothing starts until the heartbeat is renewed.
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import { manualClock } from '../src/clock.js';
import type { AppContext } from '../src/context.js';
import { startDispatcher, type Dispatcher, type DispatcherOptions } from '../src/delivery/dispatcher.js';
import { createHttpClient } from '../src/delivery/http-client.js';
import { leaseDuration } from '../src/delivery/leases.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { createWebhook } from '../src/webhooks/service.js';
import { sleep, waitUntil } from './support/delivery.js';
import { openTestContext } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

const TIMEOUT_MS = 2_000;

describe('leases', () => {
  let ctx: AppContext | undefined;
  let rx: Receiver | undefined;
  let dispatcher: Dispatcher | undefined;
  let http: ReturnType<typeof createHttpClient> | undefined;
  afterEach(async () => {
    await dispatcher?.stop(2_000);
    await http?.close();
    await ctx?.db.close();
    await rx?.close();
  });

  async function setUp(clock = manualClock(Date.now()), receiverDelayMs = 0) {
    rx = await startReceiver(() => ({ status: 200, delayMs: receiverDelayMs }));
    ctx = await openTestContext({ env: receiverEnv(), clock });
    const { account } = await createAccount(ctx, 'leases');
    await createWebhook(ctx, account.id, { name: 'w', url: `${rx.url}/h`, events: ['booking'] });
    const c = ctx;
    const publish = () => publishEvent(c, { accountId: account.id, type: 'booking.scheduled', data: sampleData('booking.scheduled', clock.now()) });
    http = createHttpClient({ timeoutMs: TIMEOUT_MS, allowCidrs: ctx.config.ssrfAllow, caFile: ctx.config.deliveryCaFile });
    const start = async (extra: Partial<DispatcherOptions> = {}) =>
      (dispatcher = await startDispatcher(c, {
        http: http!, lease: 'WRK-LEASES', concurrency: 1, perWebhookConcurrency: 1, timeoutMs: TIMEOUT_MS, pollIntervalMs: 60_000, soleSender: false, ...extra,
      }));
    return { clock, publish, start };
  }

  const leases = () => ctx!.db.all<{ lease: string | null; attempt_count: number }>("SELECT lease, attempt_count FROM deliveries ORDER BY seq");

  it('gives back, unsent, a delivery whose lease ran short while it waited in the queue', async () => {
    const { clock, publish, start } = await setUp(manualClock(Date.now()), 800);
    await start();
    await publish();
    await publish(); // one slot: the second waits in the queue behind the first's 800 ms attempt
    await rx!.waitFor(1, 5_000);
    await waitUntil(async () => (await leases()).every((d) => d.lease === 'WRK-LEASES'), 5_000, 'both claimed');
    // Meanwhile the lease of the queued one runs short (a stall, say, with renewals not going through).
    clock.advance(leaseDuration(TIMEOUT_MS) - TIMEOUT_MS);
    // It is not sent under that lease: it goes back, and is sent again only from a fresh claim.
    await rx!.waitFor(2, 5_000);
    await dispatcher!.idle();
    expect(rx!.received).toHaveLength(2);
    const metrics = await ctx!.metrics.render();
    expect(metrics).toMatch(/^hookline_delivery_claims_total\{result="found",role="all"\} 3$/m);
    expect(await leases()).toEqual([{ lease: null, attempt_count: 1 }, { lease: null, attempt_count: 1 }]);
  });

  it('starts nothing after a stall until the heartbeat is renewed', async () => {
    const { publish, start } = await setUp();
    let aliveUntil = 0; // the last heartbeat is too old: someone may have taken this worker for dead
    const confirmations: number[] = [];
    await start({ aliveUntil: () => aliveUntil, confirmAlive: async () => void confirmations.push(Date.now()) });
    await publish();
    await waitUntil(() => confirmations.length > 0, 5_000, 'a heartbeat asked for');
    await sleep(300);
    expect(rx!.received).toHaveLength(0);
    aliveUntil = Number.POSITIVE_INFINITY; // renewed: nobody took it for dead
    await rx!.waitFor(1, 5_000);
  });
});
