// The delivery worker.
//
// Deliveries are claimed per webhook (an index range scan on webhook_id, next_attempt_at), a few
// more than the webhook's concurrency cap, and held in that webhook's in-memory queue under a
// lease. Free slots go round-robin across webhooks with queued work, under a global cap and a
// per-webhook cap, so a slow receiver fills only its own slots and never holds up the others.
// Outcomes are settled in batched transactions. Publishing names the webhooks it queued for, which
// wakes the worker at once; a poll finds everything else that came due (retries, other processes).
import type { AppContext } from '../context.js';
import { newSortableId } from '../ids.js';
import type { HttpClient } from './http-client.js';
import { decide } from './outcome.js';
import { sendAttempt } from './send.js';
import * as store from './store.js';
import type { ClaimedDelivery, Settlement } from './store.js';

export interface DispatcherOptions {
  http: HttpClient;
  concurrency: number;
  perWebhookConcurrency: number;
  timeoutMs: number;
  pollIntervalMs: number;
  /** Only sender on this database: leases left at start belong to a dead process. */
  soleSender: boolean;
  /** The lease this worker's claims carry: its id in the workers table (delivery/heartbeat.ts). */
  lease: string;
}

export interface Dispatcher {
  /** Look for due deliveries now (after a test moved the clock, say). */
  wake(): void;
  /** Resolves when nothing is queued, in flight, being claimed or waiting to be recorded. */
  idle(): Promise<void>;
  /** Drops what is claimed but not yet started: its leases were given back (this worker was taken for dead). */
  forgetQueued(): void;
  /** Stops claiming; lets attempts in flight finish until the deadline; queued ones keep their leases (for the caller to give back). */
  stop(graceMs: number): Promise<void>;
}

const SETTLE_BATCH = 512;
/** How many rounds of a webhook's concurrency are claimed ahead, so its slots never wait for a claim. */
const QUEUE_DEPTH = 4;
/** Outcomes are written together at most this long after the first of them: one commit for many attempts. */
const SETTLE_DELAY_MS = 5;
/** Outcomes waiting to be recorded at most: beyond it no attempt starts until they are written. */
const MAX_UNRECORDED = 4 * SETTLE_BATCH;
/** First and longest wait before trying again to record outcomes the database refused. */
const SETTLE_RETRY_MS = 100;
const SETTLE_RETRY_MAX_MS = 10_000;
/** Shortest wait between two polls: retries coming due close together are looked for together. */
const MIN_POLL_MS = 25;

/**
 * How long a claim holds a delivery. A webhook's queue holds up to QUEUE_DEPTH × its cap (claimed
 * and in flight): a lease is long enough for a claimed delivery to wait its turn behind slow
 * attempts, then take its own. It is also how long a dead process's deliveries wait where they
 * cannot be taken back at start (several senders on one database).
 */
export const leaseDuration = (timeoutMs: number): number => QUEUE_DEPTH * timeoutMs + 30_000;

