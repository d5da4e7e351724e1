// The last stage of the delivery pipeline: outcomes of attempts wait here to be written together
// (one transaction for many attempts, at most SETTLE_DELAY_MS after the first), with the webhooks'
// health changes. A write the database refused is tried again, later each time, and no attempt
// starts while too many outcomes wait (full()).
import type { AppContext } from '../context.js';
import type { HealthRecord, Settlement } from './store.js';
import * as store from './store.js';

export const SETTLE_BATCH = 512;
/** Outcomes are written together at most this long after the first of them: one commit for many attempts. */
const SETTLE_DELAY_MS = 5;
/** Outcomes waiting to be recorded at most: beyond it no attempt starts until they are written. */
const MAX_UNRECORDED = 4 * SETTLE_BATCH;
/** First and longest wait before trying again to record outcomes the database refused. */
const SETTLE_RETRY_MS = 100;
const SETTLE_RETRY_MAX_MS = 10_000;

export interface Outcomes {
  add(settlement: Settlement): void;
  /** Records this health state of a webhook with the next batch (the latest one per webhook wins). */
  health(record: HealthRecord): void;
  /** Too many outcomes wait to be written: start no attempt. */
  full(): boolean;
  /** Nothing waits and nothing is being written. */
  empty(): boolean;
  /** Writes what waits now; resolves when the write (and any retry it needs) is done. */
  flush(): Promise<void>;
  /** Stop retrying after a failure: the caller is stopping. */
  stopping(): void;
}

/** `onWritten`: called after each write, with the ids of the deliveries whose outcomes it recorded (none when it failed). */
export function startOutcomes(ctx: AppContext, onWritten: (deliveryIds: string[]) => void): Outcomes {
  const { db, clock, logger } = ctx;
  let pending: Settlement[] = [];
  let health = new Map<string, HealthRecord>();
  let flushing: Promise<void> | undefined;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (flushing || (pending.length === 0 && health.size === 0)) return flushing ?? Promise.resolve();
    const batch = pending;
    const records = health;
    pending = [];
    health = new Map();
    flushing = store
      .settle(db, batch, clock.now(), { again: failures > 0, health: [...records.values()] }) // a failed write may have committed
      .then(() => {
        failures = 0;
        onWritten(batch.map((s) => s.deliveryId));
      })
      .catch(async (err: unknown) => {
        // The attempts were made: keep their outcomes and try again, later each time (a database outage, say).
        pending = [...batch, ...pending];
        for (const [id, r] of records) if (!health.has(id)) health.set(id, r);
        const wait = Math.min(SETTLE_RETRY_MAX_MS, SETTLE_RETRY_MS * 2 ** failures++);
        logger.error({ err, outcomes: pending.length, retryInMs: wait }, 'could not record delivery outcomes; trying again');
        onWritten([]);
        if (!stopping) await new Promise((resolve) => setTimeout(resolve, wait));
      })
      .finally(() => {
        flushing = undefined;
        if ((pending.length > 0 || health.size > 0) && !(stopping && failures > 0)) void flush();
        onWritten([]);
      });
    return flushing;
  };
  const soon = () => {
    if (pending.length >= SETTLE_BATCH) void flush();
    else timer ??= setTimeout(() => void flush(), SETTLE_DELAY_MS);
  };

  return {
    add(settlement) {
      pending.push(settlement);
      soon();
    },
    health(record) {
      health.set(record.webhookId, record);
      soon();
    },
    full: () => pending.length >= MAX_UNRECORDED,
    empty: () => pending.length === 0 && health.size === 0 && !flushing && !timer,
    async flush() {
      await flush();
      while (flushing) await flushing;
    },
    stopping: () => {
      stopping = true;
    },
  };
}
