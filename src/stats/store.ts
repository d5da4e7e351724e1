// SQL of the delivery figures. Every query reads one webhook's attempts (or a page of webhooks')
// within a time range through the index attempts(webhook_id, attempted_at), so its cost follows the
// attempts of those webhooks in that range, never the size of the table. Both databases run the
// same SQL (the casts make the interval number an integer division: SQLite is given numbers as REAL).

import { placeholders, type Db } from '../storage/db.js';

export interface IntervalRow {
  /** The interval's number from the start of the range; -1 for the whole range. */
  bucket: number;
  attempts: number;
  succeeded: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

/**
 * A webhook's attempts in [from, to), per interval of `intervalMs` counted from `from`, and for the
 * whole range (bucket -1), in one pass over the index. Percentiles are exact (nearest rank): the
 * attempts are first counted per interval and duration in milliseconds (a few hundred distinct
 * durations, however many attempts), and p50 is the first duration whose running count reaches
 * half the interval's attempts. The whole range's counts are added up from those, not read again.
 */
export function attemptsByInterval(db: Db, webhookId: string, from: number, to: number, intervalMs: number): Promise<IntervalRow[]> {
  return db.all<IntervalRow>(
    `WITH h AS MATERIALIZED (
       SELECT (attempted_at - CAST(? AS BIGINT)) / CAST(? AS BIGINT) AS bucket, duration_ms AS d,
              COUNT(*) AS c, SUM(CASE WHEN error_kind IS NULL THEN 1 ELSE 0 END) AS ok
         FROM attempts WHERE webhook_id = ? AND attempted_at >= ? AND attempted_at < ?
        GROUP BY bucket, d
     ), counted AS (
       SELECT bucket, d, c, ok FROM h
       UNION ALL
       SELECT -1, d, SUM(c), SUM(ok) FROM h GROUP BY d
     ), running AS (
       SELECT bucket, d, c, ok,
              SUM(c) OVER (PARTITION BY bucket ORDER BY d) AS upto,
              SUM(c) OVER (PARTITION BY bucket) AS n
         FROM counted
     )
     SELECT bucket, CAST(SUM(c) AS BIGINT) AS attempts, CAST(SUM(ok) AS BIGINT) AS succeeded,
            MIN(CASE WHEN upto >= 0.5 * n THEN d END) AS p50_ms,
            MIN(CASE WHEN upto >= 0.95 * n THEN d END) AS p95_ms
       FROM running GROUP BY bucket ORDER BY bucket`,
    [from, intervalMs, webhookId, from, to],
  );
}

export interface CountRow {
  webhook_id: string;
  attempts: number;
  succeeded: number;
}

/** Attempts and successes since `from`, per webhook of the list. */
export function attemptCounts(db: Db, webhookIds: string[], from: number): Promise<CountRow[]> {
  if (webhookIds.length === 0) return Promise.resolve([]);
  return db.all<CountRow>(
    `SELECT webhook_id, COUNT(*) AS attempts, SUM(CASE WHEN error_kind IS NULL THEN 1 ELSE 0 END) AS succeeded
       FROM attempts WHERE webhook_id IN (${placeholders(webhookIds.length)}) AND attempted_at >= ?
      GROUP BY webhook_id`,
    [...webhookIds, from],
  );
}

export interface LastAttemptRow {
  webhook_id: string;
  attempted_at: number;
  status_code: number | null;
  error_kind: string | null;
  error_message: string | null;
}

/** Each webhook's latest attempt: one index probe per webhook (its last entry in the index). */
export function lastAttempts(db: Db, webhookIds: string[]): Promise<LastAttemptRow[]> {
  if (webhookIds.length === 0) return Promise.resolve([]);
  return db.all<LastAttemptRow>(
    `SELECT webhook_id, attempted_at, status_code, error_kind, error_message FROM attempts
      WHERE seq IN (SELECT (SELECT a.seq FROM attempts a WHERE a.webhook_id = w.id ORDER BY a.attempted_at DESC LIMIT 1)
                      FROM webhooks w WHERE w.id IN (${placeholders(webhookIds.length)}))`,
    webhookIds,
  );
}

export interface RetryingRow {
  webhook_id: string;
  retrying: number;
  next_retry_at: number | null;
}

/**
 * Pending deliveries that have failed at least once (waiting for a retry, or being retried), per
 * webhook: read through the partial index of pending deliveries, so finished ones cost nothing.
 */
export function retrying(db: Db, webhookIds: string[]): Promise<RetryingRow[]> {
  if (webhookIds.length === 0) return Promise.resolve([]);
  return db.all<RetryingRow>(
    `SELECT webhook_id, COUNT(*) AS retrying, MIN(next_attempt_at) AS next_retry_at FROM deliveries
      WHERE state = 'pending' AND attempt_count > 0 AND webhook_id IN (${placeholders(webhookIds.length)})
      GROUP BY webhook_id`,
    webhookIds,
  );
}
