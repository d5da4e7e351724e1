// The event stream on PostgreSQL, where transactions commit side by side: an event whose transaction
// commits after a later one's is neither skipped nor sent twice, a rolled-back one never appears, and
// transactions that do not write this installation's events (readers, another schema's) do not hold it back.
// `hookline listen` against split roles: one API process serves what others recorded.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { processEnv, startCli } from './support/cli.js';
import { connectPostgres } from './support/database.js';
import { firstAccountId, publish, sleep } from './support/delivery.js';
import { call, startServer, TEST_API_KEY, tempDir, type TestServer } from './support/hookline.js';
import { startListen, startLocalReceiver } from './support/listen.js';
import { openStream, type SseClient } from './support/sse.js';
import { stopStartedAfterEach } from './support/teardown.js';

const KEY = { 'API-Key': TEST_API_KEY };
const idsOf = (s: SseClient) => s.events().map((e) => JSON.parse(e.data).id as string);

describe('the event stream on PostgreSQL', () => {
  let server: TestServer;
  let other: AppContext; // a second process's worth of hookline on the same database
  let accountId: string;

  beforeAll(async () => {
    server = await startServer({ env: { HOOKLINE_STREAM_POLL_MS: '50' } });
    other = await openContext(loadConfig({ ...server.env, HOOKLINE_LOG_LEVEL: 'silent' }));
    accountId = await firstAccountId(server);
  });
  afterAll(async () => {
    await other.db.close();
    await server.stop();
  });

  /** Publishes an event in a transaction that stays open until the returned function is called with commit or rollback. */
  async function openTransactionWithEvent(): Promise<{ id: string; finish(how: 'commit' | 'rollback'): Promise<void> }> {
    let finish!: (how: 'commit' | 'rollback') => void;
    const decided = new Promise<'commit' | 'rollback'>((resolve) => (finish = resolve));
    let published!: (id: string) => void;
    const id = new Promise<string>((resolve) => (published = resolve));
    const transaction = other.db
      .transaction(async (tx) => {
        const event = await publishEvent(other, { accountId, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) }, tx);
        published(event.id);
        if ((await decided) === 'rollback') throw new Error('rolled back on purpose');
      })
      .catch((err: Error) => {
        if (err.message !== 'rolled back on purpose') throw err;
      });
    return {
      id: await id,
      finish: async (how) => {
        finish(how);
        await transaction;
      },
    };
  }

  const seqOf = async (id: string) => (await server.running.ctx.db.get<{ seq: number }>('SELECT seq FROM events WHERE id = ?', [id]))!.seq;

  it('holds a later event back while an earlier one is uncommitted, then sends both, in order, once', async () => {
    const stream = await openStream(server.url, '', KEY);
    const early = await openTransactionWithEvent();
    const late = await publish(server, 'booking.canceled'); // takes the next seq and commits first
    await sleep(1_500);
    expect(idsOf(stream)).toEqual([]); // a reader that took `late` now would never see `early`

    await early.finish('commit');
    expect(await seqOf(early.id)).toBeLessThan(await seqOf(late));
    await stream.waitForEvents(2);
    await sleep(500);
    expect(idsOf(stream)).toEqual([early.id, late]);

    // Resuming from the last cursor brings nothing again.
    const resumed = await openStream(server.url, '', { ...KEY, 'Last-Event-ID': stream.events()[1]!.id! });
    const after = await publish(server, 'booking.completed');
    await resumed.waitForEvents(1);
    await sleep(500);
    expect(idsOf(resumed)).toEqual([after]);
    stream.close();
    resumed.close();
  });

  it('never sends an event whose transaction rolled back, and sends the ones after it', async () => {
    const stream = await openStream(server.url, '', KEY);
    const doomed = await openTransactionWithEvent();
    const kept = await publish(server, 'booking.rescheduled');
    await sleep(500);
    expect(idsOf(stream)).toEqual([]);
    await doomed.finish('rollback');
    await stream.waitForEvents(1);
    await sleep(500);
    expect(idsOf(stream)).toEqual([kept]);
    stream.close();
  });

  it("is not held back by a reader of the events left open, nor by another installation's writer (another schema)", async () => {
    const schema = `hl_unrelated_${Date.now()}`;
    const elsewhere = await connectPostgres();
    const reader = await connectPostgres(new URL(server.env.HOOKLINE_DATABASE!).searchParams.get('schema')!);
    try {
      await elsewhere.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.events (id text)`);
      await elsewhere.query('BEGIN');
      await elsewhere.query(`INSERT INTO ${schema}.events VALUES ('x')`); // a writer of another schema's events, kept open
      await reader.query('BEGIN');
      await reader.query('SELECT COUNT(*) FROM events'); // a reader of ours (a report, pg_dump), kept open
      const stream = await openStream(server.url, '', KEY);
      const id = await publish(server, 'booking.no_show');
      await stream.waitForEvents(1, 5_000);
      expect(idsOf(stream)).toEqual([id]);
      stream.close();
      await elsewhere.query('ROLLBACK');
      await reader.query('ROLLBACK');
    } finally {
      await elsewhere.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await elsewhere.end();
      await reader.end();
    }
  });
});

describe('a stream opened while a transaction writing events is open since the process began', () => {
  it('waits for it, answers 503 when it outlasts HOOKLINE_DATABASE_TIMEOUT_MS, and frees the place of a client that left meanwhile', async () => {
    const server = await startServer({ env: { HOOKLINE_STREAM_CONNECTIONS: '1', HOOKLINE_DATABASE_TIMEOUT_MS: '3000' } });
    const other = await openContext(loadConfig({ ...server.env, HOOKLINE_LOG_LEVEL: 'silent' }));
    try {
      const accountId = await firstAccountId(server);
      let finish!: () => void;
      const decided = new Promise<void>((resolve) => (finish = resolve));
      let began!: () => void;
      const open = new Promise<void>((resolve) => (began = resolve));
      const writer = other.db.transaction(async (tx) => {
        await publishEvent(other, { accountId, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) }, tx);
        began();
        await decided;
      });
      await open;

      const refused = await openStream(server.url, '', KEY); // the writer outlasts the database timeout
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ type: 'api_error' });

      // A client that gives up while its stream's start is still being worked out, which then comes.
      const gaveUp = http.get(`${server.url}/v2/events/stream`, { headers: KEY, agent: false });
      gaveUp.on('error', () => {});
      await sleep(300);
      gaveUp.destroy();
      await sleep(100);
      finish();
      await writer;
      await sleep(500);
      const stream = await openStream(server.url, '', KEY);
      expect(stream.status).toBe(200); // the one place is free: neither client above holds it
      stream.close();
    } finally {
      await other.db.close();
      await server.stop();
    }
  });
});

describe('hookline listen against split roles', { timeout: 120_000 }, () => {
  const started = stopStartedAfterEach();

  it('receives, from one API process, what another API process and a worker recorded', async () => {
    const env = processEnv(tempDir(), { HOOKLINE_STREAM_POLL_MS: '100' });
    const launch = async (role: string) => {
      const p = await startCli(env, 30_000, ['--role', role]);
      started.procs.push(p);
      return p;
    };
    const apiA = await launch('api');
    const apiB = await launch('api');
    await launch('worker');
    const rx = started.closeLater(await startLocalReceiver(), (r) => r.close());
    const listen = await startListen(['--forward-to', rx.url, '--api-base', apiA.url], { HOOKLINE_API_KEY: TEST_API_KEY });
    started.closeLater(listen, (l) => l.stop());

    const viaB = (method: string, path: string, body?: unknown) => call(apiB.url, method, path, body, KEY);
    const host = (await viaB('POST', '/v2/users', { first_name: 'Sam', email: 'sam@example.com' })).body.id;
    const calendar = (await viaB('POST', '/v2/booking-calendars', { host, name: 'Split' })).body.id;
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const booking = (await viaB('POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: start, booking_form: { name: 'G', email: 'g@example.com' } })).body.id;
    await rx.waitFor(1);

    // The booking's end comes: its timer is due now, and the worker fires it.
    const db = await connectPostgres(new URL(env.HOOKLINE_DATABASE!).searchParams.get('schema')!);
    try {
      await db.query(`UPDATE timers SET due_at = $1 WHERE kind = 'booking.completed' AND subject_id = $2`, [Date.now(), booking]);
    } finally {
      await db.end();
    }
    await rx.waitFor(2, 15_000);
    await sleep(500);
    expect(rx.received.map((r) => [JSON.parse(r.body).type, JSON.parse(r.body).data.id])).toEqual([
      ['booking.scheduled', booking],
      ['booking.completed', booking],
    ]);
    const stored = (await viaB('GET', '/v2/events?limit=10')).body.data.map((e: { id: string }) => e.id).reverse();
    expect(rx.received.map((r) => JSON.parse(r.body).id)).toEqual(stored);
  });
});
