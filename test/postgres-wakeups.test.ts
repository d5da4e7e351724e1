// Wake-ups across processes on PostgreSQL: an event published by one process reaches a worker
// process at once through LISTEN/NOTIFY, though the worker polls only once a minute; a worker
// whose listening connection is cut reconnects and then delivers what was published meanwhile;
// with two workers, each webhook's wake-ups go to one of them, and to the other once it is gone.
import { describe, expect, it } from 'vitest';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { liveWorkers } from '../src/delivery/heartbeat.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { channelName, startTelling, workerChannel, workerFor } from '../src/storage/postgres/wakeups.js';
import { processEnv, startCli } from './support/cli.js';
import { connectPostgres } from './support/database.js';
import { call, TEST_API_KEY, tempDir } from './support/hookline.js';
import { stopStartedAfterEach } from './support/teardown.js';
import { startReceiver } from './support/receiver.js';

/** Listening connections of this test's channel, seen from the server. */
async function listeners(channel: string): Promise<number[]> {
  const admin = await connectPostgres();
  try {
    // A worker listens on the installation's channel and on its own, in one query.
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE starts_with(query, $1)', [`LISTEN ${channel}; `]);
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}

describe('LISTEN/NOTIFY wake-ups between processes', () => {
  const { procs, closeLater } = stopStartedAfterEach();

  it('wake a polling-once-a-minute worker at once, and again after its listener was cut', async () => {
    const rx = closeLater(await startReceiver(), (r) => r.close());
    const env = processEnv(tempDir(), { HOOKLINE_POLL_INTERVAL_MS: '60000' });
    procs.push(await startCli(env, 20_000, ['--role', 'api'])); // migrates, creates the account and key file
    const created = await call(procs[0]!.url, 'POST', '/v2/webhooks', { name: 'w', url: `${rx.url}/h`, events: ['booking'] }, { 'API-Key': TEST_API_KEY });
    expect(created.status).toBe(200);
    procs.push(await startCli(env, 20_000, ['--role', 'worker']));

    // This process publishes as an API process does: it tells, it does not listen.
    const ctx = closeLater(await openContext(loadConfig(env)), (c) => c.db.close());
    closeLater(startTelling(ctx), (w) => w.stop());
    const account = (await ctx.db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
    const publish = async () => (await publishEvent(ctx, { accountId: account, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) })).id;

    const channel = channelName(env.HOOKLINE_DATABASE!);
    await expect.poll(() => listeners(channel), { timeout: 10_000 }).toHaveLength(1);
    // The worker's first poll (at its start) is over; the next is a minute away.
    await new Promise((r) => setTimeout(r, 300));
    const first = await publish();
    const [got] = await rx.waitFor(1, 3_000);
    expect(got!.headers['webhook-id']).toBe(first);

    // Cut the listener (as a server restart or a network fault would), then publish at once.
    const [pid] = await listeners(channel);
    const admin = await connectPostgres();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    const second = await publish(); // told while nobody listens: found when the listener is back
    await expect.poll(async () => (await listeners(channel)).filter((p) => p !== pid), { timeout: 10_000 }).toHaveLength(1);
    await rx.waitFor(2, 5_000);
    expect(rx.received[1]!.headers['webhook-id']).toBe(second);

    const third = await publish();
    await rx.waitFor(3, 3_000);
    expect(rx.received[2]!.headers['webhook-id']).toBe(third);
    expect(procs[1]!.output()).toMatch(/wake-up listener lost its database connection/);
  });

  /** A counter's value in a process's /metrics. */
  async function metric(url: string, series: string): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(series));
    return Number(line?.split(' ').at(-1));
  }

  it("each webhook's new deliveries go to its worker only, and to a survivor once its worker is gone", async () => {
    const rx = closeLater(await startReceiver(), (r) => r.close());
    // Workers poll once a minute: within the test only wake-ups can make them deliver.
    // Heartbeats every 500 ms: the API process counts on a worker whose last one is at most 2 beats old, which a
    // loaded machine (CI) must not miss by accident; a dead one is dropped within about 1.5 s.
    const env = processEnv(tempDir(), { HOOKLINE_POLL_INTERVAL_MS: '60000', HOOKLINE_HEARTBEAT_MS: '500' });
    procs.push(await startCli(env, 20_000, ['--role', 'api']));
    const hooks = 6;
    for (let i = 0; i < hooks; i++) {
      const res = await call(procs[0]!.url, 'POST', '/v2/webhooks', { name: `w${i}`, url: `${rx.url}/h${i}`, events: ['booking'] }, { 'API-Key': TEST_API_KEY });
      expect(res.status).toBe(200);
    }
    const workerEnv = { ...env, HOOKLINE_LOG_LEVEL: 'info' };
    const workers = [await startCli(workerEnv, 20_000, ['--role', 'worker']), await startCli(workerEnv, 20_000, ['--role', 'worker'])];
    procs.push(...workers);
    // The worker's id is in its start log line, which may be flushed just after "listening on".
    const workerId = (w: (typeof workers)[number]) => /"worker":"(WRK-[A-Z0-9]+)"/.exec(w.output())?.[1];
    await expect.poll(() => workers.every((w) => workerId(w) !== undefined), { timeout: 5_000 }).toBe(true);
    const ids = workers.map((w) => workerId(w)!);

    const ctx = closeLater(await openContext(loadConfig(env)), (c) => c.db.close());
    const account = (await ctx.db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
    const webhooks = (await ctx.db.all<{ id: string }>('SELECT id FROM webhooks')).map((w) => w.id);
    const publish = () => publishEvent(ctx, { accountId: account, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) });
    await expect.poll(() => listeners(channelName(env.HOOKLINE_DATABASE!)), { timeout: 10_000 }).toHaveLength(2);
    // Both registered and beating before the API process reads which workers are alive (it does so at once).
    await expect.poll(async () => (await liveWorkers(ctx.db, Date.now() - 1_000)).length, { timeout: 10_000 }).toBe(2);
    closeLater(startTelling(ctx), (w) => w.stop());
    await new Promise((r) => setTimeout(r, 500));

    const events = 5;
    for (let i = 0; i < events; i++) {
      await publish();
      await rx.waitFor((i + 1) * hooks, 3_000);
    }
    const owner = (webhookId: string) => workerFor(webhookId, [...ids].sort());
    const shares = ids.map((id) => webhooks.filter((h) => owner(h) === id).length);
    for (const [i, w] of workers.entries()) {
      expect(await metric(w.url, 'hookline_delivery_attempts_total{outcome="success"')).toBe(events * shares[i]!);
      expect(await metric(w.url, 'hookline_delivery_claims_total{result="empty"')).toBe(0);
    }

    // The worker with the larger share dies; after two of its heartbeats the API process stops
    // counting on it, and its webhooks' wake-ups go to the other (whose next poll is a minute away).
    const victim = shares[0]! >= shares[1]! ? 0 : 1;
    const survivor = 1 - victim;
    workers[victim]!.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2_500));
    await publish();
    await rx.waitFor((events + 1) * hooks, 3_000);
    expect(await metric(workers[survivor]!.url, 'hookline_delivery_attempts_total{outcome="success"')).toBe(events * shares[survivor]! + hooks);
  });
});

