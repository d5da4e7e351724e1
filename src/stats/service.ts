// Delivery figures for the account page and the API (hookline extension): per webhook, attempts
// over the last 24 hours (hourly) or 7 days (6-hourly), succeeded against failed, with p50/p95
// attempt latency; and for a page of webhooks, the last 24 hours' success rate with where each
// one stands now (idle, healthy, failing, disabled). Test sends count: they are real attempts.
import { isoTime } from '../clock.js';
import type { AppContext } from '../context.js';
import { notFound } from '../errors.js';
import type { Page, PageRequest } from '../storage/pagination.js';
import { findWebhook, listWebhooks, type WebhookRow } from '../webhooks/store.js';
import * as store from './store.js';

const HOUR = 3_600_000;
export const RANGES = {
  '24h': { rangeMs: 24 * HOUR, intervalMs: HOUR },
  '7d': { rangeMs: 7 * 24 * HOUR, intervalMs: 6 * HOUR },
} as const;
export type Range = keyof typeof RANGES;
export const RANGE_NAMES = Object.keys(RANGES) as Range[];

/** How the list's success rate is measured: over the last day. */
const SUMMARY_MS = 24 * HOUR;

/** Where a webhook stands: disabled; failing (deliveries waiting to be retried, or the last attempt failed); healthy; idle (never attempted). */
export type Condition = 'disabled' | 'failing' | 'healthy' | 'idle';

const rate = (succeeded: number, attempts: number) => (attempts === 0 ? null : Math.round((succeeded / attempts) * 10_000) / 10_000);

export async function webhookStats(ctx: AppContext, accountId: string, webhookId: string, range: Range) {
  const webhook = await findWebhook(ctx.db, accountId, webhookId);
  if (!webhook) throw notFound(`No such webhook: '${webhookId}'`, 'id');
  const { rangeMs, intervalMs } = RANGES[range];
  // Intervals end on whole hours (UTC); the last one holds now.
  const to = Math.floor(ctx.clock.now() / intervalMs) * intervalMs + intervalMs;
  const from = to - rangeMs;
  const [rows, [summary]] = await Promise.all([store.attemptsByInterval(ctx.db, webhookId, from, to, intervalMs), summarise(ctx, [webhook])]);
  const found = new Map(rows.map((r) => [Number(r.bucket), r]));
  const figures = (r: store.IntervalRow | undefined) => {
    const attempts = Number(r?.attempts ?? 0);
    const succeeded = Number(r?.succeeded ?? 0);
    return { attempts, succeeded, failed: attempts - succeeded, p50_ms: r?.p50_ms ?? null, p95_ms: r?.p95_ms ?? null };
  };
  const total = figures(found.get(-1));
  return {
    object: 'webhook_stats' as const,
    webhook_id: webhookId,
    range,
    start_time: isoTime(from),
    end_time: isoTime(to),
    interval_seconds: intervalMs / 1000,
    totals: { ...total, success_rate: rate(total.succeeded, total.attempts) },
    intervals: Array.from({ length: rangeMs / intervalMs }, (_, i) => ({ start_time: isoTime(from + i * intervalMs), ...figures(found.get(i)) })),
    summary: summary!,
  };
}

export type WebhookSummary = Awaited<ReturnType<typeof summarise>>[number];

/** The last day's figures and the present condition of each webhook given. */
async function summarise(ctx: AppContext, webhooks: WebhookRow[]) {
  const ids = webhooks.map((w) => w.id);
  const [counts, last, waiting] = await Promise.all([
    store.attemptCounts(ctx.db, ids, ctx.clock.now() - SUMMARY_MS),
    store.lastAttempts(ctx.db, ids),
    store.retrying(ctx.db, ids),
  ]);
  const countOf = new Map(counts.map((c) => [c.webhook_id, c]));
  const lastOf = new Map(last.map((a) => [a.webhook_id, a]));
  const waitingOf = new Map(waiting.map((r) => [r.webhook_id, r]));
  return webhooks.map((w) => {
    const attempts = Number(countOf.get(w.id)?.attempts ?? 0);
    const succeeded = Number(countOf.get(w.id)?.succeeded ?? 0);
    const a = lastOf.get(w.id);
    const retryingNow = Number(waitingOf.get(w.id)?.retrying ?? 0);
    const nextRetry = waitingOf.get(w.id)?.next_retry_at ?? null;
    const lastOk = a === undefined ? null : a.error_kind === null;
    const condition: Condition =
      w.status === 'disabled' ? 'disabled' : retryingNow > 0 || lastOk === false ? 'failing' : lastOk === null ? 'idle' : 'healthy';
    return {
      object: 'webhook_summary' as const,
      webhook_id: w.id,
      condition,
      attempts_24h: attempts,
      succeeded_24h: succeeded,
      failed_24h: attempts - succeeded,
      success_rate_24h: rate(succeeded, attempts),
      last_attempt:
        a === undefined
          ? null
          : { attempt_time: isoTime(a.attempted_at), succeeded: a.error_kind === null, status_code: a.status_code, error_kind: a.error_kind, error_message: a.error_message },
      retrying: retryingNow,
      next_retry_time: nextRetry === null ? null : isoTime(nextRetry),
    };
  });
}

/** The summaries of a page of the account's webhooks, paged as GET /v2/webhooks pages them. */
export async function webhookSummaries(ctx: AppContext, accountId: string, page: PageRequest): Promise<Page<WebhookSummary & { id: string }>> {
  const webhooks = await listWebhooks(ctx.db, accountId, page);
  const data = (await summarise(ctx, webhooks.data)).map((s) => ({ ...s, id: s.webhook_id }));
  return { ...webhooks, data };
}
