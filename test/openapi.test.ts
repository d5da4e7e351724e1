// GET /v2/openapi.json: public, OpenAPI 3.1, documents every webhook-subscription route under
// OnceHub's operationIds, and real responses validate against the documented schemas.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type ApiResponse, type TestServer } from './support/hookline.js';

let server: TestServer;
let doc: any;

beforeAll(async () => {
  server = await startServer();
  const res = await call(server.url, 'GET', '/v2/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => server.stop());

/** The subscription API's routes, as the server answers them and as OpenAPI spells their paths. */
const ROUTES = [
  ['get', '/v2/test'],
  ['post', '/v2/webhooks'],
  ['get', '/v2/webhooks'],
  ['get', '/v2/webhooks/{id}'],
  ['patch', '/v2/webhooks/{id}'],
  ['delete', '/v2/webhooks/{id}'],
  ['get', '/v2/webhooks/{id}/secret'],
] as const;

const ONCEHUB_OPERATIONS: Record<string, [string, string]> = {
  'create-a-webhook': ['post', '/v2/webhooks'],
  'list-all-webhooks': ['get', '/v2/webhooks'],
  'get-a-single-webhook': ['get', '/v2/webhooks/{id}'],
  'delete-a-webhook': ['delete', '/v2/webhooks/{id}'],
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
ajv.addFormat('uri', (value: string) => URL.canParse(value));

/** A validator for one documented response, with component $refs resolved against the document. */
function responseValidator(method: string, path: string, status: string): ValidateFunction {
  const schema = doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} documents no ${status} JSON schema`).toBeDefined();
  return ajv.compile({ ...schema, components: doc.components });
}

function expectValid(res: ApiResponse, method: string, path: string, status = String(res.status)) {
  expect(String(res.status)).toBe(status);
  const validate = responseValidator(method, path, status);
  expect(validate(res.body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${res.text}`).toBe(true);
}

describe('the document', () => {
  it('is served without an API key (and despite a wrong one) as OpenAPI 3.1.0', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTypeOf('string');
    const withWrongKey = await call(server.url, 'GET', '/v2/openapi.json', undefined, { 'API-Key': 'wrong' });
    expect(withWrongKey.status).toBe(200);
    expect(withWrongKey.body.openapi).toBe('3.1.0');
  });

  it('declares the API-Key header scheme, as OnceHub does', () => {
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: 'apiKey', in: 'header', name: 'API-Key' });
    expect(doc.security).toEqual([{ ApiKey: [] }]);
  });

  it('documents exactly the subscription routes, each with an operationId', () => {
    const documented: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (path !== '/v2/test' && path !== '/v2/webhooks' && path !== '/v2/webhooks/{id}' && path !== '/v2/webhooks/{id}/secret') continue;
      for (const method of Object.keys(item).filter((k) => HTTP_METHODS.includes(k))) {
        documented.push(`${method} ${path}`);
        expect(item[method].operationId, `${method} ${path}`).toMatch(/^[a-z][a-z0-9-]+$/);
      }
    }
    expect(documented.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it('gives each subscription operation an operationId no other operation uses', () => {
    const all = Object.values<any>(doc.paths).flatMap((item) => HTTP_METHODS.filter((m) => item[m]).map((m) => item[m].operationId as unknown));
    const mine = ROUTES.map(([method, path]) => doc.paths[path][method].operationId as string);
    expect(new Set(mine).size).toBe(mine.length);
    for (const id of mine) expect(all.filter((other) => other === id), id).toHaveLength(1);
  });

  it.each(Object.entries(ONCEHUB_OPERATIONS))('uses OnceHub operationId %s for %j', (operationId, [method, path]) => {
    expect(doc.paths[path][method].operationId).toBe(operationId);
  });

  it('answers every documented route on the server (none is documented but missing)', async () => {
    for (const [method, path] of ROUTES) {
      const res = await server.api(method.toUpperCase(), path.replace('{id}', 'WHK-ZZZZZZZZZZ'), method === 'post' || method === 'patch' ? {} : undefined);
      expect(res.body?.message ?? '', `${method} ${path}`).not.toMatch(/^Unrecognized request URL/);
      expect(res.status, `${method} ${path}`).not.toBe(500);
    }
  });

  it('documents the OnceHub fields as required in the Webhook schema and the create body', () => {
    expect(doc.components.schemas.Webhook.required).toEqual(
      expect.arrayContaining(['object', 'id', 'api_version', 'name', 'url', 'events', 'creation_time']),
    );
    const body = doc.paths['/v2/webhooks'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['name', 'url', 'events']));
    expect(body.additionalProperties).toBe(false);
  });
});

