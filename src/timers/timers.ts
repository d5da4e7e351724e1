// Durable timers: a row per (kind, subject) with its due time, kept in the database so a timer set
// before a restart still fires after it (at start, when it came due while hookline was down).
// The runner fires a due timer by deleting its row and running the kind's handler in the same
// transaction: the handler's change, its event and the timer's removal commit together, once.
import type { AppContext } from '../context.js';
import { skipLocked, type Db } from '../storage/db.js';

export type TimerKind = 'booking.completed' | 'conversation.abandoned';

/** Sets (or moves) the timer of a subject. */
export async function setTimer(db: Db, kind: TimerKind, subjectId: string, dueAt: number): Promise<void> {
  await db.run(
    'INSERT INTO timers (kind, subject_id, due_at) VALUES (?, ?, ?) ON CONFLICT (kind, subject_id) DO UPDATE SET due_at = excluded.due_at',
    [kind, subjectId, dueAt],
  );
}

export async function clearTimer(db: Db, kind: TimerKind, subjectId: string): Promise<void> {
  await db.run('DELETE FROM timers WHERE kind = ? AND subject_id = ?', [kind, subjectId]);
}

export type TimerHandler = (tx: Db, subjectId: string, dueAt: number) => Promise<void>;

export interface TimerRunner {
  /** Fires every timer due by the clock's now; resolves when they have all fired. */
  runDue(): Promise<number>;
  stop(): Promise<void>;
}

const BATCH = 100;

export function startTimers(ctx: AppContext, handlers: Record<TimerKind, TimerHandler>, maxWaitMs = 1_000): TimerRunner {
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let running: Promise<number> | undefined;

  const fire = async (row: { seq: number; kind: TimerKind; subject_id: string; due_at: number }): Promise<boolean> =>
    ctx.db.transaction(async (tx) => {
      // Deleting the row claims the firing; a row another worker is firing right now is passed over.
      const { changes } = await tx.run(`DELETE FROM timers WHERE seq IN (SELECT seq FROM timers WHERE seq = ? AND due_at = ?${skipLocked(tx)})`, [
        row.seq,
        row.due_at,
      ]);
      if (changes === 0) return false; // moved, cleared, or fired meanwhile or right now by another worker
      await handlers[row.kind](tx, row.subject_id, row.due_at);
      return true;
    });

  const runDue = (): Promise<number> =>
    (running ??= (async () => {
      let fired = 0;
      try {
        for (;;) {
          const due = await ctx.db.all<{ seq: number; kind: TimerKind; subject_id: string; due_at: number }>(
            'SELECT seq, kind, subject_id, due_at FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?',
            [ctx.clock.now(), BATCH],
          );
          for (const row of due) {
            try {
              if (await fire(row)) {
                fired++;
                ctx.metrics.timerFired(row.kind); // fire() resolves once its transaction committed
              }
            } catch (err) {
              ctx.logger.error({ err, timer: row.kind, subject: row.subject_id }, 'timer handler failed; it stays due');
            }
          }
          if (due.length < BATCH) return fired;
        }
      } finally {
        running = undefined;
      }
    })());

  const loop = async () => {
    timer = undefined;
    if (stopping) return;
    await runDue().catch((err: unknown) => ctx.logger.error({ err }, 'running timers failed'));
    const next = await ctx.db.get<{ t: number | null }>('SELECT MIN(due_at) AS t FROM timers').catch(() => undefined);
    const wait = next?.t == null ? maxWaitMs : Math.max(5, Math.min(maxWaitMs, next.t - ctx.clock.now()));
    if (!stopping) timer = setTimeout(() => void loop(), wait);
  };
  void loop();

  return {
    runDue,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
