// What hookline's outbox rows cost on PostgreSQL, for capacity planning (docs/deployment.md):
//
//   node --import tsx bench/row-sizes.ts [--url postgres://postgres@127.0.0.1:5432/test] [--schema capacity_tmp]
//                                        [--events 20000] [--webhooks 4]
//
// In a scratch schema (created here, refused if it exists, dropped at the end) it publishes --events
// sample `booking.scheduled` events to --webhooks webhooks with publishEvent, claims every delivery
// with the worker's claimForWebhook, records one successful attempt per delivery with settle()
// (fabricated outcomes: no HTTP is sent), adds one failed attempt with a 1 KB response excerpt for
// each of the first --events deliveries, and lets retention (pruneOnce) delete it all. It prints the
// bytes per row of events, deliveries and attempts (heap, TOAST, indexes) as written, after VACUUM
// and after VACUUM FULL, and the WAL written per step. WAL is counted for the whole server: run it
// while nothing else writes there.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { bootstrap } from '../src/accounts/service.js';
import { openContext } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { pruneOnce } from '../src/delivery/retention.js';
import { claimForWebhook, settle, type ClaimedDelivery, type Settlement } from '../src/delivery/store.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import { createWebhook } from '../src/webhooks/service.js';

const { values: flags } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    schema: { type: 'string', default: 'capacity_tmp' },
    events: { type: 'string', default: '20000' },
    webhooks: { type: 'string', default: '4' },
  },
});
const EVENTS = Number(flags.events);
const WEBHOOKS = Number(flags.webhooks);
const SCHEMA = flags.schema;
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA)) throw new Error(`--schema must be a lowercase identifier, got '${SCHEMA}'`);
const TABLES = ['events', 'deliveries', 'attempts'] as const;
const LEASE = 'WRK-ROWSIZES0';

const admin = new pg.Client({ connectionString: flags.url });
await admin.connect();
const exists = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [SCHEMA]);
if (exists.rowCount) throw new Error(`schema ${SCHEMA} exists already: pick another with --schema, this script drops it at the end`);

