// SQL of the delivery pipeline: finding webhooks with due deliveries, claiming a webhook's due
// deliveries under a lease, renewing and giving back leases, and settling attempts in batches
// (with the webhooks' delivery health, delivery/health.ts). A webhook backing off (backoff_until
// in the future) is neither found due nor claimed.
import { newSortableId } from '../ids.js';
import { alsoByIndex, jsonRows, placeholders, type Db } from '../storage/db.js';
import type { AttemptOutcome } from './http-client.js';
import type { HealthState } from './health.js';
import type { Decision } from './outcome.js';

/** What sending one webhook's deliveries needs, read once per claim. */
export interface WebhookTarget {
  id: string;
  url: string;
  secret_enc: string;
  prev_secret_enc: string | null;
  prev_secret_expires_at: number | null;
  last_success_at: number | null;
  delivery_health: HealthState;
  health_since: number | null;
  backoff_until: number | null;
}

export interface ClaimedDelivery {
  id: string;
  /** Its place in publishing order. */
  seq: number;
  event_id: string;
  webhook_id: string;
  attempt_count: number;
  created_at: number;
  body: string;
  target: WebhookTarget;
}

export interface PendingScan {
  /** Enabled webhooks with deliveries due by `now`. */
  due: string[];
  /** When the next pending delivery of an enabled webhook comes due after `now`; null when none will. */
  nextAt: number | null;
}

/**
 * Looks over the webhooks that have pending deliveries. They are found by skipping through the
 * index of pending deliveries from one webhook to the next (a loose index scan), so a look costs
 * a few index probes per webhook with pending deliveries: webhooks with nothing pending, however
 * many, and deliveries behind the first of each webhook cost nothing.
 */
export async function scanPending(db: Db, now: number): Promise<PendingScan> {
  const rows = await db.all<{ id: string; due: boolean | number; next_at: number | null; backoff_until: number | null }>(
    `WITH RECURSIVE pending(id) AS (
       SELECT MIN(webhook_id) FROM deliveries WHERE state = 'pending'
       UNION ALL
       SELECT (SELECT MIN(d.webhook_id) FROM deliveries d WHERE d.state = 'pending' AND d.webhook_id > p.id) FROM pending p WHERE p.id IS NOT NULL
     )
     SELECT p.id, w.backoff_until,
            EXISTS (SELECT 1 FROM deliveries d WHERE d.webhook_id = p.id AND d.state = 'pending' AND d.next_attempt_at <= ?) AS due,
            (SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE d.webhook_id = p.id AND d.state = 'pending' AND d.next_attempt_at > ?) AS next_at
       FROM pending p JOIN webhooks w ON w.id = p.id
      WHERE w.status = 'enabled'`,
    [now, now],
  );
  // A webhook backing off is due again when its backoff ends.
  for (const r of rows) {
    if (r.backoff_until === null || r.backoff_until <= now) continue;
    r.next_at = r.due ? r.backoff_until : Math.max(r.next_at ?? r.backoff_until, r.backoff_until);
    r.due = false;
  }
  const later = rows.map((r) => r.next_at).filter((t): t is number => t !== null);
  return { due: rows.filter((r) => Boolean(r.due)).map((r) => r.id), nextAt: later.length > 0 ? Math.min(...later) : null };
}

export interface ClaimRequest {
  webhookId: string;
  now: number;
  limit: number;
  lease: string;
  leaseUntil: number;
}

/**
 * Leases up to `limit` of one enabled webhook's due deliveries, oldest due first: their
 * next_attempt_at moves to the lease's end, so if this process dies they come due again.
 * Where transactions run side by side (PostgreSQL), the rows chosen are locked and rows another
 * worker's claim holds are passed over, so two workers never take the same delivery.
 */
export async function claimForWebhook(db: Db, req: ClaimRequest): Promise<ClaimedDelivery[]> {
  return (await claimForWebhooks(db, [req]))[0]!;
}

/**
 * Several webhooks' claims (an event fanned out to them, say), the answer in the order asked: on
 * SQLite in one transaction, one commit for all; on PostgreSQL in one statement. If it fails, it may
 * have gone through all the same (a commit whose answer was lost): the caller gives them back.
 */
