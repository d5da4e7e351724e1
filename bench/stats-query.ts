// The cost of the delivery figures the account page shows (GET /v2/webhooks/{id}/stats and
// GET /v2/webhook-stats), on SQLite and PostgreSQL: one webhook with N attempts spread over 7 days,
// among M attempts of 9 other webhooks. The figures should follow N (that webhook's attempts in the
// range), not M (the size of the table). Wall time, this process's CPU time and, on PostgreSQL, the
// server backend's CPU time (/proc/<pid>/stat) per request, median of 5 after a warm-up; then the
// query plans.
//
//   npm run bench:stats                                # sqlite,postgres; N = 25,000 and 100,000; M = 0 and 400,000
//   npm run bench:stats -- --setups sqlite --sizes 100000:0,100000:400000
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock.js';
import type { AppContext } from '../src/context.js';
import { webhookStats, webhookSummaries } from '../src/stats/service.js';
import type { Db } from '../src/storage/db.js';
import { migrate } from '../src/storage/migrate.js';
import { openPostgres } from '../src/storage/postgres/connection.js';
import { openSqlite } from '../src/storage/sqlite/connection.js';
import { tempDir } from './harness.js';
import { printTable, round } from './stats.js';

const { values: args } = parseArgs({
  options: {
    setups: { type: 'string', default: 'sqlite,postgres' },
    sizes: { type: 'string', default: '25000:400000,100000:0,100000:400000' },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});

const DAY = 86_400_000;
const ACCOUNT = 'ACC-BENCHSTATS';
const TARGET = 'WHK-TARGET0000';

/** Rows made in SQL: i = 0 .. n-1 (a recursive CTE, the same text on both databases). */
const numbers = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;

/** One event and one delivery per 10 attempts; attempts spread evenly over the last 6.5 days (inside the 7-day range); every 10th failed. */
async function fill(db: Db, webhookId: string, attempts: number, now: number, tag: string): Promise<void> {
  const deliveries = Math.ceil(attempts / 10);
  await db.exec(`${numbers(deliveries)}
    INSERT INTO events (id, account_id, type, created_at, body)
    SELECT '${tag}-E' || i, '${ACCOUNT}', 'booking.scheduled', ${now - 7 * DAY}, '{}' FROM n`);
  await db.exec(`${numbers(deliveries)}
    INSERT INTO deliveries (id, event_id, webhook_id, account_id, state, attempt_count, next_attempt_at, lease, created_at, updated_at)
    SELECT '${tag}-D' || i, '${tag}-E' || i, '${webhookId}', '${ACCOUNT}', 'succeeded', 10, NULL, NULL, ${now - 7 * DAY}, ${now} FROM n`);
  await db.exec(`${numbers(attempts)}
    INSERT INTO attempts (id, delivery_id, webhook_id, attempted_at, duration_ms, status_code, error_kind, error_message, response_excerpt, next_retry_at)
    SELECT '${tag}-A' || i, '${tag}-D' || (i / 10), '${webhookId}', ${now} - 1 - (i * ${Math.floor((6.5 * DAY) / attempts)}),
           (i * 7919) % 500, CASE WHEN i % 10 = 0 THEN 500 ELSE 200 END, CASE WHEN i % 10 = 0 THEN 'http_status' ELSE NULL END, NULL, NULL, NULL
      FROM n`);
}

async function seed(db: Db, target: number, others: number, now: number): Promise<void> {
  await db.run('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)', [ACCOUNT, 'bench', now]);
  const ids = [TARGET, ...Array.from({ length: 9 }, (_, k) => `WHK-OTHER0000${k}`)];
  for (const id of ids) {
    await db.run(
      `INSERT INTO webhooks (id, account_id, name, name_key, url, events, secret_enc, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'https://receiver.invalid/', '["booking"]', 'x', 'enabled', ?, ?)`,
      [id, ACCOUNT, id, id.toLowerCase(), now, now],
    );
  }
  await fill(db, TARGET, target, now, 'T');
  for (let k = 0; k < 9 && others > 0; k++) await fill(db, ids[k + 1]!, Math.floor(others / 9), now, `O${k}`);
  if (db.dialect === 'postgres') await db.exec('ANALYZE');
}

/** CPU milliseconds the PostgreSQL backend of our one connection has used (utime + stime). */
function backendCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
}

