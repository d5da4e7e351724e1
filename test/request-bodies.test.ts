// Every route that takes a body validates it with a JSON schema, and the OpenAPI document describes
// those schemas field by field (no open objects). Junk in any field of any body answers 400 in
// OnceHub's error shape, never a 500: for each route, a valid body is taken apart field by field and
// each field replaced by values of every wrong shape.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAccounts } from '../src/accounts/store.js';
import { createAdmin } from '../src/admins/service.js';
import { manualClock } from '../src/clock.js';
import { call, startServer, type TestServer } from './support/hookline.js';

let server: TestServer;
let doc: any;
const clock = manualClock(Date.parse('2026-12-01T08:00:00.000Z'));
const later = (hours: number) => new Date(clock.now() + hours * 3_600_000).toISOString();
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startServer({ clock, env: { HOOKLINE_PAGE_RATE_LIMIT: '10000' } });
  doc = (await server.api('GET', '/v2/openapi.json')).body;
  const api = server.api;
  ids.webhook = (await api('POST', '/v2/webhooks', { name: 'w', url: 'https://example.com/h', events: ['booking'] })).body.id;
  ids.user = (await api('POST', '/v2/users', { email: 'junk-host@example.com', first_name: 'J' })).body.id;
  ids.other = (await api('POST', '/v2/users', { email: 'junk-other@example.com', first_name: 'K' })).body.id;
  ids.calendar = (await api('POST', '/v2/booking-calendars', { host: ids.user, name: 'C', duration_minutes: 5 })).body.id;
  ids.calendar2 = (await api('POST', '/v2/booking-calendars', { host: ids.other, name: 'D', duration_minutes: 5 })).body.id;
  const booking = (await api('POST', `/v2/booking-calendars/${ids.calendar}/schedule`, { start_time: later(1), booking_form: { name: 'G', email: 'g@example.com' } })).body;
  ids.booking = booking.id;
  ids.token = booking.cancel_reschedule_url.split('/').pop();
  ids.event = (await api('GET', '/v2/events?limit=1')).body.data[0].id;
  ids.hub = (await api('POST', '/v2/booking-hubs', { name: 'H', booking_calendars: [ids.calendar, ids.calendar2] })).body.id;
  const form = (await api('POST', '/v2/routing-forms', { name: 'F', questions: [{ id: 'q1', question: 'Size?' }], rules: [{ question_id: 'q1', equals: 'big', booking_calendar: ids.calendar2 }], fallback_booking_calendar: ids.calendar })).body;
  ids.form = form.id;
  ids.website = (await api('POST', '/v2/websites', { name: 'S', url: 'https://s.example.com' })).body.id;
  const bot = (await api('POST', '/v2/chatbots', { name: 'B', website: ids.website, owner: ids.user, questions: [{ question: 'Q?' }], booking_calendar: ids.calendar })).body;
  ids.bot = bot.id;
  ids.question = bot.questions[0].id;
  ids.visitor = randomUUID();
  ids.conversation = (await call(server.url, 'POST', `/v2/chatbots/${bot.id}/conversations`, { visitor_id: ids.visitor })).body.id;
  // Requests go as the web page sends them (a session and its CSRF token), which every API route takes, the
  // admins' and API keys' routes too (an API key cannot reach those).
  await createAdmin(server.running.ctx, (await listAccounts(server.running.ctx.db))[0]!.id, 'junk-admin@example.com', 'a long enough password');
  const signedIn = await call(server.url, 'POST', '/v2/session', { email: 'junk-admin@example.com', password: 'a long enough password' });
  session = { cookie: (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': signedIn.body.csrf_token };
});
let session: Record<string, string>;
afterAll(() => server.stop());

const form = () => ({ name: 'Gus', email: 'gus@example.com', phone: '+1 555', guests: ['a@example.com'], custom_fields: [{ name: 'Title', value: 'CTO' }], Topic: ['x'] });
const slot = () => ({ start_time: later(2 + Math.random() * 1000), timezone: 'UTC', location: { type: 'guest_phone', value: '+1 555' }, booking_form: form() });

