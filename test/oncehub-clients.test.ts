// What OnceHub's own client code sends, over real HTTP, answered as OnceHub answers it:
// - OnceHub's n8n trigger node: `Content-Type: application/json` and `Accept: application/json` on every
//   request, bodyless GET and DELETE included; it reads the webhook back and compares url and events
//   with what it sent, and deletes the webhook on deactivation.
// - Pipedream's component: creates with {url, name, events}, deletes without a body or Content-Type,
//   and polls GET /contacts with creation_time.gt / last_updated_time.gt.
// - OnceHub's list filters, their error wording, with the cursors and expand.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../src/clock.js';
import { expectApiError } from './support/expect-api.js';
import { call, startServer, TEST_API_KEY, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

interface Raw {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/** A request exactly as given: these headers, this body (or none at all), nothing added but the body's length. */
function raw(base: string, method: string, path: string, given: Record<string, string>, body?: string): Promise<Raw> {
  const url = new URL(path, base);
  const framed = Object.keys(given).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
  const headers = body === undefined || framed ? given : { ...given, 'Content-Length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** OnceHub's n8n node: every request carries these, whether it has a body or not. */
const N8N_HEADERS = { 'API-Key': TEST_API_KEY, 'Content-Type': 'application/json', Accept: 'application/json' };
/** The n8n node's comparison of the events it reads back with those it sent. */
const areEventsEqual = (a: string[], b: string[]) => a.length === b.length && a.every((e) => b.includes(e));

let server: TestServer;
let rx: Receiver;
let clock: ManualClock;

beforeAll(async () => {
  rx = await startReceiver();
  clock = manualClock(Date.parse('2026-12-01T09:00:00.000Z'));
  server = await startServer({ env: receiverEnv(), clock });
});
afterAll(async () => {
  await server.stop();
  await rx.close();
});

describe("OnceHub's n8n trigger node", () => {
  it('activates, finds its webhook as it left it, and deactivates with a bodyless DELETE that carries a JSON Content-Type', async () => {
    const credentialTest = await raw(server.url, 'GET', '/v2/webhooks', N8N_HEADERS);
    expect(credentialTest.status).toBe(200);

    const events = ['booking', 'booking.canceled'];
    const url = `${rx.url}/n8n`;
    const created = await raw(server.url, 'POST', '/v2/webhooks', N8N_HEADERS, JSON.stringify({ url, name: 'n8n Webhook', events }));
    expect(created.status).toBe(200);
    const id = created.body.id as string;

    // checkExists() on the next activation: GET with the JSON Content-Type and no body.
    const read = await raw(server.url, 'GET', `/v2/webhooks/${id}`, N8N_HEADERS);
    expect(read.status).toBe(200);
    expect(read.body.url).toBe(url);
    expect(read.body.events).toEqual(events);
    expect(areEventsEqual(read.body.events, events)).toBe(true);

    const deleted = await raw(server.url, 'DELETE', `/v2/webhooks/${id}`, N8N_HEADERS);
    expect(deleted).toMatchObject({ status: 200, body: { id, deleted: true } });
    expect((await raw(server.url, 'GET', `/v2/webhooks/${id}`, N8N_HEADERS)).status).toBe(404);

    // What is published afterwards goes to no deleted webhook.
    const host = (await server.api('POST', '/v2/users', { email: 'n8n-host@example.com', first_name: 'N' })).body.id;
    const calendar = (await server.api('POST', '/v2/booking-calendars', { host, name: 'After n8n' })).body.id;
    const booking = (await server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: '2026-12-02T15:00:00Z', booking_form: { name: 'G', email: 'g@example.com' } })).body;
    const event = (await server.api('GET', '/v2/events?type=booking.scheduled&limit=1')).body.data[0];
    expect(event.data.id).toBe(booking.id);
    const deliveries = (await server.api('GET', `/v2/events/${event.id}`)).body.deliveries as { webhook_id: string }[];
    expect(deliveries.map((d) => d.webhook_id)).not.toContain(id);
  });

  it.each([
    ['Content-Length: 0', { 'Content-Length': '0' }, undefined],
    ['no Content-Length at all', {}, undefined],
    ['an empty chunked body', { 'Transfer-Encoding': 'chunked' }, ''],
    ['a blank JSON body', {}, '  \n'],
  ])('accepts a bodyless DELETE with a JSON Content-Type and %s', async (_label, extra, body) => {
    const created = await server.api('POST', '/v2/webhooks', { name: `bodyless ${Math.random()}`, url: 'https://example.com/h', events: ['booking'] });
    const res = await raw(server.url, 'DELETE', `/v2/webhooks/${created.body.id}`, { ...N8N_HEADERS, ...extra }, body);
    expect(res).toMatchObject({ status: 200, body: { id: created.body.id, deleted: true } });
  });

  it('accepts POST actions that take no input with a JSON (or any) Content-Type and no body', async () => {
    const host = (await server.api('POST', '/v2/users', { email: 'approver@example.com', first_name: 'Ada' })).body.id;
    const calendar = (await server.api('POST', '/v2/booking-calendars', { host, name: 'Approval needed', requires_approval: true })).body.id;
    const booking = (await server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: '2026-12-02T10:00:00Z', booking_form: { name: 'G', email: 'g@example.com' } })).body;
    const approved = await raw(server.url, 'POST', `/v2/bookings/${booking.id}/approve`, { ...N8N_HEADERS, 'Content-Length': '0' });
    expect(approved).toMatchObject({ status: 200, body: { id: booking.id, status: 'scheduled' } });
    const canceled = await raw(server.url, 'POST', `/v2/bookings/${booking.id}/cancel`, { 'API-Key': TEST_API_KEY, 'Content-Type': 'text/plain', 'Content-Length': '0' });
    expect(canceled).toMatchObject({ status: 200, body: { status: 'canceled' } });
  });

  it('still answers 400 to a body that is really malformed, or not JSON, even on DELETE', async () => {
    const created = await server.api('POST', '/v2/webhooks', { name: 'kept', url: 'https://example.com/h', events: ['booking'] });
    const broken = await raw(server.url, 'DELETE', `/v2/webhooks/${created.body.id}`, N8N_HEADERS, '{"oops":');
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ type: 'invalid_request_error', message: 'The request body is not valid JSON.' });
    const text = await raw(server.url, 'POST', '/v2/webhooks', { 'API-Key': TEST_API_KEY, 'Content-Type': 'text/plain' }, 'name=x');
    expect(text.status).toBe(400);
    expect(text.body.type).toBe('invalid_request_error');
    expect((await server.api('GET', `/v2/webhooks/${created.body.id}`)).status).toBe(200);
  });
});