export async function claimForWebhooks(db: Db, reqs: readonly ClaimRequest[]): Promise<ClaimedDelivery[][]> {
  if (db.dialect === 'postgres') return claimInOneStatement(db, reqs);
  return db.transaction(async (tx) => {
    const out: ClaimedDelivery[][] = [];
    for (const req of reqs) out.push(await claimInTransaction(tx, req));
    return out;
  });
}

async function claimInTransaction(tx: Db, req: ClaimRequest): Promise<ClaimedDelivery[]> {
  const target = await tx.get<WebhookTarget>(`SELECT ${TARGET_COLUMNS} FROM webhooks WHERE ${CLAIMABLE}`, [req.webhookId, req.now]);
  if (!target) return [];
  const rows = await tx.all<Omit<ClaimedDelivery, 'target'>>(
    `UPDATE deliveries SET next_attempt_at = ?, lease = ?
      WHERE seq IN (SELECT seq FROM deliveries
                     WHERE webhook_id = ? AND state = 'pending' AND next_attempt_at <= ?
                     ORDER BY next_attempt_at, seq LIMIT ?)
      RETURNING ${CLAIMED_COLUMNS}`,
    [req.leaseUntil, req.lease, req.webhookId, req.now, req.limit],
  );
  return inPublishOrder(rows).map((r) => ({ ...r, target }));
}

export const TARGET_COLUMNS = 'id, url, secret_enc, prev_secret_enc, prev_secret_expires_at, last_success_at, delivery_health, health_since, backoff_until';
/** The webhook of a claim: enabled, and not backing off. */
const CLAIMABLE = "id = ? AND status = 'enabled' AND (backoff_until IS NULL OR backoff_until <= ?)";
const CLAIMED_COLUMNS = 'id, seq, event_id, webhook_id, attempt_count, created_at, (SELECT body FROM events e WHERE e.id = deliveries.event_id) AS body';

/**
 * A webhook's claimed deliveries in the order their events were published (RETURNING follows no
 * ORDER BY), so they start in that order: one published before another in a transaction (a rebooking's
 * cancel before the new booking) is sent first.
 */
const inPublishOrder = <T extends { seq: number }>(rows: T[]) => rows.sort((a, b) => Number(a.seq) - Number(b.seq));

/**
 * The claims on PostgreSQL: one statement, so one round trip for a whole batch where a transaction
 * would take four per webhook (in live traffic a claim often takes a single delivery, so this is
 * most of a worker's statements). Per webhook, its oldest due deliveries up to its limit, passing
 * over those another worker's claim has locked.
 */
async function claimInOneStatement(db: Db, reqs: readonly ClaimRequest[]): Promise<ClaimedDelivery[][]> {
  const lease = reqs[0]!.lease;
  if (reqs.some((r) => r.lease !== lease)) throw new Error('one claim statement takes one lease');
  const rows = await db.all<Omit<ClaimedDelivery, 'target'> & { target: string }>(
    `WITH req AS (SELECT value->>'w' AS webhook_id, CAST(value->>'n' AS int) AS n, CAST(value->>'t' AS bigint) AS now,
                         CAST(value->>'u' AS bigint) AS until
                    FROM json_array_elements(CAST(? AS json))),
     target AS (SELECT ${TARGET_COLUMNS.split(', ').map((c) => `w.${c}`).join(', ')}
                  FROM webhooks w JOIN req r ON r.webhook_id = w.id
                 WHERE w.status = 'enabled' AND (w.backoff_until IS NULL OR w.backoff_until <= r.now)),
     picked AS (SELECT d.id AS delivery_id, r.until
                  FROM target t JOIN req r ON r.webhook_id = t.id
                  CROSS JOIN LATERAL (SELECT d.id FROM deliveries d
                                       WHERE d.webhook_id = t.id AND d.state = 'pending' AND d.next_attempt_at <= r.now
                                       ORDER BY d.next_attempt_at, d.seq LIMIT r.n FOR UPDATE OF d SKIP LOCKED) d),
     claimed AS (
       UPDATE deliveries SET next_attempt_at = picked.until, lease = ? FROM picked WHERE deliveries.id = picked.delivery_id
        RETURNING ${CLAIMED_COLUMNS})
     SELECT claimed.*, row_to_json(target)::text AS target FROM claimed JOIN target ON target.id = claimed.webhook_id`,
    [JSON.stringify(reqs.map((r) => ({ w: r.webhookId, n: r.limit, t: r.now, u: r.leaseUntil }))), lease],
  );
  const byWebhook = new Map<string, ClaimedDelivery[]>();
  for (const { target, ...r } of rows) {
    const list = byWebhook.get(r.webhook_id) ?? [];
    list.push({ ...r, target: JSON.parse(target) as WebhookTarget });
    byWebhook.set(r.webhook_id, list);
  }
  return reqs.map((r) => inPublishOrder(byWebhook.get(r.webhookId) ?? []));
}