/** A valid body for each documented operation that takes one (the test fails for an operation missing here). */
const BODIES: Record<string, () => object> = {
  'sign-in': () => ({ email: 'nobody@example.com', password: 'wrong password' }),
  'create-an-api-key': () => ({ label: 'ci' }),
  'create-an-admin': () => ({ email: 'admin2@example.com', password: 'a long enough password' }),
  'change-own-password': () => ({ current_password: 'a long enough password', new_password: 'another long password' }),
  'create-an-admin-invite': () => ({ email: 'invited@example.com' }),
  'look-up-an-admin-link': () => ({ token: 'not-a-real-invitation-token-0123456789' }),
  'accept-an-admin-link': () => ({ token: 'not-a-real-invitation-token-0123456789', email: 'joiner@example.com', password: 'a long enough password' }),
  'create-a-webhook': () => ({ name: `hook ${randomUUID()}`, url: 'https://example.com/h', events: ['booking', 'conversation.closed'] }),
  'update-a-webhook': () => ({ name: `renamed ${randomUUID()}`, url: 'https://example.com/h2', events: ['booking'], status: 'enabled', replay_since: later(-1) }),
  'recover-webhook-deliveries': () => ({ since: later(-1) }),
  'send-a-test-event': () => ({ type: 'booking.scheduled' }),
  'rotate-a-webhook-secret': () => ({}),
  'redeliver-an-event': () => ({ webhook_id: ids.webhook! }),
  'add-a-user': () => ({ email: `${randomUUID()}@example.com`, first_name: 'A', last_name: 'B', timezone: 'Europe/Paris' }),
  'create-a-booking-calendar': () => ({ host: ids.user!, name: 'N', subject: 'S', duration_minutes: 30, requires_approval: false, location: 'L' }),
  'schedule-a-booking': slot,
  'cancel-a-booking': () => ({ cancellation_reason: 'r', send_cancellation_email: false }),
  'request-to-reschedule-a-booking': () => ({ reschedule_reason: 'r' }),
  'reassign-a-booking': () => ({ new_host: ids.other!, location: { type: 'virtual', value: 'zoom' } }),
  'mark-a-booking-as-no-show': () => ({}),
  'approve-a-booking': () => ({}),
  'create-a-booking-hub': () => ({ name: 'H', mode: 'round_robin', booking_calendars: [ids.calendar!] }),
  'schedule-through-a-booking-hub': () => ({ ...slot(), booking_calendar: ids.calendar! }),
  'create-a-routing-form': () => ({ name: 'F', questions: [{ id: 'q1', question: 'Q' }], rules: [{ question_id: 'q1', equals: 'a', booking_calendar: ids.calendar! }], fallback_booking_calendar: ids.calendar! }),
  'submit-a-routing-form': () => ({ ...slot(), answers: [{ question_id: 'q1', value: 'big' }] }),
  'create-a-website': () => ({ name: 'W', url: 'https://w.example.com' }),
  'create-a-chatbot': () => ({ name: 'B', website: ids.website!, owner: ids.user!, questions: [{ question: 'Q', internal_label: 'q' }], booking_calendar: ids.calendar! }),
  'start-a-conversation': () => ({ visitor_id: randomUUID(), email: 'v@example.com', first_name: 'V', last_name: 'W', timezone: 'UTC' }),
  'reach-out-to-a-visitor': () => ({ visitor_id: randomUUID(), email: 'v@example.com', first_name: 'V', last_name: 'W', timezone: 'UTC' }),
  'answer-a-question': () => ({ visitor_id: ids.visitor!, question_id: ids.question!, value: 'A' }),
  'schedule-in-a-conversation': () => ({ ...slot(), visitor_id: ids.visitor! }),
  'guest-cancel-a-booking': () => ({ reason: 'r' }),
  'guest-reschedule-a-booking': () => ({ start_time: later(3), reason: 'r' }),
  'guest-rebook-a-booking': () => ({ ...slot(), booking_calendar: ids.calendar2!, reason: 'r' }),
};

/** Values of every shape, for a field that wants one of them. */
const JUNK: unknown[] = [null, [null], [1], [{}], [[]], {}, { x: null }, 0, -1, 1.5, 1e308, true, '', 'x', 'é'.repeat(3000), ['x']];

