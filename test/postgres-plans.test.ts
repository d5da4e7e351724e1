// The delivery pipeline's statements on PostgreSQL read what they need by index, however many
// rows the tables hold. Recording a batch of attempts: each statement settle() runs is planned
// (EXPLAIN) over 20,000 deliveries with 40,000 attempts, and no plan may read a whole table (it did:
// the planner takes a JSON batch for 100 rows, and joined it to a hash of every delivery, 2 ms a
// batch at 12,000). A claim in a backlog reads the deliveries it takes, not the whole backlog (it
// read and sorted all of a webhook's due deliveries: 3,628 to take 16).
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import type { AppContext } from '../src/context.js';
import { claimForWebhooks, settle, type Settlement } from '../src/delivery/store.js';
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

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows'?: number; Plans?: PlanNode[] };
const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
const scans = (node: PlanNode): string[] => [
  ...(node['Node Type'] === 'Seq Scan' ? [node['Relation Name']!] : []),
  ...(node.Plans ?? []).flatMap(scans),
];

/** A fresh context with an account, a webhook subscribed to bookings and one event published to it. */
async function oneWebhookAndEvent(accountName: string) {
  ctx = await openTestContext();
  const { account } = await createAccount(ctx, accountName);
  const webhook = await createWebhook(ctx, account.id, { name: 'w', url: 'https://receiver.example/h', events: ['booking'] });
  const event = await publishEvent(ctx, { accountId: account.id, type: 'booking.scheduled', data: sampleData('booking.scheduled', ctx.clock.now()) });
  return { db: ctx.db, account, webhook, event, now: ctx.clock.now() };
}

describe('the delivery pipeline on PostgreSQL', () => {
  it('records attempts reading deliveries and attempts by index, with 20,000 deliveries in the table', async () => {
    const { db, account, webhook, event, now } = await oneWebhookAndEvent('plans');
    await db.run(
      `INSERT INTO deliveries (id, event_id, webhook_id, account_id, state, attempt_count, next_attempt_at, lease, created_at, updated_at)
       SELECT 'DLV-FILL' || g, ?, ?, ?, 'succeeded', 1, NULL, NULL, ?, ? FROM generate_series(1, 20000) g`,
      [event.id, webhook.id, account.id, now, now],
    );
    await db.run(
      `INSERT INTO attempts (id, delivery_id, webhook_id, attempted_at, duration_ms, status_code)
       SELECT 'ATT-FILL' || g, 'DLV-FILL' || (1 + g % 20000), ?, ?, 3, 200 FROM generate_series(1, 40000) g`,
      [webhook.id, now],
    );
    await db.exec('ANALYZE deliveries; ANALYZE attempts');
    const leased = await db.all<{ id: string }>("UPDATE deliveries SET lease = 'WRK-PLANS' WHERE event_id = ? AND id NOT LIKE 'DLV-FILL%' RETURNING id", [event.id]);
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
      await settle(noting(db, seen), settlements, now, { again });
      const reads = seen.filter(({ sql }) => /\b(deliveries|attempts)\b/.test(sql));
      expect(reads.length).toBeGreaterThanOrEqual(2); // the attempts' insert and the deliveries' update
      for (const { sql, params } of reads) {
        const [row] = await db.all<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        const wholeTables = scans(row!['QUERY PLAN'][0].Plan).filter((t) => t === 'deliveries' || t === 'attempts');
        expect(wholeTables, `${again ? 'again: ' : ''}${sql.replace(/\s+/g, ' ').slice(0, 80)}`).toEqual([]);
      }
    }
    // And it recorded what it was given: the leased delivery moved on, one attempt each, none twice.
    const recorded = await db.all<{ n: number }>("SELECT COUNT(*) AS n FROM attempts WHERE id NOT LIKE 'ATT-FILL%'");
    expect(Number(recorded[0]!.n)).toBe(3);
    const moved = await db.get<{ state: string; lease: string | null }>('SELECT state, lease FROM deliveries WHERE id = ?', [leased[0]!.id]);
    expect(moved).toEqual({ state: 'succeeded', lease: null });
  });

  it('claims in a backlog reading only the deliveries it takes, not the whole backlog', async () => {
    const { db, account, webhook, event, now } = await oneWebhookAndEvent('claim-plans');
    // 5,000 due at the same moment, as a burst or a backlog let go at once leaves them: oldest first is by seq.
    await db.run(
      `INSERT INTO deliveries (id, event_id, webhook_id, account_id, state, attempt_count, next_attempt_at, lease, created_at, updated_at)
       SELECT 'DLV-BACKLOG' || g, ?, ?, ?, 'pending', 0, ?, NULL, ?, ? FROM generate_series(1, 5000) g`,
      [event.id, webhook.id, account.id, now - 1_000, now, now],
    );
    await db.exec('ANALYZE deliveries');
    const req = { webhookId: webhook.id, now, limit: 16, lease: 'WRK-PLANS', leaseUntil: now + 60_000 };
    const seen: { sql: string; params: readonly SqlValue[] }[] = [];
    const [first] = await claimForWebhooks(noting(db, seen), [req]);
    expect(first).toHaveLength(16);
    const claim = seen.find(({ sql }) => /UPDATE deliveries/.test(sql))!;
    const plan = await db
      .transaction(async (tx) => {
        const [row] = await tx.all<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${claim.sql}`, claim.params);
        throw Object.assign(new Error('roll back the explained claim'), { plan: row!['QUERY PLAN'][0].Plan });
      })
      .catch((err: { plan?: PlanNode }) => err.plan!);
    const backlogReads = nodes(plan).filter((n) => n['Relation Name'] === 'deliveries' && n['Index Name'] === 'deliveries_webhook_due');
    expect(backlogReads).toHaveLength(1);
    expect(backlogReads[0]!['Actual Rows']).toBeLessThanOrEqual(2 * req.limit);
    expect(nodes(plan).filter((n) => /Sort/.test(n['Node Type']))).toEqual([]);
  });
});
