// Three worker processes drain one PostgreSQL backlog sent to slow receivers (400 ms) with a short
// attempt timeout (2 s, so leases of 4 × 2 s + 30 s): a worker claims only what it can start
// before its leases end, so without a crash no delivery is sent twice, and every worker does a
// share of the work. With one worker SIGKILLed mid-drain, the only duplicates are among what it
// had in flight. And booking.completed deliveries, published by the worker that fires the timer,
// start at once, not at some worker's next poll.
import { describe, expect, it } from 'vitest';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { processEnv, startCli, type StartedCli } from './support/cli.js';
import { call, TEST_API_KEY, tempDir } from './support/hookline.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { stopStartedAfterEach, type Started } from './support/teardown.js';

const WEBHOOKS = 20;
const EVENTS = 150; // × 20 webhooks = 3,000 deliveries
const CONCURRENCY = 16;
const key = { 'API-Key': TEST_API_KEY };

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series));
  return Number(line?.split(' ').at(-1));
}
const successes = (w: StartedCli) => metric(w.url, 'hookline_delivery_attempts_total{outcome="success"');

/** An API process, WEBHOOKS webhooks on `rx`, and a context on the same database. */
async function setUp(t: Started, rx: Receiver, extra: Record<string, string>) {
  const env = processEnv(tempDir(), { HOOKLINE_DELIVERY_CONCURRENCY: String(CONCURRENCY), HOOKLINE_DELIVERY_TIMEOUT_MS: '2000', ...extra });
  const api = await startCli(env, 20_000, ['--role', 'api']);
  t.procs.push(api);
  for (let i = 0; i < WEBHOOKS; i++) {
    expect((await call(api.url, 'POST', '/v2/webhooks', { name: `w${i}`, url: `${rx.url}/w${i}`, events: ['booking'] }, key)).status).toBe(200);
  }
  const ctx = t.closeLater(await openContext(loadConfig(env)), (c) => c.db.close());
  return { env, api, ctx };
}

async function publishBacklog(ctx: AppContext, events: number): Promise<void> {
  const account = (await ctx.db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
  for (let done = 0; done < events; done += 50) {
    await ctx.db.transaction(async (tx) => {
      for (let i = 0; i < 50; i++) await publishEvent(ctx, { accountId: account, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) }, tx);
    });
  }
}

const startWorkers = (t: Started, env: Record<string, string>) =>
  Promise.all([0, 1, 2].map(async () => {
    const w = await startCli(env, 20_000, ['--role', 'worker']);
    t.procs.push(w);
    return w;
  }));

