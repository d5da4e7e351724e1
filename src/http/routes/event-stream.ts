// GET /v2/events/stream (hookline extension): the account's events as Server-Sent Events, live as they
// are recorded, for `hookline listen` and any EventSource. Each event's `id:` is its stream cursor;
// reconnecting with it (the Last-Event-ID header, or ?since=) resumes after that event, missing none
// and repeating none (events/stream.ts says how). Heartbeat comment lines keep proxies from closing an
// idle stream. One request opens a stream for as long as it lasts: the rate limit counts it once.
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { HooklineError, invalid } from '../../errors.js';
import { parseCursor, startEventFeed, type StreamedEvent } from '../../events/stream.js';
import { COMPOSITES, EVENT_TYPES, isComposite, isEventType, SUBSCRIBABLE, type EventType } from '../../webhooks/event-types.js';
import { accountOf } from '../auth.js';
import { errorResponses } from '../schemas.js';
import type { RouteDeps } from './deps.js';

interface Query {
  events?: string;
  since?: string;
}

/** `booking,conversation.closed` as the event types it stands for (composites expanded); undefined for all. */
export function parseEventsFilter(raw: string | undefined): EventType[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const types = new Set<EventType>();
  for (const value of raw.split(',').map((v) => v.trim())) {
    if (isComposite(value)) for (const t of COMPOSITES[value]) types.add(t);
    else if (isEventType(value)) types.add(value);
    else throw invalid(`Invalid event type: '${value}'. Valid values are: ${SUBSCRIBABLE.join(', ')}.`, 'events');
  }
  return EVENT_TYPES.filter((t) => types.has(t));
}

const frame = (e: StreamedEvent) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${e.body}\n\n`;

export function eventStreamRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const { config } = ctx;
  /** The open streams, per account: bounded, and all ended when the server closes. */
  const open = new Map<string, Set<() => void>>();
  const feed = startEventFeed(ctx, { pollMs: config.streamPollMs, startTimeoutMs: config.databaseTimeoutMs });
  app.addHook('preClose', async () => {
    for (const streams of open.values()) for (const end of [...streams]) end();
    feed.stop();
  });

  app.get<{ Querystring: Query; Headers: { 'last-event-id'?: string } }>('/v2/events/stream', {
    schema: {
      operationId: 'stream-events',
      summary: "The account's events live, as Server-Sent Events (hookline extension)",
      description:
        'Opens a text/event-stream. The first message is `event: ready` with `data` {"object":"event_stream","cursor",' +
        '"heartbeat_ms","events"}; then one message per event recorded from then on (or after the cursor given), in order: ' +
        '`id` is its stream cursor, `event` its type and `data` the event exactly as deliveries send it. Lines starting ' +
        'with `:` are heartbeats. To resume without a gap or a repeat, reconnect with the last `id` received in the ' +
        'Last-Event-ID header (or `since`). At most HOOKLINE_STREAM_CONNECTIONS streams per account and process (429 beyond).',
      tags: ['Events and deliveries'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          events: { type: 'string', description: 'Comma-separated event types, or the composites booking and conversation; default: every type.' },
          since: { type: 'string', description: 'A stream cursor (an `id` the stream sent): start after that event. Last-Event-ID takes precedence.' },
        },
      },
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', description: 'The cursor of the last event received: resume after it.' } } },
      response: {
        200: { description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        ...errorResponses,
      },
    },
    handler: async (request, reply) => {
      const accountId = accountOf(request);
      const types = parseEventsFilter(request.query.events);
      const resumeFrom = request.headers['last-event-id'] ?? request.query.since;
      const param = request.headers['last-event-id'] !== undefined ? 'Last-Event-ID' : 'since';
      const from = resumeFrom === undefined ? await feed.start() : parseCursor(resumeFrom, param);
      const streams = open.get(accountId) ?? new Set();
      if (streams.size >= config.streamConnections) {
        void reply.header('Retry-After', '5');
        throw new HooklineError('rate_limit', `This account has ${config.streamConnections} event streams open already: close one first.`);
      }

      const raw = reply.hijack().raw;
      raw.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no', // nginx: pass each message on at once
        Connection: 'close', // the connection ends with the stream: a stopping server waits for no idle keep-alive
        'Request-Id': request.id,
      });
      const ready = { object: 'event_stream', cursor: String(from), heartbeat_ms: config.streamHeartbeatMs, events: types ?? EVENT_TYPES };
      raw.write(`retry: 1000\nid: ${ready.cursor}\nevent: ready\ndata: ${JSON.stringify(ready)}\n\n`);

      const follower = feed.follow({ accountId, types, from }, (e) => write(raw, frame(e)));
      const heartbeat = setInterval(() => void write(raw, ': heartbeat\n\n'), config.streamHeartbeatMs);
      const end = () => {
        follower.stop();
        clearInterval(heartbeat);
        streams.delete(end);
        if (streams.size === 0 && open.get(accountId) === streams) open.delete(accountId);
        if (!raw.writableEnded) raw.end();
      };
      streams.add(end);
      open.set(accountId, streams);
      raw.on('close', end);
      if (raw.destroyed || raw.socket?.destroyed !== false) end(); // the client left while the start was read
      follower.done.catch((err: unknown) => {
        request.log.warn({ err }, 'an event stream could not read the events; it is closed and the client will reconnect');
        end();
      });
    },
  });
}

/** Writes a message, waiting while the client reads slower than events come (or until it is gone). */
function write(raw: ServerResponse, chunk: string): Promise<void> {
  if (raw.destroyed || raw.writableEnded) return Promise.resolve();
  if (raw.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}
