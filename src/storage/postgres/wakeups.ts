// Wake-ups between processes on PostgreSQL, with LISTEN/NOTIFY. What this process's notifier
// hears from its own publishing goes out as a NOTIFY on the installation's channel; a listening
// process (a worker) hands what others sent to its notifier, so a worker on another machine claims
// a new delivery at once instead of at its next poll. Polling stays the guarantee: a notification
// lost (none is sent while the database is down, a listener reconnecting hears none of the past)
// only delays a delivery until the next poll, and a listener that reconnects looks for everything due.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../logger.js';
import type { Notifier } from '../../notifier.js';
import type { Db } from '../db.js';
import { splitSchema } from './connection.js';

export interface Wakeups {
  stop(): Promise<void>;
}

export interface WakeupOptions {
  /** The database URL (with hookline's `schema` parameter, if any: it names the channel). */
  url: string;
  /** Workers listen; an API process only tells. */
  listen: boolean;
  /** First and longest wait before reconnecting a lost listener; it doubles in between. */
  reconnectMs?: { first: number; max: number };
}

/** PostgreSQL's payload limit is 8,000 bytes; ids are packed into payloads below it. */
const PAYLOAD_BYTES = 7_000;
const EVERYTHING = '*';

/** One channel per installation: several may share a database, each in its own schema. */
export function channelName(url: string): string {
  const { schema } = splitSchema(url);
  return `hookline_due${schema === undefined ? '' : `_${schema}`}`.slice(0, 63);
}

export function startWakeups(db: Db, notifier: Notifier, logger: Logger, options: WakeupOptions): Wakeups {
  const channel = channelName(options.url);
  const self = randomBytes(6).toString('hex');
  const backoff = options.reconnectMs ?? { first: 100, max: 30_000 };
  let stopped = false;

  // Telling: at most one NOTIFY round trip at a time; what comes due meanwhile rides on the next one.
  const waiting = new Set<string>();
  let everything = false;
  let sending: Promise<void> | undefined;
  let failing = false;
  const send = async () => {
    while (!stopped && (everything || waiting.size > 0)) {
      const payloads = everything ? [`${self} ${EVERYTHING}`] : pack(self, [...waiting]);
      everything = false;
      waiting.clear();
      try {
        for (const payload of payloads) await db.run('SELECT pg_notify(?, ?)', [channel, payload]);
        failing = false;
      } catch (err) {
        if (!failing) logger.warn({ err }, 'could not notify other processes of new deliveries; they will find them at their next poll');
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

  // Listening: one connection of its own, outside the pool, reconnected with backoff when lost.
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  const onNotification = (msg: pg.Notification) => {
    const [sender, ids] = (msg.payload ?? '').split(' ');
    if (sender === self || ids === undefined) return;
    notifier.remoteDeliveriesDue(ids === EVERYTHING ? undefined : ids.split(','));
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
    const c = new pg.Client({ connectionString: splitSchema(options.url).connectionString, keepAlive: true, connectionTimeoutMillis: 10_000, application_name: 'hookline-wakeups' });
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
  if (options.listen) void connect();

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      if (retryTimer) clearTimeout(retryTimer);
      await sending;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

/** `<sender> <id>,<id>,...` payloads, each under PostgreSQL's limit. */
function pack(sender: string, ids: string[]): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let bytes = sender.length + 1;
  for (const id of ids) {
    if (current.length > 0 && bytes + id.length + 1 > PAYLOAD_BYTES) {
      payloads.push(`${sender} ${current.join(',')}`);
      current = [];
      bytes = sender.length + 1;
    }
    current.push(id);
    bytes += id.length + 1;
  }
  if (current.length > 0) payloads.push(`${sender} ${current.join(',')}`);
  return payloads;
}