const succeeded = async (ctx: AppContext) => (await ctx.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE state = 'succeeded'"))!.n;

/** Every (event, webhook) arrived; returns how many arrived more than once. */
async function duplicatesIn(ctx: AppContext, rx: Receiver): Promise<number> {
  const keys = rx.received.map((r) => `${r.headers['webhook-id']} ${r.path}`);
  const expected = await ctx.db.all<{ k: string }>("SELECT d.event_id || ' /' || w.name AS k FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id");
  expect(new Set(keys)).toEqual(new Set(expected.map((e) => e.k)));
  return keys.length - new Set(keys).size;
}

describe('three workers draining a backlog to slow receivers with a short timeout', () => {
  const t = stopStartedAfterEach();

  it('send nothing twice without a crash, and each does a share', { timeout: 150_000 }, async () => {
    const rx = t.closeLater(await startReceiver(() => ({ status: 200, delayMs: 400 })), (r) => r.close());
    const { env, ctx } = await setUp(t, rx, {});
    await publishBacklog(ctx, EVENTS);
    const total = EVENTS * WEBHOOKS;
    const workers = await startWorkers(t, env);
    await expect.poll(() => succeeded(ctx), { timeout: 120_000, interval: 500 }).toBe(total);

    expect(await duplicatesIn(ctx, rx)).toBe(0);
    const shares = await Promise.all(workers.map(successes));
    expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
    for (const n of shares) expect(n).toBeGreaterThan(total * 0.15); // a fair share is a third
    for (const w of workers) expect(w.output()).not.toMatch(/given to others meanwhile|waited too long for their lease/);
  });

  it('duplicate, after a SIGKILL, only what the killed one had in flight', { timeout: 150_000 }, async () => {
    const rx = t.closeLater(await startReceiver(() => ({ status: 200, delayMs: 400 })), (r) => r.close());
    const { env, ctx } = await setUp(t, rx, { HOOKLINE_HEARTBEAT_MS: '500' });
    await publishBacklog(ctx, EVENTS);
    const total = EVENTS * WEBHOOKS;
    const workers = await startWorkers(t, env);
    await rx.waitFor(Math.round(total * 0.3), 90_000);
    const killedAt = Date.now();
    workers[1]!.child.kill('SIGKILL');
    await expect.poll(() => succeeded(ctx), { timeout: 120_000, interval: 500 }).toBe(total);

    // What it held came back by heartbeat; of that, only attempts it had in flight (sent, and not
    // yet recorded) can arrive twice: each twice-arrived delivery first arrived in the moments before
    // the kill (an attempt lasts 400 ms here, 2 s at most), and there are no more than it gave back.
    const reaped = [workers[0]!, workers[2]!].flatMap((w) => w.output().split('\n')).filter((l) => l.includes('stopped renewing its heartbeat'));
    expect(reaped).toHaveLength(1);
    const released = (JSON.parse(reaped[0]!) as { released: number }).released;
    const duplicates = await duplicatesIn(ctx, rx);
    expect(duplicates).toBeLessThanOrEqual(released);
    const first = new Map<string, number>();
    const twice = new Set<string>();
    for (const r of rx.received) {
      const k = `${r.headers['webhook-id']} ${r.path}`;
      if (first.has(k)) twice.add(k);
      else first.set(k, r.at);
    }
    for (const k of twice) expect(first.get(k)!).toBeGreaterThan(killedAt - 2_500);
    // It held little more than it could start: bounded by its slots and about a second of its rate
    // (16 slots at 400 ms: 40 a second), not a share of the whole backlog.
    expect(released).toBeLessThanOrEqual(4 * CONCURRENCY + 40);
    for (const w of [workers[0]!, workers[2]!]) expect(await successes(w)).toBeGreaterThan(total * 0.2);
  });
});

describe('timers on PostgreSQL with three workers', () => {
  const t = stopStartedAfterEach();

  it('deliver booking.completed at once, woken by the worker that fired the timer', { timeout: 90_000 }, async () => {
    const rx = t.closeLater(await startReceiver(), (r) => r.close());
    // Polls a minute apart: only a wake-up can start the delivery in time.
    const { env, api, ctx } = await setUp(t, rx, { HOOKLINE_POLL_INTERVAL_MS: '60000' });
    const user = (await call(api.url, 'POST', '/v2/users', { first_name: 'T', email: 't@example.com' }, key)).body.id;
    const calendar = (await call(api.url, 'POST', '/v2/booking-calendars', { host: user, name: 'Timers' }, key)).body.id;
    const bookings = 6;
    for (let i = 0; i < bookings; i++) {
      const start = new Date(Date.now() + 86_400_000 + i * 3_600_000).toISOString();
      expect((await call(api.url, 'POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: start, booking_form: { name: 'G', email: `g${i}@example.com` } }, key)).status).toBe(200);
    }
    await startWorkers(t, env);
    await rx.waitFor(bookings * WEBHOOKS, 30_000); // the booking.scheduled ones (told by the API process)
    const before = rx.received.length;
    // The bookings end in 2 s: their timers fire then, in whichever worker gets each.
    await ctx.db.run("UPDATE timers SET due_at = ? WHERE kind = 'booking.completed'", [Date.now() + 2_000]);
    await rx.waitFor(before + bookings * WEBHOOKS, 30_000);
    const completed = rx.received.slice(before).map((r) => ({ r, event: JSON.parse(r.body) as { type: string; creation_time: string } }));
    expect(completed.every((c) => c.event.type === 'booking.completed')).toBe(true);
    const lags = completed.map((c) => c.r.at - Date.parse(c.event.creation_time));
    // From the timer's firing (the event's creation) to arrival: a wake-up, far below the minute of a poll.
    expect(Math.max(...lags)).toBeLessThan(2_000);
  });
});