/** Every path into a body: its fields, and the first item of its lists, all the way down. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.length ? [...paths(value[0], [...prefix, 0])] : [];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  return [];
}
function replaced(body: object, path: (string | number)[], value: unknown): object {
  const copy = structuredClone(body) as any;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path.at(-1)!] = value;
  return copy;
}
const urlOf = (path: string) =>
  path
    .replace('/v2/webhooks/{id}', `/v2/webhooks/${ids.webhook}`)
    .replace('/v2/events/{id}', `/v2/events/${ids.event}`)
    .replace('/v2/booking-calendars/{id}', `/v2/booking-calendars/${ids.calendar}`)
    .replace('/v2/bookings/{id}', `/v2/bookings/${ids.booking}`)
    .replace('/v2/booking-hubs/{id}', `/v2/booking-hubs/${ids.hub}`)
    .replace('/v2/routing-forms/{id}', `/v2/routing-forms/${ids.form}`)
    .replace('/v2/chatbots/{id}', `/v2/chatbots/${ids.bot}`)
    .replace('/v2/conversations/{id}', `/v2/conversations/${ids.conversation}`)
    .replace('{token}', ids.token!);

function operations(): { method: string; path: string; operationId: string; schema: any }[] {
  const out = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (method !== 'post' && method !== 'patch' && method !== 'put') continue;
      out.push({ method, path, operationId: op.operationId, schema: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return out;
}

/** An object schema that lists its fields and accepts no others (or types the others, as a booking form does). */
function closedObjects(schema: any, at: string): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const problems: string[] = [];
  if (schema.type === 'object') {
    if (!schema.properties) problems.push(`${at}: an object without properties`);
    if (schema.additionalProperties === undefined || schema.additionalProperties === true) problems.push(`${at}: open to any field`);
  }
  for (const [name, field] of Object.entries<any>(schema.properties ?? {})) problems.push(...closedObjects(field, `${at}.${name}`));
  if (schema.items) problems.push(...closedObjects(schema.items, `${at}[]`));
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) problems.push(...closedObjects(branch, at));
  return problems;
}

describe('request bodies', () => {
  it('every operation that can take a body documents a closed schema for it', () => {
    const problems: string[] = [];
    for (const op of operations()) {
      if (!op.schema) problems.push(`${op.method} ${op.path}: no request body schema`);
      else problems.push(...closedObjects(op.schema, `${op.method} ${op.path}`));
      if (!BODIES[op.operationId]) problems.push(`${op.operationId}: no valid example in this test`);
    }
    expect(problems).toEqual([]);
  });

  it('answers junk in any field of any body with 400 in OnceHub\'s shape, never 5xx', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    let sent = 0;
    let unauthorized = 0;
    for (const op of operations()) {
      const base = BODIES[op.operationId]!();
      const bodies: unknown[] = [null, [], 'text', 5, [base], ...paths(base).flatMap((path) => JUNK.map((j) => replaced(base, path, j)))];
      for (const body of bodies) {
        const res = await call(server.url, op.method.toUpperCase(), urlOf(op.path), JSON.stringify(body), session);
        sent++;
        if (res.status === 401) unauthorized++;
        const shaped = res.body && typeof res.body.type === 'string' && typeof res.body.message === 'string';
        if (res.status >= 500 || (res.status >= 400 && !shaped)) failures.push(`${op.operationId} ${JSON.stringify(body).slice(0, 120)} -> ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1500);
    expect(unauthorized, 'the session reaches the routes: junk meets their validation, not the sign-in check').toBeLessThan(sent / 20);
  });

  it.each([
    ['schedule-a-booking', `/v2/booking-calendars/{id}/schedule`, () => ({ ...slot(), booking_form: { ...form(), custom_fields: [null] } }), 'booking_form.custom_fields.0'],
    ['create-a-routing-form', '/v2/routing-forms', () => ({ ...BODIES['create-a-routing-form']!(), rules: [null] }), 'rules.0'],
    ['create-a-routing-form', '/v2/routing-forms', () => ({ ...BODIES['create-a-routing-form']!(), rules: [{ question_id: { x: 1 }, equals: 'a', booking_calendar: 'BKC-X' }] }), 'rules.0.question_id'],
    ['submit-a-routing-form', '/v2/routing-forms/{id}/submit', () => ({ ...slot(), answers: [null] }), 'answers.0'],
  ])('%s: the junk seen in the field (%s) names its place', async (_op, path, body, param) => {
    const res = await server.api('POST', urlOf(path), body());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'invalid_request_error', param });
  });
});
