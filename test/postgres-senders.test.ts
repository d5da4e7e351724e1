// On PostgreSQL several hookline processes may send from one database: a claim locks the rows it
// takes and passes over rows another process's claim holds (FOR UPDATE SKIP LOCKED), so two
// processes sending side by side deliver every event exactly once.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { testDatabase } from './support/database.js';
import { call, TEST_API_KEY, tempDir } from './support/hookline.js';
import { startCli } from './support/cli.js';
import { stopStartedAfterEach } from './support/teardown.js';
import { receiverEnv, startReceiver, type Received } from './support/receiver.js';

const EVENTS = 200;
/** Attempts in flight to the webhook per process: more than this at once means both were sending. */
const CAP = 4;
const DELAY_MS = 50;

/** The most requests the receiver held at once, each from its arrival until its answer was due. */
function mostAtOnce(received: Received[]): number {
  const arrivals = received.map((r) => r.at).sort((a, b) => a - b);
  return Math.max(...arrivals.map((t) => arrivals.filter((s) => s <= t && t < s + DELAY_MS).length));
}

describe('two processes sending from one PostgreSQL database', () => {
  const { procs, closeLater } = stopStartedAfterEach();

  it('deliver every event once, working at the same time', async () => {
    const rx = closeLater(await startReceiver(() => ({ status: 200, delayMs: DELAY_MS })), (r) => r.close());
    const dir = tempDir();
    const env = {
      HOOKLINE_DATABASE: testDatabase(dir),
      HOOKLINE_SECRET_KEY_FILE: path.join(dir, 'secret.key'),
      HOOKLINE_PORT: '0',
      HOOKLINE_API_KEY: TEST_API_KEY,
      HOOKLINE_LOG_LEVEL: 'warn',
      HOOKLINE_POLL_INTERVAL_MS: '20',
      HOOKLINE_WEBHOOK_CONCURRENCY: String(CAP),
      ...receiverEnv(),
    };
    procs.push(await startCli(env)); // the first one migrates and writes the key file
    procs.push(await startCli(env));
    const created = await call(procs[0]!.url, 'POST', '/v2/webhooks', { name: 'shared', url: `${rx.url}/h`, events: ['booking'] }, { 'API-Key': TEST_API_KEY });
    expect(created.status).toBe(200);

    // Published from this process, so neither sender is woken: both find the work by polling.
    const ctx = closeLater(await openContext(loadConfig(env)), (c) => c.db.close());
    const account = (await ctx.db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
    const ids: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      ids.push((await publishEvent(ctx, { accountId: account, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) })).id);
    }

    await rx.waitFor(EVENTS, 20_000);
    const db = ctx.db;
    await expect.poll(async () => (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE state = 'succeeded'"))!.n, { timeout: 10_000 }).toBe(EVENTS);
    const got = rx.received.map((r) => r.headers['webhook-id']!);
    expect(got.length).toBe(EVENTS); // no event arrived twice
    expect(new Set(got)).toEqual(new Set(ids));
    expect(mostAtOnce(rx.received)).toBeGreaterThan(CAP);
  });
});
