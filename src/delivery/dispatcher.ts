// The delivery worker: a pipeline of claim → queue → send → record.
//
// - Claim (this file): webhooks that may have due deliveries are marked `due` (by wake-ups and
//   polls). Each claim leases one webhook's oldest due deliveries, but only as many as this worker
//   can start soon: its free slots plus what its measured start rate gets through in PREFETCH_MS,
//   and per webhook two rounds of what its health allows. The rest stays in the database, where
//   any other worker with free slots claims it: a backlog is shared by the live workers.
// - Queue and send (slots.ts): free slots go round-robin to the webhooks, each within its adaptive
//   limit (health.ts), the slow ones within half of the slots; a delivery starts only while its
//   lease leaves room for the attempt, and this worker's heartbeat proves nobody reaped it.
// - Leases (leases.ts) are renewed while held and given back when a delivery cannot start.
// - Record (outcomes.ts): outcomes and health changes are written in batched transactions.
import type { AppContext } from '../context.js';
import type { Taker } from '../notifier.js';
import { newSortableId } from '../ids.js';
import { adopt, onOutcome } from './health.js';
import type { HttpClient } from './http-client.js';
import { attemptAllowance, leaseDuration, startLeaseKeeper } from './leases.js';
import { decide } from './outcome.js';
import { startOutcomes } from './outcomes.js';
import { sendAttempt } from './send.js';
import { canStart, limitOf, newHook, pickStarts, slowShare, startRate, trusted, type Held, type Hook, type SlotLimits } from './slots.js';
import * as store from './store.js';

export { leaseDuration };

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
  /** Until when no other worker can have taken this one for dead (its heartbeat); default: always. */
  aliveUntil?: () => number;
  /** Renews this worker's heartbeat now (or learns it was taken for dead), for when aliveUntil has passed. */
  confirmAlive?: () => Promise<void>;
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

/** Claims reach ahead by what this worker starts in this long at its recent rate. */
const PREFETCH_MS = 1_000;
/** Webhooks claimed for together at most (one transaction on SQLite). */
const CLAIM_BATCH = 16;
/** Shortest wait between two polls: retries coming due close together are looked for together. */
const MIN_POLL_MS = 25;
/** A webhook idle (nothing held) this long is forgotten: its next deliveries start from a small window again. */
const FORGET_IDLE_MS = 10 * 60_000;

