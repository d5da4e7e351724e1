// A wake-up that arrives while the webhook's claim is running is not lost: the claim's snapshot
// cannot see a delivery committed after it began, so finding fewer than it asked for must not
// clear the webhook's "due" mark set meanwhile. With polling an hour away, the second event
// arrives only if the dispatcher kept that mark.
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import type { AppContext } from '../src/context.js';
import { startDispatcher, type Dispatcher } from '../src/delivery/dispatcher.js';
import { createHttpClient } from '../src/delivery/http-client.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import type { Db } from '../src/storage/db.js';
import { createWebhook } from '../src/webhooks/service.js';
import { openTestContext } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

describe('a wake-up during a claim', () => {
  let ctx: AppContext | undefined;
  let rx: Receiver | undefined;
  let dispatcher: Dispatcher | undefined;
  let http: ReturnType<typeof createHttpClient> | undefined;
  afterEach(async () => {
    await dispatcher?.stop(1_000);
    await http?.close();
    await ctx?.db.close();
    await rx?.close();
  });

  it('keeps the webhook due, so what was published meanwhile is claimed next', async () => {
    rx = await startReceiver();
    ctx = await openTestContext({ env: receiverEnv() });
    const real = ctx;
    const { config } = real;
    const { account } = await createAccount(real, 'race');
    await createWebhook(real, account.id, { name: 'w', url: `${rx.url}/h`, events: ['booking'] });
    const publish = () => publishEvent(real, { accountId: account.id, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) });

    // The dispatcher's database runs the first claim's UPDATE, then, before the dispatcher has its
    // result, lets a second event be published and its wake-up delivered.
    let during: (() => Promise<void>) | undefined = async () => {
      const second = publish(); // on SQLite it waits for the claim's transaction; on PostgreSQL it commits now, after the claim's snapshot
      if (real.db.dialect === 'postgres') await second;
      await new Promise((resolve) => setImmediate(resolve)); // the wake-up, queued after the commit
    };
    // The claim is one statement on PostgreSQL and a transaction on SQLite: watch both ways in.
    const watched = (target: Db): Db['all'] => async (sql, params) => {
      const rows = await target.all(sql, params);
      const hook = during;
      if (hook && /UPDATE deliveries SET next_attempt_at = \S+, lease = \?/.test(sql)) {
        during = undefined;
        await hook();
      }
      return rows as never;
    };
    const db: Db = { ...real.db, all: watched(real.db), transaction: (fn) => real.db.transaction((tx) => fn({ ...tx, all: watched(tx) })) };
    http = createHttpClient({ timeoutMs: 5_000, allowCidrs: config.ssrfAllow, caFile: config.deliveryCaFile });
    dispatcher = await startDispatcher(
      { ...real, db },
      { http, lease: 'WRK-RACE', concurrency: 8, perWebhookConcurrency: 4, timeoutMs: 5_000, pollIntervalMs: 60_000, soleSender: false },
    );

    await publish();
    await rx.waitFor(2, 5_000);
    expect(during).toBeUndefined(); // the claim did run with the second publish inside it
  });
});
