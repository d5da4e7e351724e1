// Wake-ups between processes on PostgreSQL, with LISTEN/NOTIFY. An API process tells: what its
// notifier hears from its own publishing goes out as a NOTIFY on the installation's channel. A
// worker listens: a wake-up sent to it reaches its notifier, so a worker on another machine claims
// a new delivery at once instead of at its next poll. A process that runs a worker beside its API
// (`start`) does not tell: its own worker takes what it publishes at once.
//
// Each webhook's wake-ups go to one worker, chosen by rendezvous hashing over the workers alive
// (the `workers` table, read every heartbeat), so workers do not all race to claim the same new
// delivery, and a receiver's connections stay in one worker. A worker joining or leaving moves only
// its own share of webhooks. Wake-ups with no list of webhooks go to every worker.
//
// Polling stays the guarantee: a wake-up lost (none is sent while the database is down, a listener
// reconnecting hears none of the past, one sent to a worker that just died) only delays a delivery
// until some worker's next poll, and a listener that reconnects looks for everything due.
import pg from 'pg';
import type { AppContext } from '../../context.js';
import { liveWorkers } from '../../delivery/heartbeat.js';
import { splitSchema } from './connection.js';

export interface Wakeups {
  stop(): Promise<void>;
}

/** PostgreSQL's payload limit is 8,000 bytes; ids are packed into payloads below it. */
const PAYLOAD_BYTES = 7_000;
/** As target: every worker. As the list of webhooks: look for everything due. */
const EVERYONE = '*';
/** A worker whose heartbeat is this many beats old gets no more wake-ups (it is taken for dead at 4). */
const ROSTER_BEATS = 2;

/** One channel per installation: several may share a database, each in its own schema. */
export function channelName(url: string): string {
  const { schema } = splitSchema(url);
  return `hookline_due${schema === undefined ? '' : `_${schema}`}`.slice(0, 63);
}

/** The worker a webhook's wake-ups go to: the one scoring highest for it (rendezvous hashing). */
export function workerFor(webhookId: string, workers: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const worker of workers) {
    const score = fnv1a(`${worker}/${webhookId}`);
    if (score > bestScore || (score === bestScore && worker < best!)) {
      best = worker;
      bestScore = score;
    }
  }
  return best;
}

/** Tells the workers, through NOTIFY, which webhooks this process queued deliveries for. */
export function startTelling(ctx: AppContext): Wakeups {
  const { db, clock, logger, notifier, config } = ctx;
  const channel = channelName(config.database);
  let roster: string[] = [];
  let stopped = false;

  const readRoster = async () => {
    try {
      roster = await liveWorkers(db, clock.now() - ROSTER_BEATS * config.heartbeatMs);
    } catch (err) {
      logger.warn({ err }, 'could not read which workers are alive; wake-ups keep going to the ones known');
    }
  };
  let rosterTimer: NodeJS.Timeout | undefined;
  const refresh = () => {
    void readRoster().then(() => {
      if (!stopped) rosterTimer = setTimeout(refresh, config.heartbeatMs);
    });
  };
  refresh();

  // At most one NOTIFY round trip at a time; what comes due meanwhile rides on the next one.
  const waiting = new Set<string>();
  let everything = false;
  let sending: Promise<void> | undefined;
  let failing = false;
  const send = async () => {
    while (!stopped && (everything || waiting.size > 0)) {
      const payloads = everything ? [`${EVERYONE} ${EVERYONE}`] : addressed([...waiting], roster);
      everything = false;
      waiting.clear();
      try {
        for (const payload of payloads) await db.run('SELECT pg_notify(?, ?)', [channel, payload]);
        failing = false;
      } catch (err) {
        if (!failing) logger.warn({ err }, 'could not notify workers of new deliveries; they will find them at their next poll');
        failing = true;
      }
    }
  };
  const unsubscribe = notifier.onDeliveriesDue((webhookIds, origin) => {
    if (origin !== 'local') return;
    if (webhookIds === undefined) everything = true;
    else for (const id of webhookIds) waiting.add(id);
    sending ??= send().finally(() => (sending = undefined));
  });

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      if (rosterTimer) clearTimeout(rosterTimer);
      await sending;
    },
  };
}

export interface ListenOptions {
  /** This worker's id in `workers`: wake-ups addressed to it or to every worker reach it. */
  workerId: string;
  /** First and longest wait before reconnecting a lost listener; it doubles in between. */
  reconnectMs?: { first: number; max: number };
}

/** Listens, on a connection of its own outside the pool, for wake-ups sent to this worker. */
export function startListening(ctx: AppContext, options: ListenOptions): Wakeups {
  const { logger, notifier, config } = ctx;
  const channel = channelName(config.database);
  const backoff = options.reconnectMs ?? { first: 100, max: 30_000 };
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const onNotification = (msg: pg.Notification) => {
    const [target, ids] = (msg.payload ?? '').split(' ');
    if (ids === undefined || (target !== EVERYONE && target !== options.workerId)) return;
    notifier.remoteDeliveriesDue(ids === EVERYONE ? undefined : ids.split(','));
  };
  const lost = (c: pg.Client, err?: Error) => {
    if (client !== c) return;
    client = undefined;
    c.removeAllListeners('notification');
    c.end().catch(() => {});
    if (stopped) return;
    const wait = Math.min(backoff.max, backoff.first * 2 ** failures++) * (0.8 + Math.random() * 0.4);
    logger.warn({ err, retryInMs: Math.round(wait) }, 'the wake-up listener lost its database connection; reconnecting');
    retryTimer = setTimeout(() => void connect(), wait);
  };
  const connect = async () => {
    retryTimer = undefined;
    if (stopped) return;
    const c = new pg.Client({
      connectionString: splitSchema(config.database).connectionString,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      application_name: 'hookline-wakeups',
    });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', onNotification);
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (client !== c) return;
      // Whatever was told while this listener was away: look for everything due.
      if (failures > 0) notifier.remoteDeliveriesDue(undefined);
      failures = 0;
    } catch (err) {
      lost(c, err as Error);
    }
  };
  void connect();

  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

/** `<worker> <id>,<id>,...` payloads, one or more per worker, each under PostgreSQL's limit; to everyone when no worker is known. */
function addressed(webhookIds: string[], workers: readonly string[]): string[] {
  const byWorker = new Map<string, string[]>();
  for (const id of webhookIds) {
    const worker = workerFor(id, workers) ?? EVERYONE;
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), id]);
  }
  return [...byWorker].flatMap(([worker, ids]) => pack(worker, ids));
}

function pack(target: string, ids: string[]): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let bytes = target.length + 1;
  for (const id of ids) {
    if (current.length > 0 && bytes + id.length + 1 > PAYLOAD_BYTES) {
      payloads.push(`${target} ${current.join(',')}`);
      current = [];
      bytes = target.length + 1;
    }
    current.push(id);
    bytes += id.length + 1;
  }
  if (current.length > 0) payloads.push(`${target} ${current.join(',')}`);
  return payloads;
}

/** 32-bit FNV-1a: a fast, well-spread hash of short strings. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
