// /v2/webhooks/{id}: get (never the secret), delete, PATCH (hookline extension) with creation's
// rules, the secret endpoint, unknown ids and routes, and the Request-Id header on every response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_ID, expectApiError, uniqueName } from './support/expect-api.js';
import { call, startServer, type ApiResponse, type TestServer } from './support/hookline.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

async function createWebhook(overrides: Record<string, unknown> = {}) {
  const res = await server.api('POST', '/v2/webhooks', { name: uniqueName(), url: 'https://example.com/h', events: ['booking'], ...overrides });
  expect(res.status, res.text).toBe(200);
  return res.body as { id: string; name: string; secret: string; [k: string]: unknown };
}

const NO_SUCH = (id: string) => ({ type: 'invalid_request_error', message: `No such webhook: '${id}'`, param: 'id' });

describe('GET /v2/webhooks/{id}', () => {
  it('returns the webhook as created, without its secret', async () => {
    const created = await createWebhook();
    const res = await server.api('GET', `/v2/webhooks/${created.id}`);
    expect(res.status).toBe(200);
    const { secret, ...rest } = created;
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(res.body).toEqual(rest);
    expect(res.body).not.toHaveProperty('secret');
    expect(res.text).not.toContain(secret);
  });

  it('lists webhooks without their secrets', async () => {
    const created = await createWebhook();
    const list = await server.api('GET', '/v2/webhooks?limit=100');
    const item = list.body.data.find((w: { id: string }) => w.id === created.id);
    expect(item).toBeDefined();
    expect(item).not.toHaveProperty('secret');
    expect(list.text).not.toContain(created.secret);
  });

  it('answers 404 in OnceHub words for an unknown id', async () => {
    const res = await server.api('GET', '/v2/webhooks/WHK-XXXX');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NO_SUCH('WHK-XXXX'));
  });
});

