// `hookline listen`: reads the account's events live from a running hookline (GET /v2/events/stream,
// over HTTP with an API key: it needs no database and no inbound connection), and for each one either
// POSTs it to a local URL, signed with the session's listen secret exactly as a delivery is
// (Oncehub-Signature and the Standard Webhooks headers), printing a line with the local answer, or
// prints the payload (--print-json). When the connection drops or the server restarts it reconnects
// and resumes after the last event it handled: no gap, no repeat.
import { request } from 'undici';
import { signedHeaders } from '../delivery/signing.js';
import { USER_AGENT } from '../version.js';
import { EVENT_TYPES } from '../webhooks/event-types.js';
import { reason, type Remote } from './api-client.js';
import { sseParser, type SseMessage } from './sse.js';

export interface ListenOptions {
  remote: Remote;
  /** POST each event here, signed with `secret`; without it, print each payload. */
  forwardTo?: string | undefined;
  /** The listen secret (the webhook secret's role). */
  secret: string;
  /** Comma-separated event types or composites, as the stream takes them. */
  events?: string | undefined;
  /** Event lines (or payloads). */
  out(line: string): void;
  /** Status: ready, connection lost, reconnected. */
  err(line: string): void;
  /** First and longest wait before reconnecting; it doubles in between. */
  reconnectMs?: { first: number; max: number };
}

/** Event lines align on the longest type. */
const TYPE_WIDTH = Math.max(...EVENT_TYPES.map((t) => t.length));

/** HH:MM:SS of an ISO time, in this machine's time zone. */
const clockTime = (iso: string) => new Date(iso).toTimeString().slice(0, 8);

/** A fatal refusal (bad key, bad filter): reconnecting would not help. */
class Refused extends Error {}

const FORWARD_TIMEOUT_MS = 30_000;
/** Until the stream says how often it sends heartbeats: how long it may stay silent. */
const FIRST_SILENCE_MS = 30_000;

export function listen(options: ListenOptions): { stop(): void; done: Promise<void> } {
  const { remote, out, err } = options;
  const backoff = options.reconnectMs ?? { first: 250, max: 3_000 };
  let stopped = false;
  let current: AbortController | undefined;
  let cursor: string | undefined;
  let connectedOnce = false;
  let wakeFromWait: (() => void) | undefined;

  const query = options.events === undefined ? '' : `?events=${encodeURIComponent(options.events)}`;
  const url = `${remote.base}/v2/events/stream${query}`;

  const handle = async (message: SseMessage) => {
    if (message.event === 'ready') {
      cursor = message.id;
      const ready = JSON.parse(message.data) as { heartbeat_ms: number };
      if (!connectedOnce) {
        const what = options.events === undefined ? 'all events' : `events ${options.events}`;
        err(options.forwardTo ? `Ready: forwarding ${what} to ${options.forwardTo}` : `Ready: printing ${what}`);
      } else {
        err('Reconnected; resuming after the last event received.');
      }
      connectedOnce = true;
      return ready.heartbeat_ms;
    }
    const event = JSON.parse(message.data) as { id: string; type: string; creation_time: string };
    if (options.forwardTo === undefined) out(message.data);
    else out(`${clockTime(event.creation_time)}  ${event.type.padEnd(TYPE_WIDTH)}  ${event.id}  ${await forward(options.forwardTo, options.secret, event.id, message.data)}`);
    cursor = message.id;
    return undefined;
  };

  /** One connection: resolves when it ends, throws Refused when the server will not serve it. */
  const session = async (): Promise<boolean> => {
    const abort = new AbortController();
    current = abort;
    let silenceMs = FIRST_SILENCE_MS;
    let watchdog: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(new Error('the stream went silent')), silenceMs);
    };
    try {
      alive();
      const res = await request(url, {
        headers: { 'API-Key': remote.key, Accept: 'text/event-stream', ...(cursor !== undefined && { 'Last-Event-ID': cursor }) },
        signal: abort.signal,
        headersTimeout: FIRST_SILENCE_MS,
        bodyTimeout: 0,
      });
      if (res.statusCode !== 200) {
        const body = (await res.body.json().catch(() => ({}))) as { message?: string };
        const message = `hookline answered ${res.statusCode}: ${body.message ?? 'no reason given'}`;
        if (res.statusCode === 429 || res.statusCode >= 500) throw new Error(message);
        throw new Refused(message);
      }
      const messages: SseMessage[] = [];
      const parse = sseParser((m) => messages.push(m));
      res.body.setEncoding('utf8');
      for await (const chunk of res.body) {
        alive();
        parse(chunk as string);
        for (const m of messages.splice(0)) {
          clearTimeout(watchdog); // forwarding may take a while: the stream is not silent meanwhile
          const heartbeat = await handle(m);
          if (heartbeat !== undefined) silenceMs = Math.max(3 * heartbeat, 10_000);
          alive();
          if (stopped) return true;
        }
      }
      return true;
    } finally {
      clearTimeout(watchdog);
      current = undefined;
    }
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms * (0.8 + Math.random() * 0.4));
      wakeFromWait = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        await session();
        failures = 0;
        if (!stopped) err('The connection to hookline ended; reconnecting…');
      } catch (e) {
        if (stopped) return;
        if (e instanceof Refused) throw e;
        if (failures === 0) err(`Lost the connection to hookline (${lostBecause(e)}); reconnecting…`);
        failures++;
      }
      if (!stopped) await wait(Math.min(backoff.max, backoff.first * 2 ** Math.max(0, failures - 1)));
    }
  };

  return {
    stop() {
      stopped = true;
      current?.abort();
      wakeFromWait?.();
    },
    done: run(),
  };
}

/** Why a stream was lost: a connection cut mid-response reads as such, not as undici's parser error. */
function lostBecause(e: unknown): string {
  const err = e as { name?: unknown; code?: unknown };
  if (err.name === 'HTTPParserError' || err.code === 'UND_ERR_SOCKET') return 'the connection was cut';
  return reason(e);
}

/** POSTs one event to the local URL, signed as a delivery is; describes the answer. */
async function forward(to: string, secret: string, eventId: string, body: string): Promise<string> {
  const started = performance.now();
  const took = () => `(${Math.round(performance.now() - started)} ms)`;
  try {
    const res = await request(to, {
      method: 'POST',
      headers: { ...signedHeaders([secret], eventId, body, Date.now(), USER_AGENT) },
      body,
      headersTimeout: FORWARD_TIMEOUT_MS,
      bodyTimeout: FORWARD_TIMEOUT_MS,
    });
    await res.body.dump();
    return `→ ${res.statusCode} ${took()}`;
  } catch (e) {
    return `→ error: ${reason(e)} ${took()}`;
  }
}
