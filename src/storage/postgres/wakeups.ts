// Wake-ups between processes on PostgreSQL, with LISTEN/NOTIFY. An API process tells: what its
// notifier hears from its own publishing goes out as NOTIFYs to the workers. A worker listens: a wake-up sent to it reaches its notifier, so a worker on another machine claims
// a new delivery at once instead of at its next poll. A process that runs a worker beside its API
// (`start`) does not tell: its own worker takes what it publishes at once.
//
// Each webhook's wake-ups go to one worker, chosen by rendezvous hashing over the workers alive
// (the `workers` table, read every heartbeat), on that worker's own channel: workers do not all
// race to claim the same new delivery, PostgreSQL signals only the one addressed, and a receiver's
// connections stay in one worker. A worker joining or leaving moves only its own share of webhooks.
// Wake-ups with no list of webhooks go to every worker, on the installation's channel.
//
// Polling stays the guarantee: a wake-up lost (none is sent while the database is down, a listener
// reconnecting hears none of the past, one sent to a worker that just died) only delays a delivery
// until some worker's next poll, and a listener that reconnects looks for everything due.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { AppContext } from '../../context.js';
import { liveWorkers } from '../../delivery/heartbeat.js';
import { splitSchema } from './connection.js';

export interface Wakeups {
  stop(): Promise<void>;
}

/** PostgreSQL's payload limit is 8,000 bytes; ids are packed into payloads below it. */
const PAYLOAD_BYTES = 7_000;
/** Instead of a list of webhooks: look for everything due. */
const EVERYTHING = '*';
/** A worker whose heartbeat is this many beats old gets no more wake-ups (it is taken for dead at 4). */
const ROSTER_BEATS = 2;

/** One channel per installation, for every worker: several may share a database, each in its own schema. */
export function channelName(url: string): string {
  const { schema } = splitSchema(url);
  return `hookline_due${schema === undefined ? '' : `_${schema}`}`.slice(0, 63);
}

/** One worker's own channel: its installation's and its id, hashed to a fixed-length identifier. */
export function workerChannel(url: string, workerId: string): string {
  return `hookline_wrk_${createHash('sha256').update(`${channelName(url)}/${workerId}`).digest('hex').slice(0, 32)}`;
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
  const everyone = channelName(config.database);
  let roster: string[] = [];
  const channels = new Map<string, string>();
  const channelOf = (worker: string | undefined) => {
    if (worker === undefined) return everyone;
    let channel = channels.get(worker);
    if (channel === undefined) channels.set(worker, (channel = workerChannel(config.database, worker)));
    return channel;
  };
  let stopped = false;

  const readRoster = async () => {
    try {
      roster = await liveWorkers(db, clock.now() - ROSTER_BEATS * config.heartbeatMs);
      for (const worker of channels.keys()) if (!roster.includes(worker)) channels.delete(worker);
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
      const notes = everything ? [{ channel: everyone, payload: EVERYTHING }] : addressed([...waiting], roster, channelOf);
      everything = false;
      waiting.clear();
      try {
        for (const { channel, payload } of notes) await db.run('SELECT pg_notify(?, ?)', [channel, payload]);
        failing = false;
      } catch (err) {
        if (!failing) logger.warn({ err }, 'could not notify workers of new deliveries; they will find them at their next poll');
        failing = true;
      }
    }
  };
  const unsubscribe = notifier.onDeliveriesDue((webhookIds) => {
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
  /** This worker's id in `workers`: it listens on its own channel and on the one for every worker. */
  workerId: string;
  /** First and longest wait before reconnecting a lost listener; it doubles in between. */
  reconnectMs?: { first: number; max: number };
}

/** Listens, on a connection of its own outside the pool, for wake-ups sent to this worker. */
export function startListening(ctx: AppContext, options: ListenOptions): Wakeups {
  const { logger, notifier, config } = ctx;
  const channels = [channelName(config.database), workerChannel(config.database, options.workerId)];
  const backoff = options.reconnectMs ?? { first: 100, max: 30_000 };
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const onNotification = (msg: pg.Notification) => {
    const ids = msg.payload ?? '';
    if (ids !== '') notifier.deliveriesDue(ids === EVERYTHING ? undefined : ids.split(','));
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
      await c.query(channels.map((channel) => `LISTEN ${channel}`).join('; '));
      if (client !== c) return;
      // Whatever was told while this listener was away: look for everything due.
      if (failures > 0) notifier.deliveriesDue(undefined);
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

/** Each worker's webhooks on its channel (on every worker's when none is known), in payloads under PostgreSQL's limit. */
function addressed(webhookIds: string[], workers: readonly string[], channelOf: (worker: string | undefined) => string) {
  const byChannel = new Map<string, string[]>();
  for (const id of webhookIds) {
    const channel = channelOf(workerFor(id, workers));
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), id]);
  }
  return [...byChannel].flatMap(([channel, ids]) => pack(ids).map((payload) => ({ channel, payload })));
}

/** `<id>,<id>,...` payloads, each under PostgreSQL's limit. */
function pack(ids: string[]): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    if (current.length > 0 && bytes + id.length + 1 > PAYLOAD_BYTES) {
      payloads.push(current.join(','));
      current = [];
      bytes = 0;
    }
    current.push(id);
    bytes += id.length + 1;
  }
  if (current.length > 0) payloads.push(current.join(','));
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