export interface Settlement {
  deliveryId: string;
  webhookId: string;
  lease: string | null;
  attemptedAt: number;
  outcome: AttemptOutcome;
  decision: Decision;
  /** The attempt's id, when a batch may be written again (see settle); else made here. */
  attemptId?: string;
}

/**
 * Records attempts and moves their deliveries on, all in one transaction of a few statements
 * whatever the batch size: the batch goes in as one JSON parameter that each statement reads as
 * rows. (A round trip per attempt is what made recording the bottleneck on PostgreSQL.)
 * `again`: the batch is being written again after a failure that may have come after its COMMIT
 * went through (the answer was lost with the connection); attempts already recorded under their
 * ids are not recorded twice, and their deliveries, no longer leased, are not moved twice.
 */
export interface HealthRecord {
  webhookId: string;
  state: HealthState;
  since: number;
  backoffUntil: number | null;
}

export async function settle(db: Db, settlements: Settlement[], now: number, options: { again?: boolean; health?: HealthRecord[] } = {}): Promise<void> {
  if (settlements.length === 0 && !options.health?.length) return;
  const rows = JSON.stringify(
    settlements.map(({ deliveryId, webhookId, lease, attemptedAt, outcome, decision, attemptId }) => ({
      a: attemptId ?? newSortableId('ATT'), d: deliveryId, w: webhookId, l: lease, t: attemptedAt, ms: outcome.durationMs,
      c: outcome.statusCode ?? null, k: outcome.errorKind ?? null, m: outcome.errorMessage ?? null,
      x: outcome.responseExcerpt ?? null, n: decision.nextAttemptAt, s: decision.state,
    })),
  );
  await db.transaction(async (tx) => {
    const batch = jsonRows(tx);
    // The delivery is gone when its webhook was deleted during the attempt: then there is nothing to record.
    await tx.run(
      `WITH v AS (SELECT value->>'a' AS id, value->>'d' AS delivery_id, value->>'w' AS webhook_id, CAST(value->>'t' AS BIGINT) AS attempted_at,
                         CAST(value->>'ms' AS INTEGER) AS duration_ms, CAST(value->>'c' AS INTEGER) AS status_code, value->>'k' AS error_kind,
                         value->>'m' AS error_message, value->>'x' AS response_excerpt, CAST(value->>'n' AS BIGINT) AS next_retry_at
                    FROM ${batch})
       INSERT INTO attempts (id, delivery_id, webhook_id, attempted_at, duration_ms, status_code, error_kind, error_message, response_excerpt, next_retry_at)
       SELECT id, delivery_id, webhook_id, attempted_at, duration_ms, status_code, error_kind, error_message, response_excerpt, next_retry_at
         FROM v WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.id = v.delivery_id${alsoByIndex(tx, 'd.id', 'SELECT delivery_id FROM v')})${
           options.again
             ? ` AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = v.delivery_id AND a.id = v.id${alsoByIndex(tx, 'a.delivery_id', 'SELECT delivery_id FROM v')})`
             : ''
         }`,
      [rows],
    );
    // Only the lease holder moves a delivery on (a test send holds none: its lease is null).
    await tx.run(
      `WITH v AS (SELECT value->>'d' AS id, value->>'l' AS lease, value->>'s' AS state, CAST(value->>'n' AS BIGINT) AS next_at FROM ${batch})
       UPDATE deliveries SET state = v.state, attempt_count = attempt_count + 1, next_attempt_at = v.next_at, lease = NULL, updated_at = ?
         FROM v WHERE deliveries.id = v.id${alsoByIndex(tx, 'deliveries.id', 'SELECT id FROM v')} AND deliveries.lease IS NOT DISTINCT FROM v.lease`,
      [rows, now],
    );
    const succeeded = [...new Set(settlements.filter((s) => s.outcome.ok).map((s) => s.webhookId))];
    if (succeeded.length > 0) {
      await tx.run(`UPDATE webhooks SET last_success_at = ? WHERE id IN (${placeholders(succeeded.length)})`, [now, ...succeeded]);
    }
    for (const h of options.health ?? []) {
      await tx.run('UPDATE webhooks SET delivery_health = ?, health_since = ?, backoff_until = ? WHERE id = ?', [h.state, h.since, h.backoffUntil, h.webhookId]);
    }
    for (const s of settlements) if (s.decision.disable) await disableWebhook(tx, s.webhookId, s.decision.disable, now);
    // A retry scheduled for a webhook that is disabled by now (by this batch or by its owner) is skipped instead.
    await skipWhileDisabled(tx, [...new Set(settlements.map((s) => s.webhookId))], now);
  });
}

