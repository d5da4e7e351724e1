// The delivery worker. It claims due deliveries in batches, sends each under a global concurrency
// cap and a per-webhook cap (a slow receiver fills only its own slots and is left out of claims
// while full, so it never holds up the others), and settles outcomes in batched transactions.
// Publishing wakes it at once; a poll timer is the guarantee for retries and other processes' events.
import type { AppContext } from '../context.js';
import { newId } from '../ids.js';
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
}

export interface Dispatcher {
  /** Look for due deliveries now (after a publish, or after a test moved the clock). */
  wake(): void;
  /** Resolves when nothing is in flight and no settlement is waiting to be written. */
  idle(): Promise<void>;
  /** Stops claiming; lets in-flight attempts finish until the deadline, then abandons them to their leases. */
  stop(graceMs: number): Promise<void>;
}

const CLAIM_BATCH = 256;

export async function startDispatcher(ctx: AppContext, options: DispatcherOptions): Promise<Dispatcher> {
  const { db, clock, logger, secrets } = ctx;
  if (options.soleSender) {
    const released = await store.releaseAllLeases(db, clock.now());
    if (released > 0) logger.warn({ released }, 'took back deliveries that were in flight when the last process stopped');
  }
  const perWebhook = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let pending: Settlement[] = [];
  let flushing: Promise<void> | undefined;
  let pumping = false;
  let again = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];
  const lease = newId('DLV').replace('DLV-', 'lease-');
  const leaseMs = options.timeoutMs + 30_000;

  const checkIdle = () => {
    if (inFlight.size === 0 && pending.length === 0 && !flushing && !pumping) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const flush = (): Promise<void> => {
    if (flushing || pending.length === 0) return flushing ?? Promise.resolve();
    const batch = pending;
    pending = [];
    flushing = store
      .settle(db, batch, clock.now())
      .catch((err: unknown) => logger.error({ err }, 'could not record delivery outcomes; their leases will bring them back'))
      .finally(() => {
        flushing = undefined;
        if (pending.length > 0) void flush();
        checkIdle();
      });
    return flushing;
  };

  const attempt = (d: ClaimedDelivery) => {
    perWebhook.set(d.webhook_id, (perWebhook.get(d.webhook_id) ?? 0) + 1);
    const attemptedAt = clock.now();
    const run = sendAttempt(options.http, secrets, d, attemptedAt)
      .then((outcome) => {
        const now = clock.now();
        const decision = decide({
          outcome,
          attemptNumber: d.attempt_count + 1,
          now,
          deliveryCreatedAt: d.created_at,
          webhookLastSuccessAt: d.last_success_at,
          retry: true,
        });
        if (!outcome.ok) {
          logger.info({ delivery: d.id, webhook: d.webhook_id, event: d.event_id, status: outcome.statusCode, error: outcome.errorKind, reason: outcome.errorMessage }, 'delivery attempt failed');
        }
        if (decision.disable) logger.warn({ webhook: d.webhook_id, reason: decision.disable }, 'webhook disabled');
        pending.push({ deliveryId: d.id, webhookId: d.webhook_id, lease, attemptedAt, outcome, decision });
        if (pending.length >= CLAIM_BATCH) void flush();
        else setImmediate(() => void flush());
      })
      .catch((err: unknown) => logger.error({ err, delivery: d.id }, 'delivery attempt crashed; its lease will bring it back'))
      .finally(() => {
        const n = (perWebhook.get(d.webhook_id) ?? 1) - 1;
        if (n === 0) perWebhook.delete(d.webhook_id);
        else perWebhook.set(d.webhook_id, n);
        inFlight.delete(run);
        wake();
        checkIdle();
      });
    inFlight.add(run);
  };

  const pump = async () => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!stopping) {
          const free = options.concurrency - inFlight.size;
          if (free <= 0) break;
          const limit = Math.min(free, CLAIM_BATCH);
          const now = clock.now();
          const full = [...perWebhook].filter(([, n]) => n >= options.perWebhookConcurrency).map(([id]) => id);
          const claimed = await store.claimDue(db, {
            now,
            limit,
            lease,
            leaseUntil: now + leaseMs,
            exclude: full,
            room: (id) => options.perWebhookConcurrency - (perWebhook.get(id) ?? 0),
          });
          const disabled = claimed.filter((d) => d.status !== 'enabled');
          await store.skipDeliveries(db, disabled.map((d) => d.id), now);
          for (const d of claimed) if (d.status === 'enabled') attempt(d);
          if (claimed.length === 0) break;
        }
      } while (again && !stopping);
    } catch (err) {
      logger.error({ err }, 'claiming deliveries failed; retrying at the next poll');
    } finally {
      pumping = false;
      checkIdle();
    }
  };

  const wake = () => {
    if (!stopping) void pump();
  };

  const poll = async () => {
    timer = undefined;
    if (stopping) return;
    await pump();
    const next = await store.nextDueAt(db).catch(() => null);
    const wait = next === null ? options.pollIntervalMs : Math.max(5, Math.min(options.pollIntervalMs, next - clock.now()));
    if (!stopping) timer = setTimeout(() => void poll(), wait);
  };
  const unsubscribe = ctx.notifier.onDeliveriesDue(wake);
  void poll();

  return {
    wake,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      }),
    async stop(graceMs) {
      stopping = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      const finished = await Promise.race([Promise.all(inFlight).then(() => 'done' as const), deadline]);
      if (finished === 'late') logger.warn({ inFlight: inFlight.size }, 'stopping with attempts still in flight; their leases will bring them back');
      await flush();
      while (flushing) await flushing;
    },
  };
}
