// Worker liveness. Each delivery worker has a row in `workers` whose id is the lease its claims
// carry, and renews its heartbeat every HOOKLINE_HEARTBEAT_MS. A worker that finds another silent
// for DEAD_AFTER heartbeats takes it for dead (killed, its machine gone): it deletes that row and
// gives the dead worker's leased deliveries back at once, instead of when their leases run out.
// Deleting the row is what claims the reaping, so two workers never both reap one.
//
// A worker reaps only after its own heartbeats have gone through for that long: after a database
// outage everybody's heartbeat is old, and each must get the chance to renew its own first.
// A worker that finds its own row gone was taken for dead (frozen, or cut off for that long): it
// forgets what it had queued, since those deliveries went back, and registers again. Nobody can
// take a worker for dead before DEAD_AFTER heartbeats past its last renewal that went through:
// aliveUntil() says until when (less one heartbeat, for clocks and the time a statement takes),
// and the dispatcher starts no attempt after it.
import type { AppContext } from '../context.js';

export const DEAD_AFTER = 4;

export interface HeartbeatOptions {
  workerId: string;
  intervalMs: number;
  /** Called when this worker finds it was taken for dead and its leases went back. */
  onTakenForDead(): void;
}

export interface Heartbeat {
  /** Renews, then reaps the dead; what the timer runs (exposed for tests). */
  beat(): Promise<void>;
  /** Until when this worker cannot have been taken for dead: its last renewal plus DEAD_AFTER - 1 heartbeats. */
  aliveUntil(): number;
  /** Stops beating and removes this worker's row, giving back any lease it still holds. */
  stop(): Promise<void>;
}

export async function startHeartbeat(ctx: AppContext, options: HeartbeatOptions): Promise<Heartbeat> {
  const { db, clock, logger } = ctx;
  const { workerId, intervalMs } = options;
  const deadAfterMs = DEAD_AFTER * intervalMs;
  const register = (now: number) =>
    db.run('INSERT INTO workers (id, started_at, heartbeat_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at', [workerId, now, now]);
  let renewedAt = clock.now();
  await register(renewedAt);
  let healthySince: number | undefined = clock.now();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let beating: Promise<void> | undefined;

  const renew = async (now: number) => {
    const { changes } = await db.run('UPDATE workers SET heartbeat_at = ? WHERE id = ?', [now, workerId]);
    if (changes === 1) {
      renewedAt = now;
      return;
    }
    logger.warn({ worker: workerId }, 'this worker was taken for dead and its deliveries were given to others; forgetting what it had queued');
    options.onTakenForDead();
    await register(now);
    renewedAt = now;
  };

  const reap = async (now: number) => {
    const dead = await db.all<{ id: string; heartbeat_at: number }>('SELECT id, heartbeat_at FROM workers WHERE heartbeat_at < ?', [now - deadAfterMs]);
    for (const w of dead) {
      const released = await db.transaction(async (tx) => {
        const { changes } = await tx.run('DELETE FROM workers WHERE id = ? AND heartbeat_at = ?', [w.id, w.heartbeat_at]);
        if (changes === 0) return undefined; // renewed, or reaped by another worker meanwhile
        return (await releaseLeases(tx, w.id, now)).changes;
      });
      if (released === undefined) continue;
      logger.warn({ worker: w.id, silentMs: now - w.heartbeat_at, released }, 'a worker stopped renewing its heartbeat; gave its deliveries back');
      if (released > 0) ctx.notifier.deliveriesDue();
    }
  };

  const beat = (): Promise<void> =>
    (beating ??= (async () => {
      const now = clock.now();
      try {
        await renew(now);
        healthySince ??= now;
        if (now - healthySince >= deadAfterMs) await reap(now);
      } catch (err) {
        healthySince = undefined;
        logger.error({ err }, 'could not renew this worker’s heartbeat');
      } finally {
        beating = undefined;
      }
    })());

  const schedule = () => {
    if (!stopped) timer = setTimeout(() => void beat().then(schedule), intervalMs);
  };
  schedule();

  return {
    beat,
    aliveUntil: () => renewedAt + (DEAD_AFTER - 1) * intervalMs,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await beating;
      await db
        .transaction(async (tx) => {
          await releaseLeases(tx, workerId, clock.now());
          await tx.run('DELETE FROM workers WHERE id = ?', [workerId]);
        })
        .catch((err: unknown) => logger.warn({ err }, 'could not give back this worker’s leases at stop; they run out on their own'));
    },
  };
}

/** Pending deliveries leased to that worker come due now and free. */
function releaseLeases(db: AppContext['db'], workerId: string, now: number) {
  return db.run("UPDATE deliveries SET next_attempt_at = ?, lease = NULL WHERE state = 'pending' AND lease = ?", [now, workerId]);
}

/** The workers whose last heartbeat is at `since` or later, by id. */
export async function liveWorkers(db: AppContext['db'], since: number): Promise<string[]> {
  const rows = await db.all<{ id: string }>('SELECT id FROM workers WHERE heartbeat_at >= ? ORDER BY id', [since]);
  return rows.map((r) => r.id);
}
