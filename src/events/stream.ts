// Following an account's events as they are recorded: what GET /v2/events/stream serves and
// `hookline listen` reads. A position in the stream is a cursor, the `seq` of the last event handed
// out; a stream hands out every event after it once, in seq order, and resuming from the cursor of
// the last event seen misses none and repeats none.
//
// A stream reads only up to a frontier: a seq at or below which no event can appear any more. On
// SQLite it is the last seq, since one transaction writes at a time and events commit in seq order.
// On PostgreSQL transactions commit side by side: one that drew seq 10 can commit after the one that
// drew seq 11, and a reader past 11 would never see 10. There a transaction draws an event's seq only
// while it holds a RowExclusiveLock on `events` (taken before the insert draws it, held until the
// transaction ends), so each look at the frontier reads, in this order,
//   1. the last seq drawn (the sequence is read outside any snapshot; it is not cached, CACHE 1), then
//   2. the transactions holding that lock now (pg_locks, by virtual transaction id).
// A transaction seen holding it for the first time held none at the previous look, so every seq it
// draws is above the last seq read at that previous look: that is its bound. The frontier is the
// lowest of the last seq drawn and the bounds of the transactions still holding the lock; every event
// at or below it has been committed or rolled back, and a later snapshot sees the committed ones. A
// transaction that writes `events` and stays open holds the streams back until it ends (never making
// them skip); readers (pg_dump, reports), vacuum, and other applications' or schemas' transactions do
// not. Each process looks once per HOOKLINE_STREAM_POLL_MS while it has streams open, and at once
// after it records an event itself; its streams are woken when the frontier moved.
import type { AppContext } from '../context.js';
import { invalid } from '../errors.js';
import { markUnavailable, placeholders, type Db, type SqlValue } from '../storage/db.js';
import type { EventType } from '../webhooks/event-types.js';

export interface StreamedEvent {
  seq: number;
  id: string;
  type: string;
  /** The event exactly as stored: the bytes deliveries sign and send. */
  body: string;
}

/** A cursor a stream gave out (an event's seq); `param` names where it came from, for the error. */
export function parseCursor(raw: string, param: string): number {
  if (!/^\d{1,15}$/.test(raw.trim())) throw invalid(`Invalid ${param}: '${raw}'. Give the id of the last event the stream sent (e.g. 42).`, param);
  return Number(raw);
}

/**
 * How far events are final: the frontier (see above), or undefined while it cannot be told yet; and
 * whether writers held it below the last seq drawn, so that the next look will likely move it.
 */
type FrontierReader = () => Promise<{ frontier: number | undefined; heldBack: boolean }>;