describe('real responses validate against the documented schemas', () => {
  it('for every subscription route', async () => {
    expectValid(await server.api('GET', '/v2/test'), 'get', '/v2/test');
    const created = await server.api('POST', '/v2/webhooks', { name: 'Documented', url: 'https://example.com/h', events: ['booking', 'conversation.started'] });
    expectValid(created, 'post', '/v2/webhooks', '200');
    const id = created.body.id as string;
    await server.api('POST', '/v2/webhooks', { name: 'Second', url: 'https://example.com/2', events: ['booking.no_show'] });
    expectValid(await server.api('GET', '/v2/webhooks?limit=1'), 'get', '/v2/webhooks', '200');
    expectValid(await server.api('GET', `/v2/webhooks/${id}`), 'get', '/v2/webhooks/{id}', '200');
    expectValid(await server.api('PATCH', `/v2/webhooks/${id}`, { status: 'disabled' }), 'patch', '/v2/webhooks/{id}', '200');
    expectValid(await server.api('GET', `/v2/webhooks/${id}`), 'get', '/v2/webhooks/{id}', '200');
    expectValid(await server.api('GET', `/v2/webhooks/${id}/secret`), 'get', '/v2/webhooks/{id}/secret', '200');
    expectValid(await server.api('DELETE', `/v2/webhooks/${id}`), 'delete', '/v2/webhooks/{id}', '200');
  });

  it('for the documented error responses', async () => {
    expectValid(await server.api('POST', '/v2/webhooks', { name: 'x' }), 'post', '/v2/webhooks', '400');
    expectValid(await call(server.url, 'GET', '/v2/webhooks'), 'get', '/v2/webhooks', '401');
    expectValid(await server.api('GET', '/v2/webhooks?limit=500'), 'get', '/v2/webhooks', '400');
    expectValid(await server.api('GET', '/v2/webhooks/WHK-ZZZZZZZZZZ'), 'get', '/v2/webhooks/{id}', '404');
    expectValid(await server.api('DELETE', '/v2/webhooks/WHK-ZZZZZZZZZZ'), 'delete', '/v2/webhooks/{id}', '404');
    await server.api('POST', '/v2/webhooks', { name: 'Taken', url: 'https://example.com', events: ['booking'] });
    expectValid(await server.api('POST', '/v2/webhooks', { name: 'taken', url: 'https://example.com', events: ['booking'] }), 'post', '/v2/webhooks', '409');
  });

  it('rejects bodies that break the schema (the validators are not vacuous)', async () => {
    const created = await server.api('POST', '/v2/webhooks', { name: 'Probe', url: 'https://example.com/p', events: ['booking'] });
    const validate = responseValidator('post', '/v2/webhooks', '200');
    expect(validate(created.body)).toBe(true);
    expect(validate({ ...created.body, id: 'whk_123' })).toBe(false);
    expect(validate({ ...created.body, events: ['meeting.scheduled'] })).toBe(false);
    expect(validate({ ...created.body, creation_time: 'yesterday' })).toBe(false);
    const { api_version: _omitted, ...withoutVersion } = created.body;
    expect(validate(withoutVersion)).toBe(false);
    const list = responseValidator('get', '/v2/webhooks', '200');
    expect(list({ object: 'list', data: [{ id: 'x' }], has_more: false })).toBe(false);
    const error = responseValidator('get', '/v2/webhooks/{id}', '404');
    expect(error({ type: 'not_found', message: 'x' })).toBe(false);
  });
});