export async function startDispatcher(ctx: AppContext, options: DispatcherOptions): Promise<Dispatcher> {
  const { db, clock, logger, secrets } = ctx;
  if (options.soleSender) {
    const released = await store.releaseAllLeases(db, clock.now());
    if (released > 0) logger.warn({ released }, 'took back deliveries that were in flight when the last process stopped');
  }
  const { lease } = options;
  const cap = options.perWebhookConcurrency;
  const leaseMs = leaseDuration(options.timeoutMs);
  const attemptMs = attemptAllowance(options.timeoutMs);
  const aliveUntil = options.aliveUntil ?? (() => Number.POSITIVE_INFINITY);
  const limits: SlotLimits = { concurrency: options.concurrency, perWebhook: cap, slowMs: Math.min(options.timeoutMs / 2, 2_000) };

  /** Every webhook this worker holds deliveries of, or heard from lately. */
  const hooks = new Map<string, Hook>();
  /** Those with queued deliveries, in round-robin order. */
  const waiting = new Map<string, Hook>();
  /** Those with attempts in flight. */
  const running = new Set<Hook>();
  /** Every delivery held: queued, in flight, or waiting for its outcome to be written. */
  const held = new Map<string, Held>();
  /**
   * Webhooks that may have more due deliveries than they have claimed, each with when it was last
   * marked so (a counter): a claim finding too little unmarks a webhook only if it was not marked since.
   */
  const due = new Map<string, number>();
  let marked = 0;
  const markDue = (webhookId: string) => void due.set(webhookId, ++marked);
  const inFlight = new Set<Promise<void>>();
  const rate = startRate();
  let filling: Promise<void> | undefined;
  /** Claims that failed, to be undone in case they committed all the same (see fill). */
  const unsureClaims: { webhookId: string; leaseUntil: number }[] = [];
  let discovering = 0;
  let refill = false;
  let stopping = false;
  /** stop() has returned: outcomes can no longer be written. */
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  const hookOf = (webhookId: string, recorded?: Hook['recorded']) => {
    let hook = hooks.get(webhookId);
    if (!hook) hooks.set(webhookId, (hook = newHook(cap, clock.now(), recorded ?? { state: 'healthy', since: null, resumeAt: null })));
    return hook;
  };
  const checkIdle = () => {
    if (inFlight.size > 0 || !outcomes.empty() || filling || discovering > 0 || waiting.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const outcomes = startOutcomes(ctx, (written) => {
    for (const id of written) held.delete(id);
    startQueued();
    checkIdle();
  });
  const leases = startLeaseKeeper(ctx, {
    lease,
    leaseMs,
    onReleased: (webhookIds) => {
      for (const id of webhookIds) markDue(id);
      scheduleFill();
    },
    held: () => held.values(),
    onLost: (lost) => {
      // One already started may just have been settled (its lease cleared) during the renewal: only queued ones matter.
      const queued = lost.filter((h) => h.startedAt === undefined && held.get(h.d.id) === h);
      if (queued.length === 0) return;
      logger.warn({ lost: queued.length }, 'deliveries this worker held were given to others meanwhile; dropping them unsent');
      for (const h of queued) {
        held.delete(h.d.id);
        const hook = hooks.get(h.d.webhook_id);
        if (!hook) continue;
        hook.queue = hook.queue.filter((q) => q !== h);
        if (hook.queue.length === 0) waiting.delete(h.d.webhook_id);
      }
    },
  });

  const recordHealth = (webhookId: string, hook: Hook) => {
    const h = hook.health;
    const backoffUntil = h.state === 'backing_off' ? (h.resumeAt ?? null) : null;
    if (h.state === hook.recorded.state && backoffUntil === hook.recorded.resumeAt) return;
    hook.recorded = { state: h.state, since: h.since, resumeAt: backoffUntil };
    outcomes.health({ webhookId, state: h.state, since: h.since, backoffUntil });
    if (h.state !== 'healthy') logger.info({ webhook: webhookId, health: h.state, window: h.window, backoffUntil }, 'webhook delivery health changed');
    if (h.state === 'backing_off' && hook.queue.length > 0) {
      // Backing off as a whole: what is queued goes back, for whoever sends once the backoff ends.
      const back = hook.queue.splice(0);
      waiting.delete(webhookId);
      for (const b of back) held.delete(b.d.id);
      leases.release(back);
    }
  };

  const record = (h: Held, hook: Hook, outcome: Awaited<ReturnType<typeof sendAttempt>>) => {
    const d = h.d;
    if (stopped) return void logger.info({ delivery: d.id }, 'an attempt ended after this worker stopped; its lease brings the delivery back');
    const now = clock.now();
    const decision = decide({ outcome, attemptNumber: d.attempt_count + 1, now, deliveryCreatedAt: d.created_at, webhookLastSuccessAt: d.target.last_success_at, retry: true });
    if (!outcome.ok) {
      logger.info(
        { delivery: d.id, webhook: d.webhook_id, event: d.event_id, status: outcome.statusCode, error: outcome.errorKind, reason: outcome.errorMessage },
        'delivery attempt failed',
      );
    }
    if (decision.disable) logger.warn({ webhook: d.webhook_id, reason: decision.disable }, 'webhook disabled');
    ctx.metrics.attemptRecorded(outcome, decision);
    hook.health = onOutcome(hook.health, outcome, h.startedAt!, cap, now);
    recordHealth(d.webhook_id, hook);
    outcomes.add({ deliveryId: d.id, webhookId: d.webhook_id, lease, attemptedAt: h.startedAt!, outcome, decision, attemptId: newSortableId('ATT') });
  };

  const launch = (hook: Hook, h: Held) => {
    const attemptedAt = clock.now();
    h.startedAt = attemptedAt;
    hook.starts.push(attemptedAt);
    running.add(hook);
    rate.started(attemptedAt);
    const attempt = sendAttempt(options.http, secrets, h.d, attemptedAt)
      .then((outcome) => record(h, hook, outcome))
      .catch((err: unknown) => {
        held.delete(h.d.id); // no longer renewed: its lease brings it back
        logger.error({ err, delivery: h.d.id }, 'delivery attempt crashed; its lease will bring it back');
      })
      .finally(() => {
        hook.running--;
        hook.starts.splice(hook.starts.indexOf(attemptedAt), 1);
        if (hook.running === 0) {
          running.delete(hook);
          hook.idleSince = clock.now();
        }
        inFlight.delete(attempt);
        startQueued();
        if (due.size > 0) scheduleFill();
        checkIdle();
      });
    inFlight.add(attempt);
  };

  /** After a stall: renew the heartbeat (learning whether this worker was taken for dead) before sending anything. */
  let confirming: Promise<void> | undefined;
  const confirmAlive = () => {
    confirming ??= (options.confirmAlive?.() ?? Promise.resolve())
      .catch(() => {})
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, clock.now() > aliveUntil() ? 1_000 : 0)))
      .finally(() => {
        confirming = undefined;
        startQueued();
      });
  };

  /** Starts queued deliveries into free slots; gives back those whose lease no longer leaves room for an attempt. */
  const startQueued = () => {
    if (stopping || outcomes.full()) return;
    const now = clock.now();
    if (now > aliveUntil()) return void confirmAlive();
    const margins = { attemptMs, aliveUntil: aliveUntil() };
    const late: Held[] = [];
    for (const pick of pickStarts(waiting, running, limits, options.concurrency - inFlight.size, now)) {
      if (canStart(pick.held, now, margins)) launch(pick.hook, pick.held);
      else {
        pick.hook.running--;
        held.delete(pick.held.d.id);
        late.push(pick.held);
      }
    }
    if (late.length > 0) {
      logger.warn({ late: late.length }, 'deliveries waited too long for their lease (a stall, or leases not renewed): giving them back unsent');
      leases.release(late);
    }
  };

  /** How many more deliveries of this webhook to claim now (0: none), when `planned` more may be queued by claims under way. */
  const claimRoom = (hook: Hook, now: number, planned: number) => {
    const limit = limitOf(hook, limits, now);
    const room = 2 * limit - hook.queue.length - hook.running;
    let budget: number;
    if (trusted(hook, limits, now) || !hook.health.answered) {
      let queuedAll = 0;
      for (const h of waiting.values()) if (trusted(h, limits, now)) queuedAll += h.queue.length;
      const prefetch = Math.min(options.concurrency, Math.ceil((rate.perSecond(now) * PREFETCH_MS) / 1000));
      budget = options.concurrency - inFlight.size + prefetch - queuedAll - planned;
    } else budget = room;
    if (!trusted(hook, limits, now)) {
      let slow = 0;
      for (const h of waiting.values()) if (!trusted(h, limits, now)) slow += h.queue.length;
      budget = Math.min(budget, slowShare(limits) - slow - planned);
    }
    const n = Math.min(room, budget);
    if (!hook.tried && hook.queue.length === 0) return Math.max(1, n); // its first attempt (slots.ts)
    return n >= Math.max(1, Math.floor(limit / 2)) || (n > 0 && hook.queue.length === 0) ? n : 0;
  };

  /** Holds and queues deliveries leased to this worker (claimed, or handed over by the publisher). */
  const queueHeld = (webhookId: string, hook: Hook, deliveries: store.ClaimedDelivery[], leaseUntil: number) => {
    if (deliveries.length === 0) return;
    const t = deliveries[0]!.target;
    hook.health = adopt(hook.health, { state: t.delivery_health, since: t.health_since, resumeAt: t.backoff_until });
    for (const d of deliveries) {
      if (held.has(d.id)) continue; // already held: its lease ran out here and this claim took it again
      const h: Held = { d, leaseUntil };
      held.set(d.id, h);
      hook.queue.push(h);
    }
    if (hook.queue.length > 0) waiting.set(webhookId, hook);
  };

  /** Queues what one claim took, and keeps the webhook due if it may have more. */
  const queueClaimed = (webhookId: string, hook: Hook, mark: number, req: store.ClaimRequest, claimed: store.ClaimedDelivery[]) => {
    ctx.metrics.claimMade(claimed.length);
    // Fewer than asked: nothing more is due, unless the webhook was marked due again meanwhile
    // (a delivery committed after the claim's snapshot was taken). Else it goes to the back.
    const markedSince = due.get(webhookId) !== mark;
    due.delete(webhookId);
    if (claimed.length >= req.limit || markedSince) due.set(webhookId, ++marked);
    queueHeld(webhookId, hook, claimed, req.leaseUntil);
  };

  /**
   * The publisher's handover (notifier.ts, Taker), where this worker is the only sender: a new
   * delivery is taken at once only for a webhook known to answer promptly, with nothing queued nor
   * known due (so nothing older is passed), below its limit, while a slot is free.
   */
  const taker: Taker = {
    offer(webhookIds) {
      const now = clock.now();
      if (stopping || now > aliveUntil() || outcomes.full()) return undefined;
      let free = options.concurrency - inFlight.size;
      for (const h of waiting.values()) free -= h.queue.length;
      const ids = new Set<string>();
      for (const id of webhookIds) {
        if (free <= 0) break;
        const hook = hooks.get(id);
        if (!hook || !hook.tried || due.has(id) || hook.queue.length > 0 || !trusted(hook, limits, now) || hook.running >= limitOf(hook, limits, now)) continue;
        ids.add(id);
        free--;
      }
      return ids.size > 0 ? { lease, until: now + leaseMs, webhookIds: ids } : undefined;
    },
    take(deliveries, leaseUntil) {
      if (stopping) return; // leased to this worker: the lease brings them back
      for (const d of deliveries) queueHeld(d.webhook_id, hookOf(d.webhook_id), [d], leaseUntil);
      ctx.metrics.handedOver(deliveries.length);
      startQueued();
    },
  };
  if (options.soleSender) ctx.notifier.setTaker(taker);

  /** Claims due deliveries for every webhook that may have some, as many as can start soon. */
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
      const keys = [...due.keys()];
      for (let next = 0; next < keys.length && !stopping; ) {
        // Claims go in batches (one transaction on SQLite): each claim's room counts what the
        // batch's earlier claims may add, so the batch takes no more than claims made one by one.
        const batch: { webhookId: string; hook: Hook; mark: number; req: store.ClaimRequest }[] = [];
        let planned = 0;
        for (; next < keys.length && batch.length < CLAIM_BATCH; next++) {
          const webhookId = keys[next]!;
          const mark = due.get(webhookId);
          if (mark === undefined) continue;
          const now = clock.now();
          const hook = hookOf(webhookId);
          const limit = claimRoom(hook, now, planned);
          if (limit === 0) {
            // Left out for what the batch may take: looked at again once the batch's real take is known.
            if (planned > 0 && claimRoom(hook, now, 0) > 0) refill = true;
            continue;
          }
          planned += limit;
          batch.push({ webhookId, hook, mark, req: { webhookId, now, limit, lease, leaseUntil: now + leaseMs } });
        }
        if (batch.length === 0) break;
        const results = await store.claimForWebhooks(db, batch.map((b) => b.req)).catch((err: unknown) => {
          for (const { req } of batch) unsureClaims.push({ webhookId: req.webhookId, leaseUntil: req.leaseUntil });
          throw err;
        });
        batch.forEach(({ webhookId, hook, mark, req }, i) => queueClaimed(webhookId, hook, mark, req, results[i]!));
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
      for (const id of scan.due) if (!due.has(id)) markDue(id);
    } finally {
      discovering--;
    }
    forgetIdle();
    scheduleFill();
    return scan.nextAt;
  };

  const forgetIdle = () => {
    const now = clock.now();
    for (const [id, hook] of hooks) {
      if (hook.running === 0 && hook.queue.length === 0 && now - hook.idleSince > FORGET_IDLE_MS && hook.health.state !== 'backing_off') hooks.delete(id);
    }
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

  const dropQueued = () => {
    for (const hook of waiting.values()) for (const h of hook.queue.splice(0)) held.delete(h.d.id);
    waiting.clear();
  };

  return {
    wake: () => void discover().catch((err: unknown) => logger.error({ err }, 'looking for due deliveries failed')),
    forgetQueued: () => {
      dropQueued();
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
      if (ctx.notifier.taker() === taker) ctx.notifier.setTaker(undefined);
      if (timer) clearTimeout(timer);
      dropQueued(); // given back by the heartbeat's stop; else their leases run out
      if (filling) await filling;
      dropQueued();
      const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      const finished = await Promise.race([Promise.all(inFlight).then(() => 'done' as const), deadline]);
      if (finished === 'late') logger.warn({ inFlight: inFlight.size }, 'stopping with attempts still in flight; their leases will bring them back');
      outcomes.stopping();
      await outcomes.flush();
      await leases.stop();
      stopped = true;
    },
  };
}
