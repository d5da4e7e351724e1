// Clients generated from OnceHub's published OpenAPI check every field's type. This test holds
// hookline's own payload schemas against OnceHub's field types (test/support/oncehub-types.ts, written
// down from OnceHub's schema files), field by field, and emits each of the 12 event types by its
// real action over HTTP, checking each delivered payload against both.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../src/clock.js';
import { dataSchemaOf } from '../src/events/payload-schemas.js';
import { EVENT_TYPES } from '../src/webhooks/event-types.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { DOCUMENTED_DEPARTURES, onceHubDataSchema } from './support/oncehub-types.js';
import { payloadProblems } from './support/payload-check.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

type Schema = Record<string, any>;

/** The JSON types a schema lets a value have. */
function typesOf(s: Schema): Set<string> {
  const out = new Set<string>();
  if (s.type) for (const t of [s.type].flat()) out.add(t);
  if ('const' in s) out.add(s.const === null ? 'null' : typeof s.const);
  if (s.enum && !s.type) for (const v of s.enum) out.add(v === null ? 'null' : typeof v);
  for (const branch of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) for (const t of typesOf(branch)) out.add(t);
  return out;
}

/** The branch of a schema that describes objects, or arrays: where its fields or items are. */
const objectPart = (s: Schema): Schema | undefined => (s.properties ? s : [...(s.oneOf ?? []), ...(s.anyOf ?? [])].find((b: Schema) => b.properties));
const enumOf = (s: Schema): unknown[] | undefined => s.enum ?? [...(s.oneOf ?? []), ...(s.anyOf ?? [])].find((b: Schema) => b.enum)?.enum;

/** Every difference between OnceHub's typing of a field and hookline's, as `path: theirs vs ours`. */
function differences(theirs: Schema, ours: Schema, path: string): string[] {
  const out: string[] = [];
  const t = [...typesOf(theirs)].sort().join('|');
  const o = [...typesOf(ours)].sort().join('|');
  if (t !== o) out.push(`${path}: OnceHub ${t}, hookline ${o}`);
  const theirEnum = enumOf(theirs);
  if (theirEnum && !DOCUMENTED_DEPARTURES.includes(path)) {
    const ourEnum = enumOf(ours);
    if (JSON.stringify([...(ourEnum ?? [])].sort()) !== JSON.stringify([...theirEnum].sort())) out.push(`${path}: enum ${JSON.stringify(theirEnum)} vs ${JSON.stringify(ourEnum)}`);
  }
  const theirObject = objectPart(theirs);
  const ourObject = objectPart(ours);
  if (theirObject) {
    for (const [name, field] of Object.entries<Schema>(theirObject.properties)) {
      const at = path ? `${path}.${name}` : name;
      const mine = ourObject?.properties?.[name];
      if (!mine) out.push(`${at}: missing in hookline's schema`);
      else out.push(...differences(field, mine, at));
    }
  }
  if (theirs.items && ours.items) out.push(...differences(theirs.items, ours.items, `${path}[]`));
  return out;
}

describe("hookline's payload schemas type every field as OnceHub's do", () => {
  it.each(EVENT_TYPES)('%s', (type) => {
    expect(differences(onceHubDataSchema(type), dataSchemaOf(type), '')).toEqual([]);
  });

  it('the comparison sees a difference when there is one', () => {
    const ours = dataSchemaOf('booking.scheduled') as Schema;
    const nullableTimezone = { ...ours, properties: { ...ours.properties, customer_timezone: { type: ['string', 'null'] } } };
    expect(differences(onceHubDataSchema('booking.scheduled'), nullableTimezone, '')).toEqual(['customer_timezone: OnceHub string, hookline null|string']);
    const withoutIcs = { ...ours, properties: { ...ours.properties, ics_url: undefined } };
    expect(differences(onceHubDataSchema('booking.scheduled'), withoutIcs, '')).toEqual(['ics_url: missing in hookline\'s schema']);
  });
});