async function measure(fn: () => Promise<unknown>, pid: number | undefined) {
  await fn();
  const runs: { wall: number; cpu: number; server: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const [t, c, s] = [performance.now(), process.cpuUsage(), backendCpuMs(pid)];
    await fn();
    const used = process.cpuUsage(c);
    runs.push({ wall: performance.now() - t, cpu: (used.user + used.system) / 1000, server: backendCpuMs(pid) - s });
  }
  const median = (pick: (r: (typeof runs)[number]) => number) => runs.map(pick).sort((a, b) => a - b)[2]!;
  return { wall: round(median((r) => r.wall)), cpu: round(median((r) => r.cpu)), server: round(median((r) => r.server)) };
}

async function open(setup: string, label: string): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (setup === 'sqlite') return { db: openSqlite(`${tempDir('hookline-bench-stats-')}/hookline.db`), drop: async () => {} };
  const schema = `bench_stats_${label}_${process.pid}`;
  const db = await openPostgres(`${args['postgres-url']}?schema=${schema}`, { poolSize: 1, onIdleError: () => {} });
  return { db, drop: async () => void (await db.exec(`DROP SCHEMA ${schema} CASCADE`)) };
}

const rows: (string | number)[][] = [['setup', 'N (target)', 'M (others)', 'request', 'wall ms', 'client CPU ms', 'server CPU ms']];
let plans = '';
for (const setup of args.setups.split(',')) {
  for (const size of args.sizes.split(',')) {
    const [target, others] = size.split(':').map(Number) as [number, number];
    const { db, drop } = await open(setup, `${target}_${others}`);
    try {
      const now = Date.now();
      await migrate(db, now);
      const seeded = performance.now();
      await seed(db, target, others, now);
      console.log(`${setup}: ${target} + ${others} attempts seeded in ${round((performance.now() - seeded) / 1000)} s`);
      const pid = setup === 'postgres' ? (await db.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid : undefined;
      const ctx = { db, clock: systemClock } as AppContext;
      const check = await webhookStats(ctx, ACCOUNT, TARGET, '7d');
      if (check.totals.attempts !== target) throw new Error(`expected ${target} attempts in 7 days, got ${check.totals.attempts}`);
      for (const [name, fn] of [
        ['stats 24h', () => webhookStats(ctx, ACCOUNT, TARGET, '24h')],
        ['stats 7d', () => webhookStats(ctx, ACCOUNT, TARGET, '7d')],
        ['summaries (10 webhooks)', () => webhookSummaries(ctx, ACCOUNT, { limit: 100 })],
      ] as const) {
        const m = await measure(fn, pid);
        rows.push([setup, target, others, name, m.wall, m.cpu, setup === 'postgres' ? m.server : '']);
      }
      if (target === 100_000 && others > 0) plans += `\n--- ${setup}: the 7-day query's plan ---\n${await plan(db, now)}\n`;
    } finally {
      await drop();
      await db.close();
    }
  }
}
printTable('Delivery figures: per request, median of 5', rows);
console.log(plans);

async function plan(db: Db, now: number): Promise<string> {
  const interval = 6 * 3_600_000;
  const to = Math.floor(now / interval) * interval + interval;
  const sql = `SELECT (attempted_at - CAST(? AS BIGINT)) / CAST(? AS BIGINT) AS bucket, duration_ms FROM attempts WHERE webhook_id = ? AND attempted_at >= ? AND attempted_at < ?`;
  const params = [to - 7 * DAY, interval, TARGET, to - 7 * DAY, to];
  if (db.dialect === 'sqlite') return (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('\n');
  return (await db.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');
}