export async function startDispatcher(ctx: AppContext, options: DispatcherOptions): Promise<Dispatcher> {
  const { db, clock, logger, secrets } = ctx;
  if (options.soleSender) {
    const released = await store.releaseAllLeases(db, clock.now());
    if (released > 0) logger.warn({ released }, 'took back deliveries that were in flight when the last process stopped');
  }
  const cap = options.perWebhookConcurrency;
  /** Claimed and waiting to be sent, per webhook. */
  const queued = new Map<string, ClaimedDelivery[]>();
  /** Attempts in flight, per webhook. */
  const running = new Map<string, number>();
  /**
   * Webhooks that may have more due deliveries than they have claimed, each with when it was last
   * marked so (a counter): a claim finding too little unmarks a webhook only if it was not marked since.
   */
  const due = new Map<string, number>();
  let marked = 0;
  const markDue = (webhookId: string) => void due.set(webhookId, ++marked);
  const inFlight = new Set<Promise<void>>();
  let pending: Settlement[] = [];
  let flushing: Promise<void> | undefined;
  let settleFailures = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  let filling: Promise<void> | undefined;
  /** Claims that failed, to be undone in case they committed all the same (see fill). */
  const unsureClaims: { webhookId: string; leaseUntil: number }[] = [];
  let discovering = 0;
  let refill = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];
  const { lease } = options;
  const leaseMs = leaseDuration(options.timeoutMs);

  const queuedCount = () => [...queued.values()].reduce((n, q) => n + q.length, 0);
  const checkIdle = () => {
    if (inFlight.size > 0 || pending.length > 0 || flushing || flushTimer || filling || discovering > 0 || queuedCount() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const flush = (): Promise<void> => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (flushing || pending.length === 0) return flushing ?? Promise.resolve();
    const batch = pending;
    pending = [];
    flushing = store
      .settle(db, batch, clock.now(), { again: settleFailures > 0 }) // the failed write may have committed
      .then(() => {
        settleFailures = 0;
      })
      .catch(async (err: unknown) => {
        // The attempts were made: keep their outcomes and try again, later each time (a database
        // outage, say). Meanwhile no new attempt starts once MAX_UNRECORDED outcomes wait.
        pending = [...batch, ...pending];
        const wait = Math.min(SETTLE_RETRY_MAX_MS, SETTLE_RETRY_MS * 2 ** settleFailures++);
        logger.error({ err, outcomes: pending.length, retryInMs: wait }, 'could not record delivery outcomes; trying again');
        if (!stopping) await new Promise((resolve) => setTimeout(resolve, wait));
      })
      .finally(() => {
        flushing = undefined;
        if (pending.length > 0 && !(stopping && settleFailures > 0)) void flush();
        startQueued();
        checkIdle();
      });
    return flushing;
  };

  const record = (d: ClaimedDelivery, attemptedAt: number, outcome: Awaited<ReturnType<typeof sendAttempt>>) => {
    const now = clock.now();
    const decision = decide({
      outcome,
      attemptNumber: d.attempt_count + 1,
      now,
      deliveryCreatedAt: d.created_at,
      webhookLastSuccessAt: d.target.last_success_at,
      retry: true,
    });
    if (!outcome.ok) {
      logger.info(
        { delivery: d.id, webhook: d.webhook_id, event: d.event_id, status: outcome.statusCode, error: outcome.errorKind, reason: outcome.errorMessage },
        'delivery attempt failed',
      );
    }
    if (decision.disable) logger.warn({ webhook: d.webhook_id, reason: decision.disable }, 'webhook disabled');
    ctx.metrics.attemptRecorded(outcome, decision);
    pending.push({ deliveryId: d.id, webhookId: d.webhook_id, lease, attemptedAt, outcome, decision, attemptId: newSortableId('ATT') });
    if (pending.length >= SETTLE_BATCH) void flush();
    else flushTimer ??= setTimeout(() => void flush(), SETTLE_DELAY_MS);
  };

  const launch = (d: ClaimedDelivery) => {
    running.set(d.webhook_id, (running.get(d.webhook_id) ?? 0) + 1);
    const attemptedAt = clock.now();
    const attempt = sendAttempt(options.http, secrets, d, attemptedAt)
      .then((outcome) => record(d, attemptedAt, outcome))
      .catch((err: unknown) => logger.error({ err, delivery: d.id }, 'delivery attempt crashed; its lease will bring it back'))
      .finally(() => {
        const n = (running.get(d.webhook_id) ?? 1) - 1;
        if (n === 0) running.delete(d.webhook_id);
        else running.set(d.webhook_id, n);
        inFlight.delete(attempt);
        startQueued();
        if ((queued.get(d.webhook_id)?.length ?? 0) < cap && due.has(d.webhook_id)) scheduleFill();
        checkIdle();
      });
    inFlight.add(attempt);
  };

  /** Starts queued deliveries into free slots, one webhook after another. */
  const startQueued = () => {
    let started = true;
    while (started && inFlight.size < options.concurrency && pending.length < MAX_UNRECORDED) {
      started = false;
      for (const [webhookId, queue] of queued) {
        if (inFlight.size >= options.concurrency) break;
        if ((running.get(webhookId) ?? 0) >= cap) continue;
        const next = queue.shift();
        if (queue.length === 0) queued.delete(webhookId);
        if (next) {
          launch(next);
          started = true;
        }
      }
    }
  };

  /** Claims due deliveries for every webhook that may have some and has room in its queue. */
  const fill = async () => {
    do {
      refill = false;
      // A claim that failed may still have committed (its COMMIT got no answer: a lost connection).
      // Its rows would then be leased to this worker without it knowing, until the lease runs out:
      // give them back first. They are told apart by their webhook, lease and lease end.
      while (unsureClaims.length > 0) {
        const { webhookId, leaseUntil } = unsureClaims[0]!;
        const released = await store.releaseClaim(db, { webhookId, lease, leaseUntil, now: clock.now() });
        unsureClaims.shift();
        if (released > 0) logger.warn({ webhook: webhookId, released }, 'a claim whose commit got no answer had gone through; gave its deliveries back');
        markDue(webhookId);
      }
      for (const webhookId of [...due.keys()]) {
        if (stopping) return;
        const room = QUEUE_DEPTH * cap - (queued.get(webhookId)?.length ?? 0) - (running.get(webhookId) ?? 0);
        if (room < cap / 2) continue;
        const now = clock.now();
        const leaseUntil = now + leaseMs;
        const mark = due.get(webhookId);
        const claimed = await store.claimForWebhook(db, { webhookId, now, limit: room, lease, leaseUntil }).catch((err: unknown) => {
          unsureClaims.push({ webhookId, leaseUntil });
          throw err;
        });
        ctx.metrics.claimMade(claimed.length);
        // Fewer than asked: nothing more is due, unless the webhook was marked due again meanwhile
        // (a delivery committed after the claim's snapshot was taken).
        if (claimed.length < room && due.get(webhookId) === mark) due.delete(webhookId);
        if (claimed.length > 0) queued.set(webhookId, [...(queued.get(webhookId) ?? []), ...claimed]);
        startQueued();
      }
    } while (refill && !stopping);
  };

  const scheduleFill = () => {
    if (stopping) return;
    if (filling) {
      refill = true;
      return;
    }
    filling = fill()
      .catch((err: unknown) => logger.error({ err }, 'claiming deliveries failed; trying again at the next poll'))
      .finally(() => {
        filling = undefined;
        if (refill) scheduleFill();
        checkIdle();
      });
  };

  /** Adds every webhook with due deliveries to `due`; returns when the next delivery comes due later. */
  const discover = async (): Promise<number | null> => {
    discovering++;
    let scan: store.PendingScan;
    try {
      scan = await store.scanPending(db, clock.now());
      for (const id of scan.due) markDue(id);
    } finally {
      discovering--;
    }
    scheduleFill();
    return scan.nextAt;
  };

  const poll = async () => {
    timer = undefined;
    if (stopping) return;
    let wait = options.pollIntervalMs;
    try {
      // Deliveries due already are the claim loop's (their webhooks are in `due`): wait for the
      // next one to come due later, or the poll interval; looking again at once would only spin.
      const next = await discover();
      if (next !== null) wait = Math.max(MIN_POLL_MS, Math.min(wait, next - clock.now()));
    } catch (err) {
      logger.error({ err }, 'looking for due deliveries failed');
    }
    if (!stopping) timer = setTimeout(() => void poll(), wait);
  };

  const unsubscribe = ctx.notifier.onDeliveriesDue((webhookIds) => {
    if (webhookIds === undefined) return void discover().catch((err: unknown) => logger.error({ err }, 'looking for due deliveries failed'));
    for (const id of webhookIds) markDue(id);
    scheduleFill();
  });
  void poll();

  return {
    wake: () => void discover().catch((err: unknown) => logger.error({ err }, 'looking for due deliveries failed')),
    forgetQueued: () => {
      queued.clear();
      checkIdle();
    },
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        // Let a wake-up queued just before this call start its claim first.
        setImmediate(checkIdle);
      }),
    async stop(graceMs) {
      stopping = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      queued.clear(); // given back by the heartbeat's stop; else their leases run out
      if (filling) await filling;
      const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      const finished = await Promise.race([Promise.all(inFlight).then(() => 'done' as const), deadline]);
      if (finished === 'late') logger.warn({ inFlight: inFlight.size }, 'stopping with attempts still in flight; their leases will bring them back');
      await flush();
      while (flushing) await flushing;
    },
  };
}