const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await admin.query<T>(sql, params)).rows;
const walLsn = async () => (await q<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn'))[0]!.lsn;
const walSince = async (from: string) => Number((await q<{ b: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS b', [from]))[0]!.b);
const others = async () =>
  Number((await q<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))[0]!.n);

interface Size { rows: number; heap: number; toast: number; indexes: number; total: number }
async function sizes(): Promise<Record<string, Size>> {
  const out: Record<string, Size> = {};
  for (const t of TABLES) {
    const rel = `${SCHEMA}.${t}`;
    const [r] = await q<{ rows: string; heap: string; toast: string; indexes: string; total: string }>(
      `SELECT (SELECT count(*) FROM ${rel}) AS rows, pg_relation_size($1) AS heap, pg_table_size($1) - pg_relation_size($1) AS toast,
              pg_indexes_size($1) AS indexes, pg_total_relation_size($1) AS total`,
      [rel],
    );
    out[t] = { rows: Number(r!.rows), heap: Number(r!.heap), toast: Number(r!.toast), indexes: Number(r!.indexes), total: Number(r!.total) };
  }
  return out;
}
function report(title: string, s: Record<string, Size>) {
  console.log(`\n${title}`);
  console.log('table       rows      heap B/row  toast B/row  index B/row  total B/row');
  for (const t of TABLES) {
    const { rows, heap, toast, indexes, total } = s[t]!;
    const per = (b: number) => (rows === 0 ? '-' : (b / rows).toFixed(0)).padStart(11);
    console.log(`${t.padEnd(10)}${String(rows).padStart(6)}  ${per(heap)}  ${per(toast)}  ${per(indexes)}  ${per(total)}`);
  }
}

const config = loadConfig({
  HOOKLINE_DATABASE: `${flags.url}${flags.url.includes('?') ? '&' : '?'}schema=${SCHEMA}`,
  HOOKLINE_SECRET_KEY: randomBytes(32).toString('base64'),
  HOOKLINE_API_KEY: `hkl_rowsizes_${randomBytes(12).toString('hex')}`,
  HOOKLINE_LOG_LEVEL: 'warn',
});
const ctx = await openContext(config, { role: 'worker' });
try {
  await bootstrap(ctx);
  const accountId = (await ctx.db.get<{ id: string }>('SELECT id FROM accounts LIMIT 1'))!.id;
  const webhookIds: string[] = [];
  for (let i = 0; i < WEBHOOKS; i++) {
    webhookIds.push((await createWebhook(ctx, accountId, { name: `row sizes ${i}`, url: `https://receiver.example/hooks/${i}`, events: ['booking'] })).id);
  }
  const wal: Record<string, number> = {};
  const busy: number[] = [];

  // Publish, 8 at a time, as an API process serves several requests at once.
  let from = await walLsn();
  let bodyBytes = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < EVENTS; i = next++) {
        const { body } = await publishEvent(ctx, { accountId, type: 'booking.scheduled', data: sampleData('booking.scheduled', Date.now()) });
        bodyBytes += Buffer.byteLength(body);
      }
    }),
  );
  wal.publish = await walSince(from);
  busy.push(await others());

  // Claim every delivery as a worker does (per webhook, a few rounds of its concurrency at a time).
  from = await walLsn();
  const claimed: ClaimedDelivery[] = [];
  let claims = 0;
  for (const webhookId of webhookIds) {
    for (;;) {
      const now = Date.now();
      const batch = await claimForWebhook(ctx.db, { webhookId, now, limit: 128, lease: LEASE, leaseUntil: now + 90_000 });
      claims++;
      claimed.push(...batch);
      if (batch.length < 128) break;
    }
  }
  wal.claim = await walSince(from);
  busy.push(await others());

  // Record one successful attempt per delivery, 512 per settle transaction as the dispatcher does.
  const settleAll = async (settlements: Settlement[]) => {
    for (let i = 0; i < settlements.length; i += 512) await settle(ctx.db, settlements.slice(i, i + 512), Date.now());
  };
  from = await walLsn();
  await settleAll(
    claimed.map((d) => ({
      deliveryId: d.id, webhookId: d.webhook_id, lease: LEASE, attemptedAt: Date.now(),
      outcome: { ok: true, statusCode: 200, responseExcerpt: 'ok', durationMs: 40 },
      decision: { state: 'succeeded', nextAttemptAt: null },
    })),
  );
  wal.settle = await walSince(from);
  busy.push(await others());

  report(`As written: ${EVENTS} events (body ${Math.round(bodyBytes / EVENTS)} B on average) x ${WEBHOOKS} webhooks, ${claims} claims, one attempt per delivery`, await sizes());
  await q(`VACUUM (ANALYZE) ${TABLES.map((t) => `${SCHEMA}.${t}`).join(', ')}`);
  report('After VACUUM (dead row versions reusable, files not shrunk)', await sizes());
  await q(`VACUUM FULL ${TABLES.map((t) => `${SCHEMA}.${t}`).join(', ')}`);
  const compact = await sizes();
  report('After VACUUM FULL (live rows only, freshly packed)', compact);

  // Failed attempts: a receiver's 1 KB error page as the excerpt. The lease matches no delivery,
  // so only the attempt rows are added (the deliveries stay as they are).
  const excerpt = `<html><head><title>503 Service Unavailable</title></head><body>${'upstream connect error or disconnect/reset before headers. '.repeat(20)}`.slice(0, 1024);
  from = await walLsn();
  await settleAll(
    claimed.slice(0, EVENTS).map((d) => ({
      deliveryId: d.id, webhookId: d.webhook_id, lease: 'WRK-NOTHELD', attemptedAt: Date.now(),
      outcome: { ok: false, statusCode: 503, errorKind: 'http_status', errorMessage: 'the receiver answered 503', responseExcerpt: excerpt, durationMs: 40 },
      decision: { state: 'pending', nextAttemptAt: Date.now() + 300_000 },
    })),
  );
  const failedWal = await walSince(from);
  const after = (await sizes()).attempts!;
  const added = after.rows - compact.attempts!.rows;
  console.log(`\nFailed attempts with a 1 KB excerpt: ${added} rows, ${((after.total - compact.attempts!.total) / added).toFixed(0)} B/row in all (heap ${((after.heap - compact.attempts!.heap) / added).toFixed(0)}, indexes ${((after.indexes - compact.attempts!.indexes) / added).toFixed(0)})`);

  // Retention as hookline runs it (row by row, events first with their deliveries and attempts by
  // cascade), with a cutoff after every row: what DROP PARTITION would avoid.
  from = await walLsn();
  const t0 = performance.now();
  const pruned = await pruneOnce(ctx, -60_000);
  const pruneMs = performance.now() - t0;
  const pruneWal = await walSince(from);
  busy.push(await others());

  const deliveries = EVENTS * WEBHOOKS;
  console.log('\nWAL written (whole server)');
  console.log(`publish  ${(wal.publish! / EVENTS).toFixed(0)} B per event (${(wal.publish! / deliveries).toFixed(0)} B per delivery)`);
  console.log(`claim    ${(wal.claim! / deliveries).toFixed(0)} B per delivery (${claims} claim transactions)`);
  console.log(`settle   ${(wal.settle! / deliveries).toFixed(0)} B per successful attempt (${Math.ceil(deliveries / 512)} settle transactions)`);
  console.log(`failed   ${(failedWal / EVENTS).toFixed(0)} B per failed attempt with a 1 KB excerpt (attempt row only)`);
  console.log(`prune    ${(pruneWal / pruned.events).toFixed(0)} B per event deleted with its ${WEBHOOKS} deliveries and their attempts (${pruned.events} events in ${(pruneMs / 1000).toFixed(1)} s)`);
  console.log(`other sessions running a statement at the end of each step: ${busy.join(', ')} (anything but 0: run again when the server is quiet)`);
} finally {
  await ctx.db.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
}
