// Keeps the database bounded: events older than the retention age whose deliveries are all
// finished are deleted with their deliveries and attempts, and old attempts of deliveries still
// being retried are dropped too. Rows are walked in `seq` order, which follows creation time, a
// chunk per transaction, stopping at the first row young enough to keep: no index on time needed.
import type { AppContext } from '../context.js';
import { placeholders, type Db } from '../storage/db.js';

const CHUNK = 1_000;

/** Deletes, oldest first, the rows of `table` older than the cutoff unless `keep` holds for them; returns how many. */
async function pruneTable(db: Db, table: 'events' | 'attempts', timeColumn: string, cutoff: number, keep: string): Promise<number> {
  let removed = 0;
  let from = 0;
  for (;;) {
    // `kept` is 0 or 1 from SQLite, a boolean from PostgreSQL: only its truth is used.
    const rows = await db.all<{ seq: number; t: number; kept: number | boolean }>(
      `SELECT seq, ${timeColumn} AS t, (${keep}) AS kept FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`,
      [from, CHUNK],
    );
    const old = rows.filter((r) => r.t < cutoff);
    const doomed = old.filter((r) => !r.kept).map((r) => r.seq);
    if (doomed.length > 0) {
      removed += (await db.run(`DELETE FROM ${table} WHERE seq IN (${placeholders(doomed.length)})`, doomed)).changes;
    }
    if (rows.length < CHUNK || old.length < rows.length) return removed;
    from = rows[rows.length - 1]!.seq;
  }
}

export async function pruneOnce(ctx: AppContext, retentionMs: number): Promise<{ events: number; attempts: number }> {
  const cutoff = ctx.clock.now() - retentionMs;
  const pendingDelivery = "EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.state = 'pending')";
  const events = await pruneTable(ctx.db, 'events', 'created_at', cutoff, pendingDelivery);
  const attempts = await pruneTable(ctx.db, 'attempts', 'attempted_at', cutoff, '0');
  return { events, attempts };
}

export function startRetention(ctx: AppContext, retentionMs: number, everyMs = 3_600_000): { stop(): void } {
  const run = () =>
    pruneOnce(ctx, retentionMs)
      .then((n) => {
        if (n.events + n.attempts > 0) ctx.logger.info(n, 'pruned old events and attempts');
      })
      .catch((err: unknown) => ctx.logger.error({ err }, 'pruning failed'));
  const first = setTimeout(() => void run(), 1_000);
  const timer = setInterval(() => void run(), everyMs);
  first.unref();
  timer.unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
