// Three worker processes drain one PostgreSQL database's backlog while one of them is killed with
// SIGKILL: every delivery arrives, the only duplicates are among what the killed one held (sent
// but not recorded), its leased deliveries come back within a few heartbeats (not when its leases run out),
// and every due booking.completed timer fires exactly once although all three workers race for it.
import { describe, expect, it } from 'vitest';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { processEnv, startCli } from './support/cli.js';
import { call, TEST_API_KEY, tempDir } from './support/hookline.js';
import { stopStartedAfterEach } from './support/teardown.js';
import { startReceiver } from './support/receiver.js';

const WEBHOOKS = 4;
const EVENTS = 750; // × 4 webhooks = 3,000 deliveries, plus the bookings' own
const BOOKINGS = 40;
const CONCURRENCY = 16;
const HEARTBEAT_MS = 500;

describe('three workers on one PostgreSQL database, one killed mid-drain', () => {
  const { procs, closeLater } = stopStartedAfterEach();

  it('deliver everything, duplicate only what the killed one had in flight, and fire each timer once', { timeout: 120_000 }, async () => {
    const rx = closeLater(await startReceiver(() => ({ status: 200, delayMs: 5 })), (r) => r.close());
    const env = processEnv(tempDir(), {
      HOOKLINE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      HOOKLINE_DELIVERY_CONCURRENCY: String(CONCURRENCY),
      HOOKLINE_WEBHOOK_CONCURRENCY: '4',
    });
    const api = await startCli(env, 20_000, ['--role', 'api']);
    procs.push(api);
    const key = { 'API-Key': TEST_API_KEY };
    for (let i = 0; i < WEBHOOKS; i++) {
      expect((await call(api.url, 'POST', '/v2/webhooks', { name: `w${i}`, url: `${rx.url}/w${i}`, events: ['booking'] }, key)).status).toBe(200);
    }

    // Bookings whose end has passed: their completion timers are all due when the workers start.
    const user = (await call(api.url, 'POST', '/v2/users', { first_name: 'K', email: 'k@example.com' }, key)).body.id;
    const calendar = (await call(api.url, 'POST', '/v2/booking-calendars', { host: user, name: 'Kill' }, key)).body.id;
    const bookings: string[] = [];
    for (let i = 0; i < BOOKINGS; i++) {
      const start = new Date(Date.now() + 86_400_000 + i * 3_600_000).toISOString();
      const res = await call(api.url, 'POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: start, booking_form: { name: 'G', email: `g${i}@example.com` } }, key);
      expect(res.status).toBe(200);
      bookings.push(res.body.id);
    }
    const ctx = closeLater(await openContext(loadConfig(env)), (c) => c.db.close());
    const db = ctx.db;
    expect((await db.run("UPDATE timers SET due_at = ? WHERE kind = 'booking.completed'", [Date.now()])).changes).toBe(BOOKINGS);

    const account = (await db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
    for (let done = 0; done < EVENTS; done += 250) {
      await db.transaction(async (tx) => {
        for (let i = 0; i < 250; i++) await publishEvent(ctx, { accountId: account, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) }, tx);
      });
    }
    const total = EVENTS * WEBHOOKS + 2 * BOOKINGS * WEBHOOKS; // published here, plus each booking's scheduled and completed

    const workers = await Promise.all([0, 1, 2].map(() => startCli(env, 20_000, ['--role', 'worker'])));
    procs.push(...workers);
    await rx.waitFor(Math.round(total * 0.2), 60_000);
    const killedAt = Date.now();
    workers[1]!.child.kill('SIGKILL');

    const delivered = async () => (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE state = 'succeeded'"))!.n;
    await expect.poll(delivered, { timeout: 60_000, interval: 200 }).toBe(total);
    const recoveredInMs = Date.now() - killedAt;

    // Every (event, webhook) arrived; any arrived twice only because the killed worker had sent it without recording it.
    const keys = rx.received.map((r) => `${r.headers['webhook-id']} ${r.path}`);
    const expected = await db.all<{ k: string }>("SELECT d.event_id || ' /' || w.name AS k FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id");
    expect(new Set(keys)).toEqual(new Set(expected.map((e) => e.k)));
    const duplicates = keys.length - new Set(keys).size;
    // A survivor took the killed one for dead and gave back what it held: claimed and queued, in
    // flight, or sent and not yet recorded. Only the last two can arrive twice. No live worker was
    // taken for dead.
    const reaped = [workers[0]!, workers[2]!].flatMap((w) => w.output().split('\n')).filter((l) => l.includes('stopped renewing its heartbeat'));
    expect(reaped).toHaveLength(1);
    const released = (JSON.parse(reaped[0]!) as { released: number }).released;
    expect(released).toBeGreaterThan(0); // it was killed mid-drain
    expect(duplicates).toBeLessThanOrEqual(released);
    // Its deliveries came back by heartbeat (4 × 500 ms), long before its 90 s leases would have run out.
    expect(recoveredInMs).toBeLessThan(45_000);
    expect(await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE lease IS NOT NULL")).toEqual({ n: 0 });

    // Each booking completed once: one booking.completed event each, and no timer left.
    const completed = await db.all<{ booking: string; n: number }>(
      "SELECT body::json->'data'->>'id' AS booking, COUNT(*) AS n FROM events WHERE type = 'booking.completed' GROUP BY 1 ORDER BY 1",
    );
    expect(completed).toEqual([...bookings].sort().map((booking) => ({ booking, n: 1 })));
    expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM timers')).toEqual({ n: 0 });
  });
});
