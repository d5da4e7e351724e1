// Lease upkeep of one worker. Every delivery a worker holds (queued, in flight, or waiting for its
// outcome to be written) is leased to it until `leaseUntil`. Every LEASE/8 the worker renews the
// leases with less than 3/4 of a lease left, in one statement; a delivery whose renewal finds it no
// longer leased to this worker (it was given back while this worker was taken for dead) is dropped
// unsent. A delivery about to start with too little lease left, or when this worker's heartbeat is
// too old to be sure nobody reaped it, is given back unsent instead (slots.ts: canStart).
import type { AppContext } from '../context.js';
import type { Held } from './slots.js';
import * as store from './store.js';

/** How long a claim holds a delivery before it must be renewed, and how long a dead process's deliveries wait where nothing reaps them. */
export const leaseDuration = (timeoutMs: number): number => 4 * timeoutMs + 30_000;
/** The lease left that an attempt needs to start: connecting, the answer's headers and its body, and recording it. */
export const attemptAllowance = (timeoutMs: number): number => 2 * timeoutMs + 10_000;

const RENEW_CHUNK = 1_000;

export interface LeaseKeeper {
  /** Renews what needs it now (also run every LEASE/8 on its own). */
  renew(): Promise<void>;
  /** Gives these back (unsent), best effort: when it fails their leases run out. */
  release(held: Held[]): void;
  stop(): Promise<void>;
}

export function startLeaseKeeper(
  ctx: AppContext,
  options: {
    lease: string;
    leaseMs: number;
    held: () => Iterable<Held>;
    onLost: (lost: Held[]) => void;
    /** Deliveries of these webhooks were given back (committed): they are due again. */
    onReleased: (webhookIds: string[]) => void;
  },
): LeaseKeeper {
  const { db, clock, logger } = ctx;
  const { lease, leaseMs } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;
  const releases = new Set<Promise<unknown>>();

  const renewOnce = async () => {
    const now = clock.now();
    const due = [...options.held()].filter((h) => h.leaseUntil - now < (leaseMs * 3) / 4);
    for (let i = 0; i < due.length; i += RENEW_CHUNK) {
      const chunk = due.slice(i, i + RENEW_CHUNK);
      const until = clock.now() + leaseMs;
      const renewed = new Set(await store.renewLeases(db, lease, chunk.map((h) => h.d.id), until));
      const lost: Held[] = [];
      for (const h of chunk) {
        if (renewed.has(h.d.id)) h.leaseUntil = Math.max(h.leaseUntil, until);
        else lost.push(h);
      }
      if (lost.length > 0) options.onLost(lost);
    }
  };
  const renew = (): Promise<void> =>
    (renewing ??= renewOnce()
      .catch((err: unknown) => logger.warn({ err }, 'could not renew delivery leases; trying again'))
      .finally(() => (renewing = undefined)));
  const schedule = () => {
    if (!stopped) timer = setTimeout(() => void renew().then(schedule), leaseMs / 8);
  };
  schedule();

  return {
    renew,
    release(held) {
      if (held.length === 0) return;
      const p = store
        .releaseDeliveries(db, lease, held.map((h) => h.d.id), clock.now())
        .then((n) => {
          logger.info({ released: n }, 'gave back deliveries');
          options.onReleased([...new Set(held.map((h) => h.d.webhook_id))]);
        })
        .catch((err: unknown) => logger.warn({ err }, 'could not give back deliveries; their leases run out on their own'))
        .finally(() => releases.delete(p));
      releases.add(p);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await renewing;
      await Promise.all(releases);
    },
  };
}