describe('the worker a webhook is woken on', () => {
  const webhooks = Array.from({ length: 3_000 }, (_, i) => `WHK-${String(i).padStart(10, '0')}`);
  const workers = ['WRK-A', 'WRK-B', 'WRK-C'];

  it('spreads webhooks evenly and moves only the departed worker\'s share', () => {
    const before = new Map(webhooks.map((h) => [h, workerFor(h, workers)]));
    for (const w of workers) expect([...before.values()].filter((x) => x === w).length).toBeGreaterThan(800);
    const after = new Map(webhooks.map((h) => [h, workerFor(h, ['WRK-A', 'WRK-C'])]));
    for (const h of webhooks) if (before.get(h) !== 'WRK-B') expect(after.get(h)).toBe(before.get(h));
    expect(workerFor('WHK-1', [])).toBeUndefined();
  });
});

describe('channel names', () => {
  it('give each worker of each installation a channel of its own that fits PostgreSQL identifiers', () => {
    const names = [workerChannel('postgres://h/db?schema=one', 'WRK-A'), workerChannel('postgres://h/db?schema=two', 'WRK-A'), workerChannel('postgres://h/db?schema=one', 'WRK-B')];
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
  });

  // The channel for every worker is per installation: two schemas on one database do not wake each other.
  it('differ by schema and fit PostgreSQL identifiers', () => {
    const a = channelName('postgres://h/db?schema=one');
    expect(a).toBe('hookline_due_one');
    expect(channelName('postgres://h/db')).toBe('hookline_due');
    expect(channelName(`postgres://h/db?schema=${'x'.repeat(63)}`).length).toBeLessThanOrEqual(63);
  });
});