function sqliteFrontier(db: Db): FrontierReader {
  return async () => ({ frontier: (await db.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events'))?.seq ?? 0, heldBack: false });
}

function postgresFrontier(db: Db): FrontierReader {
  /** Each transaction holding the lock, by virtual transaction id: every seq it draws is above its bound. */
  let bounds = new Map<string, number>();
  /** The last seq drawn, as the previous look read it; undefined before the first look. */
  let previous: number | undefined;
  return async () => {
    const drawn = await db.get<{ seq: number | null }>(
      "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence('events', 'seq') AS regclass)) AS seq",
    );
    const writers = await db.all<{ vxid: string }>(
      `SELECT DISTINCT virtualtransaction AS vxid FROM pg_locks
        WHERE locktype = 'relation' AND mode = 'RowExclusiveLock' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND relation = CAST('events' AS regclass)`,
    );
    const last = drawn?.seq ?? 0;
    // A writer already there at the first look may hold any seq drawn so far: no bound until it ends.
    bounds = new Map(writers.map(({ vxid }) => [vxid, bounds.get(vxid) ?? previous ?? Number.NEGATIVE_INFINITY]));
    previous = last;
    const frontier = Math.min(last, ...bounds.values());
    return { frontier: Number.isFinite(frontier) ? frontier : undefined, heldBack: frontier < last };
  };
}

/** At most `limit` of the account's events after `after` and up to the frontier, in seq order, of the given types (all when not given). */
export async function readAfter(db: Db, accountId: string, after: number, frontier: number, types: readonly EventType[] | undefined, limit: number): Promise<StreamedEvent[]> {
  const ofTypes = types === undefined ? '' : ` AND type IN (${placeholders(types.length)})`;
  const typeParams: SqlValue[] = types === undefined ? [] : [...types];
  return db.all<StreamedEvent>(
    `SELECT seq, id, type, body FROM events WHERE account_id = ? AND seq > ? AND seq <= ?${ofTypes} ORDER BY seq LIMIT ?`,
    [accountId, after, frontier, ...typeParams, limit],
  );
}

export interface FollowOptions {
  accountId: string;
  types?: readonly EventType[] | undefined;
  /** The cursor to start after. */
  from: number;
}

export interface EventFeed {
  /** Where a stream opened now starts: after everything already final, so it carries what is recorded from now on. */
  start(): Promise<number>;
  /**
   * Hands each event after `from` to `deliver`, one at a time and in order (waiting for it), until
   * stopped. `done` settles once it has stopped: rejected when the database failed it.
   */
  follow(options: FollowOptions, deliver: (event: StreamedEvent) => Promise<void>): { stop(): void; done: Promise<void> };
  stop(): void;
}

export interface FeedOptions {
  /** Longest wait between two looks at the frontier while streams are open. */
  pollMs: number;
  /** The shortest wait between two looks (default 50 ms): after one that writers held back, the next comes this soon. */
  minGapMs?: number;
  /** How long start() waits for a frontier (a writer already open when the feed began must end first). */
  startTimeoutMs: number;
}

/** Events read per query; a backlog is read in pages of this many. */
const PAGE = 100;

/** One per process: looks at the frontier for all its streams, and wakes them when it moves. */
export function startEventFeed(ctx: Pick<AppContext, 'db' | 'notifier' | 'logger'>, options: FeedOptions): EventFeed {
  const { db, logger } = ctx;
  const readFrontier = db.dialect === 'postgres' ? postgresFrontier(db) : sqliteFrontier(db);
  let frontier: number | undefined;
  let heldBack = false;
  const wakers = new Set<() => void>();
  let stopped = false;

  // One look at a time (the PostgreSQL reader compares each look with the one before); asked for
  // again meanwhile, it looks once more after.
  let reading: Promise<number | undefined> | undefined;
  let again = false;
  let failing = false;
  const refresh = (): Promise<number | undefined> => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      do {
        again = false;
        const look = await readFrontier();
        heldBack = look.heldBack;
        if (look.frontier !== undefined && look.frontier !== frontier) {
          frontier = look.frontier;
          for (const wake of wakers) wake();
        }
      } while (again && !stopped);
      return frontier;
    })().finally(() => (reading = undefined));
    return reading;
  };
  const refreshQuietly = () =>
    refresh().then(
      () => (failing = false),
      (err: unknown) => {
        if (!failing) logger.warn({ err }, 'event streams could not read how far events are final; they wait and try again');
        failing = true;
      },
    );

  // Looks while streams are open: every pollMs; sooner after one that writers held back, or when this
  // process recorded an event; never two closer than minGapMs, however busy publishing is.
  const minGapMs = Math.min(options.pollMs, options.minGapMs ?? 50);
  let lastLookAt = Number.NEGATIVE_INFINITY;
  let next: { at: number; timer: NodeJS.Timeout } | undefined;
  const lookIn = (delayMs: number) => {
    if (stopped || wakers.size === 0) return;
    const at = Math.max(Date.now() + delayMs, lastLookAt + minGapMs);
    if (next && next.at <= at) return;
    if (next) clearTimeout(next.timer);
    next = { at, timer: setTimeout(look, at - Date.now()) };
  };
  const look = () => {
    next = undefined;
    if (stopped || wakers.size === 0) return;
    lastLookAt = Date.now();
    void refreshQuietly().then(() => lookIn(heldBack ? minGapMs : options.pollMs));
  };
  const unsubscribe = ctx.notifier.onEventPublished(() => lookIn(0));

  return {
    async start() {
      const deadline = Date.now() + options.startTimeoutMs;
      for (;;) {
        const value = await refresh();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw markUnavailable(new Error('a transaction writing events has been open since the event feed began'));
        await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs, 50)));
      }
    },

    follow(follow, deliver) {
      let done = false;
      let moved = true;
      let resume: (() => void) | undefined;
      const wake = () => {
        moved = true;
        resume?.();
      };
      wakers.add(wake);
      lookIn(frontier === undefined ? 0 : options.pollMs);
      const run = async () => {
        let at = follow.from;
        try {
          while (!done && !stopped) {
            if (!moved) await new Promise<void>((resolve) => (resume = resolve));
            resume = undefined;
            moved = false;
            const upTo = frontier;
            if (upTo === undefined) continue; // woken when there is one
            let events: StreamedEvent[];
            do {
              events = await readAfter(db, follow.accountId, at, upTo, follow.types, PAGE);
              for (const event of events) {
                if (done || stopped) return;
                await deliver(event);
                at = event.seq;
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
      if (next) clearTimeout(next.timer);
      for (const wake of wakers) wake();
    },
  };
}