describe('subscriptions read back as written', () => {
  it.each([
    [['booking', 'booking.canceled']],
    [['conversation.closed', 'booking.scheduled', 'conversation']],
    [['conversation.reached_out']],
  ])('%j', async (events) => {
    const created = await server.api('POST', '/v2/webhooks', { name: `as written ${events.join(' ')}`, url: 'https://example.com/h', events });
    expect(created.body.events).toEqual(events);
    expect((await server.api('GET', `/v2/webhooks/${created.body.id}`)).body.events).toEqual(events);
    const listed = (await server.api('GET', '/v2/webhooks?limit=100')).body.data.find((w: { id: string }) => w.id === created.body.id);
    expect(listed.events).toEqual(events);
  });

  it('an event covered twice (booking and booking.canceled) is still delivered once', async () => {
    const created = await server.api('POST', '/v2/webhooks', { name: 'twice', url: `${rx.url}/twice`, events: ['booking', 'booking.canceled'] });
    const host = (await server.api('POST', '/v2/users', { email: 'twice@example.com', first_name: 'T' })).body.id;
    const calendar = (await server.api('POST', '/v2/booking-calendars', { host, name: 'Twice' })).body.id;
    const booking = (await server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, { start_time: '2026-12-03T10:00:00Z', booking_form: { name: 'G', email: 'g@example.com' } })).body;
    await server.api('POST', `/v2/bookings/${booking.id}/cancel`);
    await expect.poll(() => rx.received.filter((r) => r.path === '/twice').length, { timeout: 5_000 }).toBe(2);
    const types = rx.received.filter((r) => r.path === '/twice').map((r) => JSON.parse(r.body).type).sort();
    expect(types).toEqual(['booking.canceled', 'booking.scheduled']);
    await server.api('DELETE', `/v2/webhooks/${created.body.id}`);
  });
});

