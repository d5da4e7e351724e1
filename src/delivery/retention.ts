// Keeps the database bounded: events older than the retention age whose deliveries are all
// finished are deleted with their deliveries and attempts, and old attempts of deliveries still
// being retried are dropped too. Work is done in small chunks so no transaction holds the database long.
import type { AppContext } from '../context.js';

const CHUNK = 1_000;

export async function pruneOnce(ctx: AppContext, retentionMs: number): Promise<{ events: number; attempts: number }> {
  const cutoff = ctx.clock.now() - retentionMs;
  let events = 0;
  let attempts = 0;
  for (;;) {
    const { changes } = await ctx.db.run(
      `DELETE FROM events WHERE id IN (
         SELECT e.id FROM events e
          WHERE e.created_at < ?
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
          LIMIT ?)`,
      [cutoff, CHUNK],
    );
    events += changes;
    if (changes < CHUNK) break;
  }
  for (;;) {
    const { changes } = await ctx.db.run(
      'DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE attempted_at < ? LIMIT ?)',
      [cutoff, CHUNK],
    );
    attempts += changes;
    if (changes < CHUNK) break;
  }
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
