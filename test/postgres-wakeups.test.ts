// Wake-ups across processes on PostgreSQL: an event published by one process reaches a worker
// process at once through LISTEN/NOTIFY, though the worker polls only once a minute; a worker
// whose listening connection is cut reconnects and then delivers what was published meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { channelName, startWakeups, type Wakeups } from '../src/storage/postgres/wakeups.js';
import { processEnv, startCli, type StartedCli } from './support/cli.js';
import { connectPostgres } from './support/database.js';
import { call, TEST_API_KEY, tempDir } from './support/hookline.js';
import { startReceiver, type Receiver } from './support/receiver.js';

describe('LISTEN/NOTIFY wake-ups between processes', () => {
  let rx: Receiver | undefined;
  let procs: StartedCli[] = [];
  let ctx: AppContext | undefined;
  let wakeups: Wakeups | undefined;

  afterEach(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    procs = [];
    await wakeups?.stop();
    await ctx?.db.close();
    await rx?.close();
  });

  /** Listening connections of this test's channel, seen from the server. */
  async function listeners(channel: string): Promise<number[]> {
    const admin = await connectPostgres();
    try {
      const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query = $1', [`LISTEN ${channel}`]);
      return rows.map((r) => r.pid);
    } finally {
      await admin.end();
    }
  }

  it('wake a polling-once-a-minute worker at once, and again after its listener was cut', async () => {
    rx = await startReceiver();
    const env = processEnv(tempDir(), { HOOKLINE_POLL_INTERVAL_MS: '60000' });
    procs.push(await startCli(env, 20_000, ['--role', 'api'])); // migrates, creates the account and key file
    const created = await call(procs[0]!.url, 'POST', '/v2/webhooks', { name: 'w', url: `${rx.url}/h`, events: ['booking'] }, { 'API-Key': TEST_API_KEY });
    expect(created.status).toBe(200);
    procs.push(await startCli(env, 20_000, ['--role', 'worker']));

    // This process publishes as an API process does: it tells, it does not listen.
    ctx = await openContext(loadConfig(env));
    wakeups = startWakeups(ctx.db, ctx.notifier, ctx.logger, { url: env.HOOKLINE_DATABASE!, listen: false });
    const account = (await ctx.db.get<{ id: string }>('SELECT id FROM accounts'))!.id;
    const publish = async () => (await publishEvent(ctx!, { accountId: account, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) })).id;

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
});

// The channel is per installation: two schemas on one database do not wake each other.
describe('channel names', () => {
  it('differ by schema and fit PostgreSQL identifiers', () => {
    const a = channelName('postgres://h/db?schema=one');
    expect(a).toBe('hookline_due_one');
    expect(channelName('postgres://h/db')).toBe('hookline_due');
    expect(channelName(`postgres://h/db?schema=${'x'.repeat(63)}`).length).toBeLessThanOrEqual(63);
  });
});