describe("Pipedream's OnceHub component", () => {
  const pipedream = { 'API-Key': TEST_API_KEY, Accept: 'application/json, text/plain, */*' };
  const visitor = (n: number) => `pipedream-visitor-${String(n).padStart(4, '0')}-abcdef`;
  let bot: string;
  let t0: number;

  beforeAll(async () => {
    const host = (await server.api('POST', '/v2/users', { email: 'pd-host@example.com', first_name: 'Pat' })).body.id;
    const website = (await server.api('POST', '/v2/websites', { name: 'Site', url: 'https://site.example.com' })).body.id;
    bot = (await server.api('POST', '/v2/chatbots', { name: 'PD bot', website, owner: host, questions: [{ question: 'Hi?' }] })).body.id;
    t0 = clock.now();
    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      expect((await call(server.url, 'POST', `/v2/chatbots/${bot}/conversations`, { visitor_id: visitor(i), email: `v${i}@example.com` })).status).toBe(200);
    }
  });

  it('creates and deletes its webhook as it does (no Content-Type on DELETE)', async () => {
    const created = await raw(server.url, 'POST', '/v2/webhooks', { ...pipedream, 'Content-Type': 'application/json' }, JSON.stringify({ url: 'https://example.com/pd', name: 'Pipedream', events: ['conversation.reached_out'] }));
    expect(created.status).toBe(200);
    expect(created.body.events).toEqual(['conversation.reached_out']);
    expect((await raw(server.url, 'DELETE', `/v2/webhooks/${created.body.id}`, pipedream)).status).toBe(200);
  });

  it('"new contact" polls with creation_time.gt and gets exactly the newer contacts', async () => {
    const all = (await raw(server.url, 'GET', '/v2/contacts?limit=10', pipedream)).body.data as { id: string; email: string; creation_time: string }[];
    expect(all.map((c) => c.email)).toEqual(['v2@example.com', 'v1@example.com', 'v0@example.com']);
    const since = all[2]!.creation_time; // the oldest seen
    const newer = await raw(server.url, 'GET', `/v2/contacts?creation_time.gt=${encodeURIComponent(since)}`, pipedream);
    expect(newer.status).toBe(200);
    expect(newer.body.data.map((c: { email: string }) => c.email)).toEqual(['v2@example.com', 'v1@example.com']);
    const none = await raw(server.url, 'GET', `/v2/contacts?creation_time.gt=${encodeURIComponent(all[0]!.creation_time)}`, pipedream);
    expect(none.body).toEqual({ object: 'list', data: [], has_more: false });
  });

  it('"contact updated" polls with last_updated_time.gt and sees a contact again once it changes', async () => {
    const all = (await server.api('GET', '/v2/contacts')).body.data as { id: string; last_updated_time: string }[];
    const latest = all.map((c) => c.last_updated_time).sort().at(-1)!;
    expect((await server.api('GET', `/v2/contacts?last_updated_time.gt=${encodeURIComponent(latest)}`)).body.data).toEqual([]);
    clock.advance(60_000);
    await call(server.url, 'POST', `/v2/chatbots/${bot}/conversations`, { visitor_id: visitor(0), first_name: 'Vera' }); // tells its name: updated
    const updated = (await server.api('GET', `/v2/contacts?last_updated_time.gt=${encodeURIComponent(latest)}`)).body.data;
    expect(updated.map((c: { email: string; first_name: string }) => [c.email, c.first_name])).toEqual([['v0@example.com', 'Vera']]);
    // Pipedream's dedupe key: the id and the update time, new for the update.
    expect(`${updated[0].id}${Date.parse(updated[0].last_updated_time)}`).not.toBe(`${updated[0].id}${Date.parse(updated[0].creation_time)}`);
  });

  it('filters contacts by e-mail (any letter case) and by last_updated_time.lt', async () => {
    expect((await server.api('GET', '/v2/contacts?email=V1@Example.com')).body.data.map((c: { email: string }) => c.email)).toEqual(['v1@example.com']);
    // v0 was created first but updated last (it told its name): only v1 was last changed before t0 + 150 s.
    const before = new Date(t0 + 150_000).toISOString();
    expect((await server.api('GET', `/v2/contacts?last_updated_time.lt=${before}`)).body.data.map((c: { email: string }) => c.email)).toEqual(['v1@example.com']);
    expect((await server.api('GET', `/v2/contacts?creation_time.lt=${before}`)).body.data.map((c: { email: string }) => c.email)).toEqual(['v1@example.com', 'v0@example.com']);
  });
});

