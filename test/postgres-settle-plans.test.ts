// Recording a batch of attempts on PostgreSQL reads the deliveries and attempts it needs by index,
// however many the tables hold: each statement settle() runs is planned (EXPLAIN) over 20,000
// deliveries with 40,000 attempts, and no plan may read a whole table. (It did: the planner takes
// a JSON batch for 100 rows, and joined it to a hash of every delivery, 2 ms a batch at 12,000.)
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import type { AppContext } from '../src/context.js';
import { settle, type Settlement } from '../src/delivery/store.js';
import { publishEvent } from '../src/events/publish.js';
import { sampleData } from '../src/events/samples.js';
import type { Db, SqlValue } from '../src/storage/db.js';
import { createWebhook } from '../src/webhooks/service.js';
import { openTestContext } from './support/hookline.js';

let ctx: AppContext | undefined;
afterEach(async () => {
  await ctx?.db.close();
});

/** A Db whose transactions note every statement they run. */
function noting(db: Db, seen: { sql: string; params: readonly SqlValue[] }[]): Db {
  const wrap = (tx: Db): Db => ({
    ...tx,
    all: (sql, params = []) => (seen.push({ sql, params }), tx.all(sql, params)),
    get: (sql, params = []) => (seen.push({ sql, params }), tx.get(sql, params)),
    run: (sql, params = []) => (seen.push({ sql, params }), tx.run(sql, params)),
    transaction: (fn) => tx.transaction((inner) => fn(wrap(inner))),
  });
  return wrap(db);
}

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] };
const scans = (node: PlanNode): string[] => [
  ...(node['Node Type'] === 'Seq Scan' ? [node['Relation Name']!] : []),
  ...(node.Plans ?? []).flatMap(scans),
];

describe('settling attempts on PostgreSQL', () => {
  it('reads deliveries and attempts by index, with 20,000 deliveries in the table', async () => {
    ctx = await openTestContext();
    const { account } = await createAccount(ctx, 'plans');
    const webhook = await createWebhook(ctx, account.id, { name: 'w', url: 'https://receiver.example/h', events: ['booking'] });
    const event = await publishEvent(ctx, { accountId: account.id, type: 'booking.scheduled', data: sampleData('booking.scheduled', ctx.clock.now()) });
    const now = ctx.clock.now();
    await ctx.db.run(
      `INSERT INTO deliveries (id, event_id, webhook_id, account_id, state, attempt_count, next_attempt_at, lease, created_at, updated_at)
       SELECT 'DLV-FILL' || g, ?, ?, ?, 'succeeded', 1, NULL, NULL, ?, ? FROM generate_series(1, 20000) g`,
      [event.id, webhook.id, account.id, now, now],
    );
    await ctx.db.run(
      `INSERT INTO attempts (id, delivery_id, webhook_id, attempted_at, duration_ms, status_code)
       SELECT 'ATT-FILL' || g, 'DLV-FILL' || (1 + g % 20000), ?, ?, 3, 200 FROM generate_series(1, 40000) g`,
      [webhook.id, now],
    );
    await ctx.db.exec('ANALYZE deliveries; ANALYZE attempts');
    const leased = await ctx.db.all<{ id: string }>("UPDATE deliveries SET lease = 'WRK-PLANS' WHERE event_id = ? AND id NOT LIKE 'DLV-FILL%' RETURNING id", [event.id]);
    const settlements: Settlement[] = ['DLV-FILL7', 'DLV-FILL19000', leased[0]!.id].map((deliveryId, i) => ({
      attemptId: `ATT-PLANS${i}`, // the same when written again, as after a failed write
      deliveryId,
      webhookId: webhook.id,
      lease: deliveryId.startsWith('DLV-FILL') ? null : 'WRK-PLANS',
      attemptedAt: now,
      outcome: { ok: true, statusCode: 200, durationMs: 4, responseExcerpt: 'ok' },
      decision: { state: 'succeeded', nextAttemptAt: null },
    }));

    for (const again of [false, true]) {
      const seen: { sql: string; params: readonly SqlValue[] }[] = [];
      await settle(noting(ctx.db, seen), settlements, now, { again });
      const reads = seen.filter(({ sql }) => /\b(deliveries|attempts)\b/.test(sql));
      expect(reads.length).toBeGreaterThanOrEqual(2); // the attempts' insert and the deliveries' update
      for (const { sql, params } of reads) {
        const [row] = await ctx.db.all<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        const wholeTables = scans(row!['QUERY PLAN'][0].Plan).filter((t) => t === 'deliveries' || t === 'attempts');
        expect(wholeTables, `${again ? 'again: ' : ''}${sql.replace(/\s+/g, ' ').slice(0, 80)}`).toEqual([]);
      }
    }
    // And it recorded what it was given: the leased delivery moved on, one attempt each, none twice.
    const recorded = await ctx.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM attempts WHERE id NOT LIKE 'ATT-FILL%'");
    expect(Number(recorded[0]!.n)).toBe(3);
    const moved = await ctx.db.get<{ state: string; lease: string | null }>('SELECT state, lease FROM deliveries WHERE id = ?', [leased[0]!.id]);
    expect(moved).toEqual({ state: 'succeeded', lease: null });
  });
});
