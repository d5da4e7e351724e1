// GET /v2/events/stream: the account's events as Server-Sent Events, live, in order, each once; a
// cursor resumes without a gap or a repeat; filters, heartbeats, the per-account bound, isolation
// between accounts, errors in OnceHub's shape, and streams ending when the server stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/service.js';
import { EVENT_TYPES } from '../src/webhooks/event-types.js';
import { firstAccountId, publish, sleep } from './support/delivery.js';
import { startServer, TEST_API_KEY, type TestServer } from './support/hookline.js';
import { openStream, type SseClient } from './support/sse.js';

const KEY = { 'API-Key': TEST_API_KEY };

describe('the event stream', () => {
  let server: TestServer;
  const opened: SseClient[] = [];
  const open = async (query = '', headers: Record<string, string> = KEY) => {
    const s = await openStream(server.url, query, headers);
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startServer({ env: { HOOKLINE_STREAM_HEARTBEAT_MS: '200', HOOKLINE_STREAM_CONNECTIONS: '3' } });
  });
  afterAll(async () => {
    for (const s of opened) s.close();
    await server.stop();
  });

  const storedBody = async (id: string) => (await server.running.ctx.db.get<{ body: string }>('SELECT body FROM events WHERE id = ?', [id]))!.body;

  it('needs an API key, and says so in OnceHub’s error shape', async () => {
    const none = await open('', {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ type: 'authentication_error' });
    const wrong = await open('', { 'API-Key': 'hkl_not_a_key_of_anybody_000000' });
    expect(wrong.status).toBe(401);
  });

  it('opens with a ready message, then carries each new event once, in order, exactly as stored', async () => {
    const before = await publish(server, 'booking.scheduled');
    const stream = await open();
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('request-id')).toMatch(/^req_/);
    await expect.poll(() => stream.messages.length).toBeGreaterThan(0);
    const ready = stream.messages[0]!;
    expect(ready.event).toBe('ready');
    expect(JSON.parse(ready.data)).toMatchObject({ object: 'event_stream', cursor: ready.id, heartbeat_ms: 200 });
    expect(JSON.parse(ready.data).events).toEqual([...EVENT_TYPES]);

    const ids = [await publish(server, 'booking.scheduled'), await publish(server, 'conversation.started'), await publish(server, 'booking.canceled')];
    const events = await stream.waitForEvents(3);
    await sleep(300);
    expect(stream.events().map((e) => JSON.parse(e.data).id)).toEqual(ids);
    for (const e of events) {
      const body = JSON.parse(e.data) as { id: string; type: string };
      expect(e.event).toBe(body.type);
      expect(e.data).toBe(await storedBody(body.id)); // the bytes deliveries sign
      expect(e.id).toBe(String((await server.running.ctx.db.get<{ seq: number }>('SELECT seq FROM events WHERE id = ?', [body.id]))!.seq)); // the cursor is its seq
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(stream.events().map((e) => JSON.parse(e.data).id)).not.toContain(before); // recorded before the stream opened
    stream.close();
  });

  it('carries only the types asked for, composites expanded', async () => {
    const stream = await open('?events=booking,conversation.closed');
    await expect.poll(() => stream.messages.length).toBeGreaterThan(0);
    expect(JSON.parse(stream.messages[0]!.data).events).toEqual([
      'booking.scheduled', 'booking.rescheduled', 'booking.reassigned', 'booking.canceled_then_rescheduled',
      'booking.canceled_reschedule_requested', 'booking.canceled', 'booking.completed', 'booking.no_show', 'conversation.closed',
    ]);
    const started = await publish(server, 'conversation.started');
    const closed = await publish(server, 'conversation.closed');
    const noShow = await publish(server, 'booking.no_show');
    await stream.waitForEvents(2);
    await sleep(300);
    const got = stream.events().map((e) => JSON.parse(e.data).id);
    expect(got).toEqual([closed, noShow]);
    expect(got).not.toContain(started);
    stream.close();
  });

  it('refuses an unknown event type and a malformed cursor with 400', async () => {
    const badType = await open('?events=booking,booking.exploded');
    expect(badType.status).toBe(400);
    expect(badType.body).toMatchObject({ type: 'invalid_request_error', param: 'events' });
    expect((badType.body as { message: string }).message).toMatch(/booking\.exploded/);
    const badSince = await open('?since=yesterday');
    expect(badSince).toMatchObject({ status: 400, body: { type: 'invalid_request_error', param: 'since' } });
    const badHeader = await open('', { ...KEY, 'Last-Event-ID': 'EVNT-123' });
    expect(badHeader).toMatchObject({ status: 400, body: { param: 'Last-Event-ID' } });
    const unknownParam = await open('?limit=5');
    expect(unknownParam).toMatchObject({ status: 400, body: { param: 'limit' } });
  });

  it('resumes after the cursor given (Last-Event-ID, or since): what came meanwhile, nothing twice', async () => {
    const first = await open();
    const a = [await publish(server, 'booking.scheduled'), await publish(server, 'booking.rescheduled')];
    const seen = await first.waitForEvents(2);
    first.close();
    const meanwhile = [await publish(server, 'booking.canceled'), await publish(server, 'conversation.started')];

    const resumed = await open('', { ...KEY, 'Last-Event-ID': seen[0]!.id! });
    const later = await publish(server, 'booking.completed');
    await resumed.waitForEvents(4);
    await sleep(300);
    expect(resumed.events().map((e) => JSON.parse(e.data).id)).toEqual([a[1], ...meanwhile, later]);
    resumed.close();

    const bySince = await open(`?since=${seen[1]!.id!}`);
    await bySince.waitForEvents(3);
    await sleep(300);
    expect(bySince.events().map((e) => JSON.parse(e.data).id)).toEqual([...meanwhile, later]);
    bySince.close();
  });

  it('reads a backlog longer than one page, in order', async () => {
    const probe = await open();
    const first = await publish(server, 'booking.scheduled');
    const [mark] = await probe.waitForEvents(1);
    probe.close();
    expect(JSON.parse(mark!.data).id).toBe(first);
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push(await publish(server, 'booking.scheduled'));
    const stream = await open('', { ...KEY, 'Last-Event-ID': mark!.id! });
    await stream.waitForEvents(250, 20_000);
    await sleep(300);
    expect(stream.events().map((e) => JSON.parse(e.data).id)).toEqual(ids);
    stream.close();
  });

  it("never carries another account's events", async () => {
    const other = await createAccount(server.running.ctx, 'other@example.com');
    const otherStream = await open('', { 'API-Key': other.issued.plaintext });
    const mine = await open();
    const theirs = await publish(server, 'booking.scheduled', other.account.id);
    const ours = await publish(server, 'booking.scheduled', await firstAccountId(server));
    await mine.waitForEvents(1);
    await otherStream.waitForEvents(1);
    await sleep(500);
    expect(mine.events().map((e) => JSON.parse(e.data).id)).toEqual([ours]);
    expect(otherStream.events().map((e) => JSON.parse(e.data).id)).toEqual([theirs]);
    mine.close();
    otherStream.close();
  });

  it('sends heartbeat comment lines while nothing happens', async () => {
    const stream = await open();
    await expect.poll(() => stream.comments.filter((c) => c === 'heartbeat').length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    expect(stream.events()).toHaveLength(0);
    stream.close();
  });

  it('keeps at most HOOKLINE_STREAM_CONNECTIONS streams open per account, answering 429 beyond', async () => {
    await sleep(300); // the streams the tests above closed are gone on the server's side too
    const streams = [await open(), await open(), await open()];
    for (const s of streams) expect(s.status).toBe(200);
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ type: 'rate_limit_error', message: 'This account has 3 event streams open already: close one first.' });
    expect(refused.headers.get('retry-after')).toBe('5');
    const other = await createAccount(server.running.ctx, 'third@example.com');
    const elsewhere = await open('', { 'API-Key': other.issued.plaintext });
    expect(elsewhere.status).toBe(200); // the bound is per account
    elsewhere.close();
    streams[0]!.close();
    await expect.poll(async () => {
      const again = await open();
      again.close();
      return again.status;
    }).toBe(200);
    for (const s of streams) s.close();
  });
});

describe('the event stream and the rate limit, and a server stopping', () => {
  it('counts a stream once, however many events it carries', async () => {
    const server = await startServer({ env: { HOOKLINE_RATE_LIMIT: '1' } });
    try {
      const stream = await openStream(server.url, '', KEY);
      expect(stream.status).toBe(200);
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push(await publish(server, 'booking.scheduled'));
      await stream.waitForEvents(30);
      expect(stream.events().map((e) => JSON.parse(e.data).id)).toEqual(ids);
      stream.close();
    } finally {
      await server.stop();
    }
  });

  it('ends every open stream when the server stops, and stopping does not wait for them', async () => {
    const server = await startServer();
    const streams = [await openStream(server.url, '', KEY), await openStream(server.url, '?events=booking', KEY)];
    await expect.poll(() => streams.every((s) => s.messages.length > 0)).toBe(true);
    const stopping = Date.now();
    await server.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    await Promise.all(streams.map((s) => s.ended));
  });
});