describe("OnceHub's list filters and their errors", () => {
  let host: string;
  let calendar: string;
  const bookings: { id: string; creation_time: string; starting_time: string }[] = [];

  beforeAll(async () => {
    host = (await server.api('POST', '/v2/users', { email: 'lister@example.com', first_name: 'Lee', last_name: 'Lister' })).body.id;
    calendar = (await server.api('POST', '/v2/booking-calendars', { host, name: 'Lists', duration_minutes: 30 })).body.id;
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      const b = await server.api('POST', `/v2/booking-calendars/${calendar}/schedule`, {
        start_time: new Date(Date.parse('2026-12-10T09:00:00Z') + i * 3_600_000).toISOString(),
        booking_form: { name: `Guest ${i}`, email: `guest${i}@example.com` },
      });
      expect(b.status, b.text).toBe(200);
      bookings.push(b.body);
    }
    clock.advance(60_000);
    await server.api('POST', `/v2/bookings/${bookings[1]!.id}/cancel`);
  });

  const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((b) => b.id);
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

  it('bookings: creation_time, starting_time and last_updated_time ranges, and status', async () => {
    const [b0, b1, b2, b3, b4] = bookings as [typeof bookings[0], typeof bookings[0], typeof bookings[0], typeof bookings[0], typeof bookings[0]];
    expect(ids(await server.api('GET', `/v2/bookings?${q({ booking_calendar: calendar, 'creation_time.gt': b1.creation_time, 'creation_time.lt': b4.creation_time })}`))).toEqual([b3.id, b2.id]);
    expect(ids(await server.api('GET', `/v2/bookings?${q({ booking_calendar: calendar, 'starting_time.gt': b2.starting_time })}`))).toEqual([b4.id, b3.id]);
    expect(ids(await server.api('GET', `/v2/bookings?${q({ booking_calendar: calendar, 'starting_time.lt': '2026-12-10T10:00:00Z' })}`))).toEqual([b0.id]);
    expect(ids(await server.api('GET', `/v2/bookings?${q({ booking_calendar: calendar, status: 'canceled' })}`))).toEqual([b1.id]);
    expect(ids(await server.api('GET', `/v2/bookings?${q({ host, 'last_updated_time.gt': b4.creation_time })}`))).toEqual([b1.id]); // updated by its cancel
    expect(ids(await server.api('GET', `/v2/bookings?${q({ owner: host, 'creation_time.gt': '2026-12-01' })}`))).toHaveLength(5); // a date alone is midnight UTC
    expect(ids(await server.api('GET', `/v2/bookings?${q({ booking_page: 'BP-ANY' })}`))).toEqual([]); // no hookline booking has a booking page
  });

  it('combines filters with the cursors, and the Link header keeps the filters', async () => {
    const filter = { booking_calendar: calendar, status: 'scheduled' };
    const first = await server.api('GET', `/v2/bookings?${q({ ...filter, limit: '2' })}`);
    expect(ids(first)).toEqual([bookings[4]!.id, bookings[3]!.id]);
    expect(first.body.has_more).toBe(true);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')![1]!;
    expect(new URL(next).searchParams.get('status')).toBe('scheduled');
    expect(new URL(next).searchParams.get('booking_calendar')).toBe(calendar);
    const second = await call(server.url, 'GET', new URL(next).pathname + new URL(next).search, undefined, { 'API-Key': TEST_API_KEY });
    expect(ids(second)).toEqual([bookings[2]!.id, bookings[0]!.id]); // bookings[1] is canceled: filtered out
    expect(second.body.has_more).toBe(false);
    const back = await server.api('GET', `/v2/bookings?${q({ ...filter, limit: '2', before: bookings[2]!.id })}`);
    expect(ids(back)).toEqual([bookings[4]!.id, bookings[3]!.id]);
  });

  it('expands owner and booking_calendar (also as data.owner on the list), and refuses what cannot be expanded', async () => {
    const one = await server.api('GET', `/v2/bookings/${bookings[0]!.id}?expand=owner,booking_calendar`);
    expect(one.body.owner).toMatchObject({ object: 'user', id: host, first_name: 'Lee', last_name: 'Lister' });
    expect(one.body.booking_calendar).toMatchObject({ object: 'booking_calendar', id: calendar, name: 'Lists' });
    expect(one.body.conversation).toBeNull();
    const listed = await server.api('GET', `/v2/bookings?${q({ booking_calendar: calendar, expand: 'data.owner', limit: '2' })}`);
    expect(listed.body.data.map((b: { owner: { id: string } }) => b.owner.id)).toEqual([host, host]);
    expect((await server.api('GET', `/v2/bookings/${bookings[0]!.id}`)).body.owner).toBe(host);
    expectApiError(await server.api('GET', '/v2/bookings?expand=invalid_property'), 400, { message: 'This property cannot be expanded: invalid_property', param: 'expand' });
  });

  it.each([
    ['creation_time.gt', '2025-13-45T99:99:99Z'],
    ['last_updated_time.lt', 'yesterday'],
    ['starting_time.gt', '2025-02-30'],
  ])('answers %s=%s with "Invalid date: …"', async (param, value) => {
    expectApiError(await server.api('GET', `/v2/bookings?${q({ [param]: value })}`), 400, { message: `Invalid date: ${value}`, param });
  });

  it.each([
    ['/v2/bookings', 'creation_time'],
    ['/v2/bookings', 'starting_time'],
    ['/v2/contacts', 'last_updated_time'],
    ['/v2/webhooks', 'creation_time'],
  ])('%s: a crossed %s range answers "… cannot be later than …"', async (path, name) => {
    const res = await server.api('GET', `${path}?${q({ [`${name}.gt`]: '2026-12-05T00:00:00Z', [`${name}.lt`]: '2026-12-04T00:00:00Z' })}`);
    expectApiError(res, 400, { message: `${name}.gt cannot be later than ${name}.lt`, param: `${name}.gt` });
  });

  it('keeps answering unknown parameters, and an unknown status, with 400', async () => {
    expectApiError(await server.api('GET', '/v2/contacts?starting_time.gt=2026-01-01'), 400, { message: 'Received unknown parameter: starting_time.gt', param: 'starting_time.gt' });
    expectApiError(await server.api('GET', '/v2/bookings?status=lost'), 400, { param: 'status' });
    expectApiError(await server.api('GET', '/v2/bookings?limit=500'), 400, { message: 'Out of range value: 500. Please provide a number between 1 and 100.', param: 'limit' });
    expectApiError(await server.api('GET', `/v2/bookings?after=${bookings[0]!.id}&before=${bookings[1]!.id}`), 400, { message: 'Received both before and after parameters. Please provide only one.', param: null });
  });

  it('filters webhooks and events by creation_time', async () => {
    clock.advance(60_000);
    const since = new Date(clock.now()).toISOString();
    clock.advance(1);
    const created = await server.api('POST', '/v2/webhooks', { name: 'newest hook', url: 'https://example.com/new', events: ['booking.no_show'] });
    expect(ids(await server.api('GET', `/v2/webhooks?creation_time.gt=${since}`))).toEqual([created.body.id]);
    expect(ids(await server.api('GET', `/v2/events?creation_time.gt=${since}`))).toEqual([]);
    await server.api('POST', `/v2/bookings/${bookings[0]!.id}/cancel`);
    const events = await server.api('GET', `/v2/events?creation_time.gt=${since}&type=booking.canceled`);
    expect(events.body.data.map((e: { data: { id: string } }) => e.data.id)).toEqual([bookings[0]!.id]);
  });
});