describe('the scheduling side: real answers validate against the documented objects', () => {
  it('users, calendars, bookings (with and without expand), guest links, hubs and routing forms', async () => {
    const host = await server.api('POST', '/v2/users', { email: 'doc-host@example.com', first_name: 'Doc', last_name: 'Host' });
    expectValid(host, 'post', '/v2/users');
    expectValid(await server.api('GET', '/v2/users'), 'get', '/v2/users');
    const calendar = await server.api('POST', '/v2/booking-calendars', { host: host.body.id, name: 'Docs', duration_minutes: 30 });
    expectValid(calendar, 'post', '/v2/booking-calendars');
    expectValid(await server.api('GET', `/v2/booking-calendars/${calendar.body.id}`), 'get', '/v2/booking-calendars/{id}');
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const booking = await server.api('POST', `/v2/booking-calendars/${calendar.body.id}/schedule`, { start_time: start, booking_form: { name: 'G', email: 'g@example.com', Title: 'CTO' } });
    expectValid(booking, 'post', '/v2/booking-calendars/{id}/schedule');
    expectValid(await server.api('GET', '/v2/bookings'), 'get', '/v2/bookings');
    expectValid(await server.api('GET', '/v2/bookings?expand=data.owner,data.booking_calendar,data.conversation'), 'get', '/v2/bookings');
    expectValid(await server.api('GET', `/v2/bookings/${booking.body.id}?expand=owner`), 'get', '/v2/bookings/{id}');
    const token = booking.body.cancel_reschedule_url.split('/').pop();
    expectValid(await call(server.url, 'GET', `/v2/guest/bookings/${token}`), 'get', '/v2/guest/bookings/{token}');
    expectValid(await call(server.url, 'POST', `/v2/guest/bookings/${token}/reschedule`, { start_time: new Date(Date.parse(start) + 3_600_000).toISOString() }), 'post', '/v2/guest/bookings/{token}/reschedule');
    expectValid(await server.api('POST', `/v2/bookings/${booking.body.id}/cancel`, {}), 'post', '/v2/bookings/{id}/cancel');
    const hub = await server.api('POST', '/v2/booking-hubs', { name: 'Hub', booking_calendars: [calendar.body.id] });
    expectValid(hub, 'post', '/v2/booking-hubs');
    const form = await server.api('POST', '/v2/routing-forms', { name: 'F', questions: [{ question: 'Q' }], fallback_booking_calendar: calendar.body.id });
    expectValid(form, 'post', '/v2/routing-forms');
    const submitted = await server.api('POST', `/v2/routing-forms/${form.body.id}/submit`, { answers: [{ question_id: 'Q1', value: 'x' }], start_time: new Date(Date.parse(start) + 5 * 3_600_000).toISOString(), booking_form: { name: 'G', email: 'g@example.com' } });
    expectValid(submitted, 'post', '/v2/routing-forms/{id}/submit');
    expectValid(await server.api('GET', '/v2/booking-hubs'), 'get', '/v2/booking-hubs');
    expectValid(await server.api('GET', '/v2/routing-forms'), 'get', '/v2/routing-forms');
  });

  it('websites, chatbots, contacts and conversations (with and without expand)', async () => {
    const host = (await server.api('POST', '/v2/users', { email: 'doc-bot-owner@example.com', first_name: 'Bo' })).body.id;
    const website = await server.api('POST', '/v2/websites', { name: 'Site', url: 'https://site.example.com' });
    expectValid(website, 'post', '/v2/websites');
    const bot = await server.api('POST', '/v2/chatbots', { name: 'Bot', website: website.body.id, owner: host, questions: [{ question: 'Why?' }] });
    expectValid(bot, 'post', '/v2/chatbots');
    const reached = await call(server.url, 'POST', `/v2/chatbots/${bot.body.id}/reach-out`, { visitor_id: 'doc-visitor-0123456789abcdef' });
    expectValid(reached, 'post', '/v2/chatbots/{id}/reach-out');
    expectValid(await call(server.url, 'POST', `/v2/chatbots/${bot.body.id}/conversations`, { visitor_id: 'doc-visitor-0123456789abcdef' }), 'post', '/v2/chatbots/{id}/conversations');
    expectValid(await server.api('GET', '/v2/contacts'), 'get', '/v2/contacts');
    expectValid(await server.api('GET', `/v2/contacts/${reached.body.contact}`), 'get', '/v2/contacts/{id}');
    expectValid(await server.api('GET', '/v2/conversations'), 'get', '/v2/conversations');
    expectValid(await server.api('GET', `/v2/conversations/${reached.body.id}?expand=contact,owner,bot,website`), 'get', '/v2/conversations/{id}');
  });

  it('the documented booking is not vacuous', async () => {
    const validate = responseValidator('get', '/v2/bookings/{id}', '200');
    const booking = (await server.api('GET', '/v2/bookings?limit=1')).body.data[0];
    expect(validate(booking)).toBe(true);
    expect(validate({ ...booking, customer_timezone: null })).toBe(false);
    expect(validate({ ...booking, extra: 1 })).toBe(false);
    const { ics_url: _omitted, ...withoutIcs } = booking;
    expect(validate(withoutIcs)).toBe(false);
  });
});
