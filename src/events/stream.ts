// Following an account's events as they are recorded: what GET /v2/events/stream serves and
// `hookline listen` reads. A position in the stream is a cursor, `<xact>-<seq>`; a stream hands out
// every event after it once, in order, and resuming from the cursor of the last event seen misses
// none and repeats none.
//
// The order must be one that commits cannot overtake. On SQLite it is `seq`: one transaction writes
// at a time, so events commit in seq order (xact is always 0). On PostgreSQL a transaction holding
// seq 10 can commit after the one holding seq 11, and a reader past 11 would skip 10. There the
// order is (xact, seq), xact being the id of the transaction that wrote the event (migration 011),
// and a stream reads only below a frontier: a transaction id such that every transaction below it
// that could write this installation's events has ended. No event can appear below the frontier any
// more, so what lies below it is final. The frontier is the oldest transaction still running that
// holds a lock on one of this installation's tables (every hookline transaction with an id takes one
// before it gets the id), or else the first id not yet completed: transactions of other
// applications, or of other hookline installations in other schemas, do not hold the stream back.
// One of ours left open does, until it ends; it never makes the stream skip.
//
// Each process reads the frontier once per HOOKLINE_STREAM_POLL_MS (and at once after it records an
// event itself), and wakes its streams when it moved; each stream then reads its account's events.
import type { AppContext } from '../context.js';
import { invalid } from '../errors.js';
import { placeholders, type Db, type SqlValue } from '../storage/db.js';
import type { EventType } from '../webhooks/event-types.js';

export interface Position {
  /** The writing transaction's id (xid8 as decimal text) on PostgreSQL; '0' on SQLite. */
  xact: string;
  seq: number;
}

export interface StreamedEvent {
  position: Position;
  id: string;
  type: string;
  /** The event exactly as stored: the bytes deliveries sign and send. */
  body: string;
}

export function formatCursor(p: Position): string {
  return `${p.xact}-${p.seq}`;
}

/** A cursor a stream gave out; `param` names where it came from, for the error. */
export function parseCursor(raw: string, param: string): Position {
  const m = /^(\d{1,20})-(\d{1,15})$/.exec(raw.trim());
  if (!m) throw invalid(`Invalid ${param}: '${raw}'. Give the id of the last event the stream sent (e.g. 0-42).`, param);
  return { xact: BigInt(m[1]!).toString(), seq: Number(m[2]) };
}

/**
 * PostgreSQL: the frontier (see above), from one snapshot. A transaction in the snapshot's list of
 * running ones counts unless it is seen running still and holding no lock on a table of this schema;
 * one that ended meanwhile counts (its rows are not in the snapshot). SQLite: the last seq.
 */
async function readFrontier(db: Db): Promise<string> {
  if (db.dialect === 'sqlite') {
    const row = await db.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events');
    return String(row?.seq ?? 0);
  }
  const row = await db.get<{ frontier: string }>(
    `SELECT CAST(COALESCE(
       (SELECT MIN(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
         WHERE CAST(x AS xid) NOT IN (
           SELECT own.transactionid FROM pg_locks own
            WHERE own.locktype = 'transactionid' AND own.mode = 'ExclusiveLock' AND own.granted
              AND NOT EXISTS (
                SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                 WHERE l.virtualtransaction = own.virtualtransaction
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND c.relnamespace = CAST(current_schema() AS regnamespace)))),
       pg_snapshot_xmax(pg_current_snapshot())) AS text) AS frontier`,
  );
  return row!.frontier;
}