export async function disableWebhook(db: Db, webhookId: string, reason: string, now: number): Promise<void> {
  await db.run(
    "UPDATE webhooks SET status = 'disabled', disabled_reason = ?, disabled_at = ?, updated_at = ? WHERE id = ? AND status = 'enabled'",
    [reason, now, now, webhookId],
  );
}

/** The waiting (not in-flight) deliveries of those webhooks that are disabled become skipped. */
export async function skipWhileDisabled(db: Db, webhookIds: string[], now: number): Promise<void> {
  if (webhookIds.length === 0) return;
  await db.run(
    `UPDATE deliveries SET state = 'skipped', next_attempt_at = NULL, updated_at = ?
      WHERE state = 'pending' AND lease IS NULL
        AND webhook_id IN (SELECT id FROM webhooks WHERE status = 'disabled' AND id IN (${placeholders(webhookIds.length)}))`,
    [now, ...webhookIds],
  );
}

/**
 * Moves the leases of these deliveries, still held by `lease`, to `leaseUntil`; returns the ids
 * renewed. One missing was settled, or was given back (this worker was taken for dead): it is no
 * longer this worker's to send.
 */
export async function renewLeases(db: Db, lease: string, ids: string[], leaseUntil: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.all<{ id: string }>(
    `UPDATE deliveries SET next_attempt_at = ?
      WHERE lease = ? AND state = 'pending' AND id IN (SELECT value->>'d' FROM ${jsonRows(db)})
      RETURNING id`,
    [leaseUntil, lease, JSON.stringify(ids.map((d) => ({ d })))],
  );
  return rows.map((r) => r.id);
}

/** Gives back these deliveries, if `lease` still holds them: due now and free for any worker. */
export async function releaseDeliveries(db: Db, lease: string, ids: string[], now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const { changes } = await db.run(
    `UPDATE deliveries SET next_attempt_at = ?, lease = NULL
      WHERE lease = ? AND state = 'pending' AND id IN (SELECT value->>'d' FROM ${jsonRows(db)})`,
    [now, lease, JSON.stringify(ids.map((d) => ({ d })))],
  );
  return changes;
}

/** Gives back what one claim took (its rows carry the lease and the lease end it set), if it went through. */
export async function releaseClaim(db: Db, claim: { webhookId: string; lease: string; leaseUntil: number; now: number }): Promise<number> {
  const { changes } = await db.run(
    "UPDATE deliveries SET next_attempt_at = ?, lease = NULL WHERE webhook_id = ? AND state = 'pending' AND next_attempt_at = ? AND lease = ?",
    [claim.now, claim.webhookId, claim.leaseUntil, claim.lease],
  );
  return changes;
}

/** Gives back every lease at once; for a sole sender starting up, whose leases are all from a dead process. */
export async function releaseAllLeases(db: Db, now: number): Promise<number> {
  const { changes } = await db.run("UPDATE deliveries SET next_attempt_at = ?, lease = NULL WHERE state = 'pending' AND lease IS NOT NULL", [now]);
  return changes;
}
