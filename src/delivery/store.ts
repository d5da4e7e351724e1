// SQL of the delivery pipeline: claiming due deliveries under a lease, and settling attempts.
import { newId } from '../ids.js';
import { placeholders, type Db, type SqlValue } from '../storage/db.js';
import type { Decision } from './outcome.js';
import type { AttemptOutcome } from './http-client.js';

export interface ClaimedDelivery {
  id: string;
  event_id: string;
  webhook_id: string;
  attempt_count: number;
  created_at: number;
  body: string;
  url: string;
  status: 'enabled' | 'disabled';
  secret_enc: string;
  prev_secret_enc: string | null;
  prev_secret_expires_at: number | null;
  last_success_at: number | null;
}


export interface ClaimRequest {
  now: number;
  limit: number;
  leaseUntil: number;
  lease: string;
  /** Webhooks that may not take more deliveries now (their concurrency cap is reached). */
  exclude: string[];
  /** How many more deliveries each webhook may take, when less than `limit`. */
  room: (webhookId: string) => number;
}

/**
 * Takes up to `limit` due deliveries, oldest due first, at most room(webhook) per webhook, and
 * leases them: their next_attempt_at moves to the lease's end, so if this process dies they come
 * due again. Returns them with what sending needs (body, URL, sealed secrets).
 */
export async function claimDue(db: Db, req: ClaimRequest): Promise<ClaimedDelivery[]> {
  return db.transaction(async (tx) => {
    const excluded = req.exclude.length > 0 ? `AND d.webhook_id NOT IN (${placeholders(req.exclude.length)})` : '';
    const candidates = await tx.all<ClaimedDelivery>(
      `SELECT d.id, d.event_id, d.webhook_id, d.attempt_count, d.created_at, e.body, w.url, w.status,
              w.secret_enc, w.prev_secret_enc, w.prev_secret_expires_at, w.last_success_at
         FROM deliveries d
         JOIN events e ON e.id = d.event_id
         JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.state = 'pending' AND d.next_attempt_at <= ? ${excluded}
        ORDER BY d.next_attempt_at
        LIMIT ?`,
      [req.now, ...req.exclude, req.limit],
    );
    const taken = new Map<string, number>();
    const chosen = candidates.filter((c) => {
      const n = taken.get(c.webhook_id) ?? 0;
      if (c.status === 'enabled' && n >= req.room(c.webhook_id)) return false;
      taken.set(c.webhook_id, n + 1);
      return true;
    });
    if (chosen.length > 0) {
      await tx.run(
        `UPDATE deliveries SET next_attempt_at = ?, lease = ? WHERE id IN (${placeholders(chosen.length)})`,
        [req.leaseUntil, req.lease, ...chosen.map((c) => c.id)],
      );
    }
    return chosen;
  });
}

export interface Settlement {
  deliveryId: string;
  webhookId: string;
  lease: string | null;
  attemptedAt: number;
  outcome: AttemptOutcome;
  decision: Decision;
}

/** Records attempts and moves their deliveries on, all in one transaction. */
export async function settle(db: Db, settlements: Settlement[], now: number): Promise<void> {
  if (settlements.length === 0) return;
  await db.transaction(async (tx) => {
    const succeeded = new Set<string>();
    for (const s of settlements) {
      const { outcome, decision } = s;
      await tx.run(
        `INSERT INTO attempts (id, delivery_id, webhook_id, attempted_at, duration_ms, status_code, error_kind, error_message, response_excerpt, next_retry_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          newId('ATT'), s.deliveryId, s.webhookId, s.attemptedAt, outcome.durationMs, outcome.statusCode ?? null,
          outcome.errorKind ?? null, outcome.errorMessage ?? null, outcome.responseExcerpt ?? null, decision.nextAttemptAt,
        ] satisfies SqlValue[],
      );
      const leaseMatches = s.lease === null ? 'lease IS NULL' : 'lease = ?';
      await tx.run(
        `UPDATE deliveries SET state = ?, attempt_count = attempt_count + 1, next_attempt_at = ?, lease = NULL, updated_at = ?
          WHERE id = ? AND ${leaseMatches}`,
        [decision.state, decision.nextAttemptAt, now, s.deliveryId, ...(s.lease === null ? [] : [s.lease])],
      );
      if (outcome.ok) succeeded.add(s.webhookId);
      if (decision.disable) await disableWebhook(tx, s.webhookId, decision.disable, now);
    }
    for (const webhookId of succeeded) {
      await tx.run('UPDATE webhooks SET last_success_at = ? WHERE id = ?', [now, webhookId]);
    }
  });
}

export async function disableWebhook(db: Db, webhookId: string, reason: string, now: number): Promise<void> {
  await db.run(
    "UPDATE webhooks SET status = 'disabled', disabled_reason = ?, disabled_at = ?, updated_at = ? WHERE id = ? AND status = 'enabled'",
    [reason, now, now, webhookId],
  );
}

/** Deliveries that came due while their webhook was disabled are skipped, not attempted. */
export async function skipDeliveries(db: Db, ids: string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db.run(
    `UPDATE deliveries SET state = 'skipped', next_attempt_at = NULL, lease = NULL, updated_at = ? WHERE id IN (${placeholders(ids.length)})`,
    [now, ...ids],
  );
}

/** Gives back every lease at once; for a sole sender starting up, whose leases are all from a dead process. */
export async function releaseAllLeases(db: Db, now: number): Promise<number> {
  const { changes } = await db.run("UPDATE deliveries SET next_attempt_at = ?, lease = NULL WHERE state = 'pending' AND lease IS NOT NULL", [now]);
  return changes;
}

/** When the next pending delivery comes due, or null when none is pending. */
export async function nextDueAt(db: Db): Promise<number | null> {
  const row = await db.get<{ t: number | null }>("SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending'");
  return row?.t ?? null;
}