/** At most `limit` of the account's events after `from` and below the frontier, in stream order, of the given types (all when not given). */
export async function readAfter(db: Db, accountId: string, from: Position, frontier: string, types: readonly EventType[] | undefined, limit: number): Promise<StreamedEvent[]> {
  const ofTypes = types === undefined ? '' : ` AND type IN (${placeholders(types.length)})`;
  const typeParams: SqlValue[] = types === undefined ? [] : [...types];
  type Row = { xact: string; seq: number; id: string; type: string; body: string };
  const rows =
    db.dialect === 'postgres'
      ? await db.all<Row>(
          `SELECT CAST(xact AS text) AS xact, seq, id, type, body FROM events
            WHERE account_id = ? AND (xact, seq) > (CAST(? AS xid8), ?) AND xact < CAST(? AS xid8)${ofTypes}
            ORDER BY xact, seq LIMIT ?`,
          [accountId, from.xact, from.seq, frontier, ...typeParams, limit],
        )
      : await db.all<Row>(
          `SELECT '0' AS xact, seq, id, type, body FROM events WHERE account_id = ? AND seq > ?${ofTypes} ORDER BY seq LIMIT ?`,
          [accountId, from.seq, ...typeParams, limit],
        );
  return rows.map((r) => ({ position: { xact: r.xact, seq: r.seq }, id: r.id, type: r.type, body: r.body }));
}

export interface FollowOptions {
  accountId: string;
  types?: readonly EventType[] | undefined;
  from: Position;
}

export interface EventFeed {
  /** Where a stream opened now starts: after everything already final, so it carries what is recorded from now on. */
  start(): Promise<Position>;
  /**
   * Hands each event after `from` to `deliver`, one at a time and in order (waiting for it), until
   * stopped. `done` settles once it has stopped: rejected when the database failed it.
   */
  follow(options: FollowOptions, deliver: (event: StreamedEvent) => Promise<void>): { stop(): void; done: Promise<void> };
  stop(): void;
}

/** Events read per query; a backlog is read in pages of this many. */
const PAGE = 100;

/** One per process: reads the frontier for all its streams, and wakes them when it moves. */
export function startEventFeed(ctx: Pick<AppContext, 'db' | 'notifier' | 'logger'>, pollMs: number): EventFeed {
  const { db, logger } = ctx;
  let frontier: string | undefined;
  const wakers = new Set<() => void>();
  let stopped = false;

  // One read of the frontier at a time; asked for again meanwhile, it reads once more after.
  let reading: Promise<string> | undefined;
  let again = false;
  let failing = false;
  const refresh = (): Promise<string> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      let value: string;
      do {
        again = false;
        value = await readFrontier(db);
        if (value !== frontier) {
          frontier = value;
          for (const wake of wakers) wake();
        }
      } while (again && !stopped);
      return value;
    })().finally(() => (reading = undefined));
    return reading;
  };
  const refreshQuietly = () =>
    void refresh().then(
      () => (failing = false),
      (err: unknown) => {
        if (!failing) logger.warn({ err }, 'event streams could not read how far events are final; they wait and try again');
        failing = true;
      },
    );

  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    timer = undefined;
    if (stopped || wakers.size === 0) return;
    refreshQuietly();
    timer = setTimeout(tick, pollMs);
  };
  const unsubscribe = ctx.notifier.onEventPublished(() => {
    if (wakers.size > 0) refreshQuietly();
  });

  return {
    async start() {
      const value = await refresh();
      return db.dialect === 'postgres' ? { xact: value, seq: 0 } : { xact: '0', seq: Number(value) };
    },

    follow(options, deliver) {
      let done = false;
      let moved = true;
      let resume: (() => void) | undefined;
      const wake = () => {
        moved = true;
        resume?.();
      };
      wakers.add(wake);
      timer ??= setTimeout(tick, pollMs);
      const run = async () => {
        let at = options.from;
        try {
          while (!done && !stopped) {
            if (!moved) await new Promise<void>((resolve) => (resume = resolve));
            resume = undefined;
            moved = false;
            const below = frontier ?? (await refresh());
            let events: StreamedEvent[];
            do {
              events = await readAfter(db, options.accountId, at, below, options.types, PAGE);
              for (const event of events) {
                if (done || stopped) return;
                await deliver(event);
                at = event.position;
              }
            } while (events.length === PAGE);
          }
        } finally {
          wakers.delete(wake);
        }
      };
      return {
        stop() {
          done = true;
          wake();
        },
        done: run(),
      };
    },

    stop() {
      stopped = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      for (const wake of wakers) wake();
    },
  };
}