describe('each of the 12 event types, emitted by its real action, validates against both', () => {
  let rx: Receiver;
  let server: TestServer;
  let clock: ManualClock;
  const HOUR = 3_600_000;

  beforeAll(async () => {
    rx = await startReceiver();
    clock = manualClock(Date.parse('2026-12-01T08:00:00.000Z'));
    server = await startServer({ env: receiverEnv(), clock });
    expect((await server.api('POST', '/v2/webhooks', { name: 'everything', url: `${rx.url}/all`, events: ['booking', 'conversation'] })).status).toBe(200);
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  it('delivers all 12, each one valid', async () => {
    const api = server.api;
    const host = (await api('POST', '/v2/users', { email: 'types-host@example.com', first_name: 'Tia', last_name: 'Types' })).body.id;
    const other = (await api('POST', '/v2/users', { email: 'types-other@example.com', first_name: 'Oli' })).body.id;
    const calA = (await api('POST', '/v2/booking-calendars', { host, name: 'A', duration_minutes: 30, location: 'Room 1' })).body.id;
    const calB = (await api('POST', '/v2/booking-calendars', { host: other, name: 'B', duration_minutes: 30 })).body.id;
    const at = (h: number) => new Date(clock.now() + h * HOUR).toISOString();
    const book = async (h: number, extra: object = {}) => {
      const res = await api('POST', `/v2/booking-calendars/${calA}/schedule`, { start_time: at(h), guest_time_zone: 'Europe/Berlin', booking_form: { name: 'Gus Guest', email: 'gus@example.com', Title: 'CTO', topics: ['a', 'b'] }, ...extra });
      expect(res.status, res.text).toBe(200);
      return res.body as { id: string; cancel_reschedule_url: string };
    };
    const guest = (b: { cancel_reschedule_url: string }, action: string, body: object) => call(server.url, 'POST', `/v2/guest/bookings/${b.cancel_reschedule_url.split('/').pop()}/${action}`, body);

    const b1 = await book(10); // booking.scheduled
    expect((await guest(b1, 'reschedule', { start_time: at(11) })).status).toBe(200); // booking.rescheduled
    expect((await api('POST', `/v2/bookings/${b1.id}/reassign`, { new_host: other })).status).toBe(200); // booking.reassigned
    const b2 = await book(20);
    expect((await guest(b2, 'rebook', { booking_calendar: calB, start_time: at(21), reason: 'B suits me' })).status).toBe(200); // booking.canceled_then_rescheduled
    const b3 = await book(30);
    expect((await api('POST', `/v2/bookings/${b3.id}/request-reschedule`, {})).status).toBe(200); // booking.canceled_reschedule_requested
    const b4 = await book(40);
    expect((await api('POST', `/v2/bookings/${b4.id}/cancel`, { cancellation_reason: 'Sorry' })).status).toBe(200); // booking.canceled
    const b5 = await book(1);
    clock.advance(2 * HOUR);
    await server.running.timers.runDue(); // booking.completed
    expect((await api('POST', `/v2/bookings/${b5.id}/no-show`)).status).toBe(200); // booking.no_show

    const website = (await api('POST', '/v2/websites', { name: 'Site', url: 'https://site.example.com' })).body.id;
    const bot = (await api('POST', '/v2/chatbots', { name: 'Bot', website, owner: host, questions: [{ question: 'Why?' }] })).body;
    const visitor = randomUUID();
    const reached = await call(server.url, 'POST', `/v2/chatbots/${bot.id}/reach-out`, { visitor_id: visitor }); // conversation.reached_out
    expect(reached.status, reached.text).toBe(200);
    expect((await call(server.url, 'POST', `/v2/chatbots/${bot.id}/conversations`, { visitor_id: visitor, email: 'v@example.com' })).status).toBe(200); // conversation.started
    expect((await call(server.url, 'POST', `/v2/conversations/${reached.body.id}/answers`, { visitor_id: visitor, question_id: bot.questions[0].id, value: 'Curious' })).status).toBe(200); // conversation.closed
    const idle = randomUUID();
    await call(server.url, 'POST', `/v2/chatbots/${bot.id}/conversations`, { visitor_id: idle });
    clock.advance(11 * 60_000);
    await server.running.timers.runDue(); // conversation.abandoned

    await expect.poll(() => new Set(rx.received.map((r) => JSON.parse(r.body).type)).size, { timeout: 10_000 }).toBe(12);
    expect([...new Set(rx.received.map((r) => JSON.parse(r.body).type))].sort()).toEqual([...EVENT_TYPES].sort());
    for (const r of rx.received) expect(payloadProblems(r.body)).toEqual([]);
  });
});
