// A PostgreSQL outage, staged with a TCP proxy between hookline's processes and the database: the
// server gone (every connection reset) with an API process and two workers, and a partition
// (connections left hanging, nothing refused) with one all-in-one process. While it lasts,
// /readyz answers 503 in a bounded time and /healthz 200, an API call gets OnceHub's error body
// with a 503 instead of hanging, the processes stay up, and nothing published meanwhile (straight
// into PostgreSQL) is delivered. Once it is over, every event published before, during and after
// arrives exactly once, every delivery ends succeeded with one recorded attempt and no lease, and
// no live worker was taken for dead although the outage outlasted 4 heartbeats.
import { describe, expect, it } from 'vitest';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { processEnv, startCli } from './support/cli.js';
import { sleep } from './support/delivery.js';
import { call, TEST_API_KEY, tempDir, type ApiResponse } from './support/hookline.js';
import { stopStartedAfterEach } from './support/teardown.js';
import { startReceiver } from './support/receiver.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const HEARTBEAT_MS = 300;
const OUTAGE_MS = 6 * HEARTBEAT_MS + 1_000;
/** HOOKLINE_DATABASE_TIMEOUT_MS: how long a statement or a connection waits for a silent server. */
const DATABASE_TIMEOUT_MS = 1_500;
const key = { 'API-Key': TEST_API_KEY };

/** A GET that must answer within ms. */
async function within(ms: number, base: string, path: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${base}${path} did not answer in ${ms} ms`)), ms)));
  try {
    return await Promise.race([call(base, 'GET', path, undefined, headers), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a PostgreSQL outage', () => {
  const { procs, closeLater } = stopStartedAfterEach();

  async function outage(mode: 'reset' | 'silent', roles: string[][], webhooks: number, events: { before: number; during: number; after: number }) {
    const rx = closeLater(await startReceiver(() => ({ status: 200, delayMs: 20 })), (r) => r.close());
    const proxy = closeLater(await startTcpProxy(), (p) => p.close());
    const direct = processEnv(tempDir(), {
      HOOKLINE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      HOOKLINE_WEBHOOK_CONCURRENCY: '4',
      HOOKLINE_DATABASE_TIMEOUT_MS: String(DATABASE_TIMEOUT_MS),
    });
    const env = { ...direct, HOOKLINE_DATABASE: proxy.url(direct.HOOKLINE_DATABASE!) };
    procs.push(await startCli(env, 20_000, roles[0])); // the API (or all-in-one) process migrates and creates the account
    const api = procs[0]!;
    for (let i = 0; i < webhooks; i++) {
      expect((await call(api.url, 'POST', '/v2/webhooks', { name: `w${i}`, url: `${rx.url}/w${i}`, events: ['booking'] }, key)).status).toBe(200);
    }
    procs.push(...(await Promise.all(roles.slice(1).map((args) => startCli(env, 20_000, args)))));

    // The test publishes as an API process would, on a connection of its own that goes around the proxy.
    const ctx = closeLater(await openContext(loadConfig(direct)), (c) => c.db.close());
    const db = ctx.db;
    const account = (await db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
    const published: string[] = [];
    const publish = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push((await publishEvent(ctx, { accountId: account, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) })).id);
      }
      published.push(...ids);
      return ids;
    };

    // Before: the outage comes mid-drain, with attempts in flight and deliveries claimed ahead.
    await publish(events.before);
    await rx.waitFor((events.before * webhooks) / 4, 20_000);
    proxy.cut(mode);
    const cutAt = Date.now();

    // During: every process says it is not ready, within a bound, and that it is alive.
    for (const p of procs) {
      await expect.poll(async () => (await within(5_000, p.url, '/readyz')).status, { timeout: 10_000, interval: 100 }).toBe(503);
      expect((await within(5_000, p.url, '/readyz')).body).toEqual({ status: 'unavailable', reason: 'the database does not answer' });
      expect(await within(1_000, p.url, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    }
    // An API call that needs the database fails, in OnceHub's shape, rather than hanging.
    const refused = await within(3 * DATABASE_TIMEOUT_MS + 1_000, api.url, '/v2/webhooks', key);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ type: 'api_error', message: expect.stringMatching(/database/i) });
    expect(refused.headers.get('request-id')).toBeTruthy();

    const during = await publish(events.during);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));
    expect(rx.received.filter((r) => during.includes(r.headers['webhook-id']!))).toEqual([]); // nobody could claim them
    for (const p of procs) expect(p.child.exitCode).toBeNull();
    proxy.restore();
    const restoredAt = Date.now();

    // After: ready again, and everything arrives.
    for (const p of procs) {
      await expect.poll(async () => (await within(5_000, p.url, '/readyz')).status, { timeout: 15_000, interval: 100 }).toBe(200);
    }
    expect((await call(api.url, 'GET', '/v2/webhooks', undefined, key)).status).toBe(200);
    await publish(events.after);
    const total = published.length * webhooks;
    const succeeded = async () => (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE state = 'succeeded'"))!.n;
    await expect.poll(succeeded, { timeout: 30_000, interval: 200 }).toBe(total);
    const recoveredMs = Date.now() - restoredAt;

    const keys = rx.received.map((r) => `${r.headers['webhook-id']} ${r.path}`);
    const expected = await db.all<{ k: string }>("SELECT d.event_id || ' /' || w.name AS k FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id");
    expect(expected).toHaveLength(total);
    expect(new Set(keys)).toEqual(new Set(expected.map((e) => e.k)));
    // Attempts in flight during the outage finished, and their outcomes waited in memory until they
    // could be recorded; no worker was taken for dead (each must renew its own heartbeat before it
    // judges another's), so no delivery went to a second worker: nothing arrived twice. A claim or
    // a record whose COMMIT went through unanswered was neither left leased nor recorded twice.
    const logs = procs.map((p) => p.output()).join('\n');
    expect(logs).not.toMatch(/taken for dead|stopped renewing/);
    expect(keys.length - new Set(keys).size).toBe(0);
    expect(
      await db.all(
        `SELECT d.id, d.state, d.attempt_count, d.lease, (SELECT COUNT(*) FROM attempts a WHERE a.delivery_id = d.id) AS attempts
           FROM deliveries d WHERE d.state <> 'succeeded' OR d.attempt_count <> 1 OR d.lease IS NOT NULL
              OR (SELECT COUNT(*) FROM attempts a WHERE a.delivery_id = d.id) <> 1`,
      ),
    ).toEqual([]);

    // Nobody crashed, and each process stops cleanly.
    expect(logs).not.toMatch(/unhandled|uncaught/i);
    for (const p of procs) expect(p.child.exitCode).toBeNull();
    expect(await Promise.all(procs.map((p) => p.stop()))).toEqual(procs.map(() => 0));
    return { total, recoveredMs };
  }

  it('with the server gone (connections reset): an API process and two workers', { timeout: 60_000 }, async () => {
    const { total, recoveredMs } = await outage('reset', [['--role', 'api'], ['--role', 'worker'], ['--role', 'worker']], 2, { before: 150, during: 50, after: 50 });
    expect(total).toBe(500);
    expect(recoveredMs).toBeLessThan(20_000);
  });

  it('with a partition (connections hang, nothing refused): one all-in-one process', { timeout: 60_000 }, async () => {
    const { total, recoveredMs } = await outage('silent', [[]], 1, { before: 100, during: 20, after: 20 });
    expect(total).toBe(140);
    expect(recoveredMs).toBeLessThan(20_000);
  });
});