describe('DELETE /v2/webhooks/{id}', () => {
  it('answers {id, deleted:true}; the webhook is then gone everywhere', async () => {
    const created = await createWebhook();
    const res = await server.api('DELETE', `/v2/webhooks/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: created.id, deleted: true });
    for (const [method, path] of [
      ['GET', `/v2/webhooks/${created.id}`],
      ['DELETE', `/v2/webhooks/${created.id}`],
      ['PATCH', `/v2/webhooks/${created.id}`],
      ['GET', `/v2/webhooks/${created.id}/secret`],
    ] as const) {
      const again = await server.api(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(again.status, `${method} ${path}`).toBe(404);
      expect(again.body).toEqual(NO_SUCH(created.id));
    }
    const list = await server.api('GET', '/v2/webhooks?limit=100');
    expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(created.id);
  });

  it('frees the name for a new webhook', async () => {
    const created = await createWebhook();
    expect((await server.api('DELETE', `/v2/webhooks/${created.id}`)).status).toBe(200);
    const again = await createWebhook({ name: created.name.toUpperCase() });
    expect(again.id).not.toBe(created.id);
    expect(again.secret).not.toBe(created.secret);
  });

  it('deletes only the webhook named', async () => {
    const keep = await createWebhook();
    const drop = await createWebhook();
    await server.api('DELETE', `/v2/webhooks/${drop.id}`);
    expect((await server.api('GET', `/v2/webhooks/${keep.id}`)).status).toBe(200);
  });
});

describe('PATCH /v2/webhooks/{id} (hookline extension)', () => {
  it('changes name, url, events and status; GET reflects every change', async () => {
    const created = await createWebhook({ events: ['booking.scheduled'] });
    const name = uniqueName('Renamed');
    const res = await server.api('PATCH', `/v2/webhooks/${created.id}`, {
      name: `  ${name} `,
      url: 'https://other.example.org/in',
      events: ['conversation', 'conversation.closed', 'booking.no_show'],
      status: 'disabled',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      name,
      url: 'https://other.example.org/in',
      events: ['conversation', 'conversation.closed', 'booking.no_show'], // as written
      status: 'disabled',
      disabled_reason: expect.any(String),
      creation_time: created.creation_time,
    });
    expect(res.body).not.toHaveProperty('secret');
    expect((await server.api('GET', `/v2/webhooks/${created.id}`)).body).toEqual(res.body);
  });

  it('changes only the fields sent', async () => {
    const created = await createWebhook({ events: ['booking.canceled'] });
    const res = await server.api('PATCH', `/v2/webhooks/${created.id}`, { url: 'https://example.net/new' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: created.name, events: ['booking.canceled'], status: 'enabled', url: 'https://example.net/new' });
  });

  it('disables with a reason and time, and re-enabling clears them', async () => {
    const created = await createWebhook();
    const off = await server.api('PATCH', `/v2/webhooks/${created.id}`, { status: 'disabled' });
    expect(off.body.status).toBe('disabled');
    expect(off.body.disabled_reason).toBeTypeOf('string');
    expect(Date.parse(off.body.disabled_time)).toBeGreaterThanOrEqual(Date.parse(created.creation_time as string));
    const on = await server.api('PATCH', `/v2/webhooks/${created.id}`, { status: 'enabled' });
    expect(on.body).toMatchObject({ status: 'enabled', disabled_reason: null, disabled_time: null });
  });

  it('keeps the secret unchanged', async () => {
    const created = await createWebhook();
    await server.api('PATCH', `/v2/webhooks/${created.id}`, { name: uniqueName(), url: 'https://example.com/changed' });
    expect((await server.api('GET', `/v2/webhooks/${created.id}/secret`)).body.secret).toBe(created.secret);
  });

  it.each([
    ['an http url', { url: 'http://example.com/h' }, 'url'],
    ['a url with credentials', { url: 'https://u:p@example.com/h' }, 'url'],
    ['a name without letters or digits', { name: '...' }, 'name'],
    ['an empty events list', { events: [] }, 'events'],
    ['an unknown event type', { events: ['booking.requested'] }, 'events'],
    ['the status "paused"', { status: 'paused' }, 'status'],
    ['an unknown field', { secret: '0123456789abcdef0123456789abcdef' }, 'secret'],
  ])('rejects %s with 400 and changes nothing', async (_label, body, param) => {
    const created = await createWebhook();
    const before = await server.api('GET', `/v2/webhooks/${created.id}`);
    // A valid change sent along with the invalid one must not be applied either.
    const withValid = 'name' in body ? { ...body, url: 'https://example.com/applied' } : { ...body, name: uniqueName('Applied') };
    expectApiError(await server.api('PATCH', `/v2/webhooks/${created.id}`, withValid), 400, { param });
    expect((await server.api('GET', `/v2/webhooks/${created.id}`)).body).toEqual(before.body);
  });

  it("answers 409 for another webhook's name (any case), but allows re-casing its own", async () => {
    const a = await createWebhook();
    const b = await createWebhook();
    expectApiError(await server.api('PATCH', `/v2/webhooks/${b.id}`, { name: a.name.toUpperCase() }), 409, {
      param: 'name',
      message: `A webhook subscription with this name already exists: '${a.name.toUpperCase()}'`,
    });
    expect((await server.api('GET', `/v2/webhooks/${b.id}`)).body.name).toBe(b.name);
    const recased = await server.api('PATCH', `/v2/webhooks/${b.id}`, { name: b.name.toUpperCase() });
    expect(recased.status).toBe(200);
    expect(recased.body.name).toBe(b.name.toUpperCase());
  });

  it('answers 404 for an unknown id', async () => {
    const res = await server.api('PATCH', '/v2/webhooks/WHK-ZZZZZZZZZZ', { name: 'x' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NO_SUCH('WHK-ZZZZZZZZZZ'));
  });
});

describe('GET /v2/webhooks/{id}/secret (hookline extension)', () => {
  it('returns the secret issued at creation', async () => {
    const created = await createWebhook();
    const res = await server.api('GET', `/v2/webhooks/${created.id}/secret`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'webhook_secret', id: created.id, secret: created.secret });
  });

  it('answers 404 for an unknown id', async () => {
    const res = await server.api('GET', '/v2/webhooks/WHK-XXXX/secret');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(NO_SUCH('WHK-XXXX'));
  });
});

describe('routes and headers', () => {
  it.each([
    ['GET', '/v2/nope'],
    ['PUT', '/v2/webhooks/WHK-XXXX'],
    ['GET', '/v1/webhooks'],
  ])('answers 404 in OnceHub shape for the unknown route %s %s', async (method, path) => {
    const res = await server.api(method, `${path}?limit=1`);
    expectApiError(res, 404, { param: null, message: `Unrecognized request URL (${method}: ${path}).` });
  });

  it('puts a distinct Request-Id on every response, errors and 401s included', async () => {
    const webhook = await createWebhook();
    const responses: ApiResponse[] = [
      await server.api('GET', '/v2/test'),
      await server.api('GET', '/v2/webhooks'),
      await server.api('GET', `/v2/webhooks/${webhook.id}`),
      await server.api('POST', '/v2/webhooks', { name: webhook.name, url: 'https://example.com', events: ['booking'] }), // 409
      await server.api('POST', '/v2/webhooks', { name: 'x' }), // 400
      await server.api('GET', '/v2/webhooks/WHK-XXXX'), // 404
      await server.api('GET', '/v2/nope'), // unknown route
      await server.api('GET', '/v2/webhooks', undefined, { 'API-Key': 'wrong' }), // 401
      await call(server.url, 'GET', '/v2/webhooks'), // 401, no key
      await server.api('POST', '/v2/webhooks', '{bad json'), // 400 from the parser
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 409, 400, 404, 404, 401, 401, 400]);
    const ids = responses.map((r) => r.headers.get('request-id'));
    for (const id of ids) expect(id).toMatch(REQUEST_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  // Fastify rejects such a path before routing; it must still answer in OnceHub's shape.
  it('answers a malformed percent-encoded path in OnceHub shape with a Request-Id', async () => {
    expectApiError(await server.api('GET', '/v2/webhooks/%E0%A4%A'), 400, {});
  });

  it('ignores a Request-Id sent by the client', async () => {
    const res = await server.api('GET', '/v2/test', undefined, { 'Request-Id': 'req_0000000000000000' });
    expect(res.headers.get('request-id')).toMatch(REQUEST_ID);
    expect(res.headers.get('request-id')).not.toBe('req_0000000000000000');
  });
});
