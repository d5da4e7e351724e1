// POST /v2/webhooks: the created object, the rules for name, url and events, duplicate names, and
// malformed request bodies. Every rejection is a 400/409 in OnceHub's error shape, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISO_MS, REQUEST_ID, WEBHOOK_ID, expectApiError, uniqueName } from './support/expect-api.js';
import { startServer, type TestServer } from './support/hookline.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

const valid = (overrides: Record<string, unknown> = {}) => ({
  name: uniqueName(),
  url: 'https://example.com/hooks',
  events: ['booking.scheduled'],
  ...overrides,
});
const create = (body: unknown) => server.api('POST', '/v2/webhooks', body);

async function allNames(): Promise<string[]> {
  const res = await server.api('GET', '/v2/webhooks?limit=100');
  expect(res.status).toBe(200);
  return res.body.data.map((w: { name: string }) => w.name);
}

describe('a successful creation', () => {
  it('answers 200 with exactly the webhook object, its status and its secret', async () => {
    const before = Date.now();
    const res = await create({ name: 'New booking webhook', url: 'https://mywebsite.com/webhooks/booking', events: ['booking.completed', 'booking.rescheduled'] });
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(REQUEST_ID);
    expect(res.body).toEqual({
      object: 'webhook',
      id: expect.stringMatching(WEBHOOK_ID),
      api_version: 'v2',
      name: 'New booking webhook',
      url: 'https://mywebsite.com/webhooks/booking',
      events: ['booking.completed', 'booking.rescheduled'],
      creation_time: expect.stringMatching(ISO_MS),
      status: 'enabled',
      disabled_reason: null,
      disabled_time: null,
      delivery_health: { state: 'healthy', since: null, resume_time: null },
      secret: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const created = Date.parse(res.body.creation_time);
    expect(created).toBeGreaterThanOrEqual(before - 5);
    expect(created).toBeLessThanOrEqual(after + 5);
  });

  it('gives every webhook its own id and secret', async () => {
    const a = await create(valid());
    const b = await create(valid());
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body.secret).not.toBe(b.body.secret);
  });
});

describe('rejected inputs', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['an http:// url', { url: 'http://example.com/hooks' }, 'url', /https:\/\//],
    ['a non-https scheme', { url: 'ftp://example.com/hooks' }, 'url', /https:\/\//],
    ['"https://" alone', { url: 'https://' }, 'url', /not a valid absolute URL/],
    ['a url with a space in the host', { url: 'https://exa mple.com' }, 'url', /spaces or control characters/],
    ['a url that does not parse', { url: 'https://exa%mple.com' }, 'url', /not a valid absolute URL/],
    ['a url with user:pass@', { url: 'https://user:pass@example.com/hooks' }, 'url', /user name or password/],
    ['a url with a user name only', { url: 'https://user@example.com/hooks' }, 'url', /user name or password/],
    ['a url that is not a string', { url: 42 }, 'url', /string/],
    ['a url longer than 2048 characters', { url: `https://example.com/${'a'.repeat(2048)}` }, 'url', /2048/],
    ['a blank name', { name: '   ' }, 'name', /alphanumeric/],
    ['a name of punctuation only', { name: '!!!' }, 'name', /alphanumeric/],
    ['a name longer than 100 characters', { name: 'n'.repeat(101) }, 'name', /100/],
    ['a name with a control character', { name: 'bell\u0007name' }, 'name', /control/],
    ['a name with a tab inside', { name: 'tab\tname' }, 'name', /control/],
    ['a name that is not a string', { name: 12 }, 'name', /string/],
    ['a null name', { name: null }, 'name', /string/],
    ['an empty events list', { events: [] }, 'events', /at least one/],
    ['an unknown event type', { events: ['nope'] }, 'events', /Invalid event type: 'nope'/],
    ['an event type OnceHub does not have', { events: ['booking.requested'] }, 'events', /booking\.requested/],
    ['events that are not an array', { events: 'booking' }, 'events', /array/],
    ['events holding a non-string', { events: ['booking', 7] }, 'events', /string/],
  ];

  it.each(cases)('rejects %s with 400 and the param, creating nothing', async (_label, overrides, param, message) => {
    const body = valid(overrides);
    const res = await create(body);
    expectApiError(res, 400, { param, message });
    if (typeof body.name === 'string') expect(await allNames()).not.toContain(body.name.trim());
  });

  // The URL parser would silently drop tabs and newlines, so the stored URL would differ from the one used.
  it.each([['https://exa\nmple.com/h'], ['https://example.com/a\tb'], ['https://example.com/\u0000x']])(
    'rejects the url %j holding a control character',
    async (url) => {
      expectApiError(await create(valid({ url })), 400, { param: 'url' });
    },
  );

  it.each(['name', 'url', 'events'])('rejects a body without %s: "Missing required param"', async (param) => {
    const body: Record<string, unknown> = valid();
    delete body[param];
    expectApiError(await create(body), 400, { param, message: `Missing required param: ${param}.` });
  });

  it.each(['foo', 'secret', 'status'])('rejects the unknown body field %s', async (field) => {
    expectApiError(await create(valid({ [field]: 'x' })), 400, { param: field, message: `Received unknown parameter: ${field}` });
  });
});

describe('names', () => {
  it.each(['Réservations', '予約', 'Встречи 2'])('accepts the Unicode name %s as given', async (name) => {
    const res = await create(valid({ name }));
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(name);
  });

  it('stores a trimmed name', async () => {
    const res = await create(valid({ name: '  a  ' }));
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('a');
    expect((await server.api('GET', `/v2/webhooks/${res.body.id}`)).body.name).toBe('a');
  });

  it('accepts exactly 100 characters, counted after trimming', async () => {
    const name = uniqueName('Hundred').padEnd(100, 'z');
    expect([...name]).toHaveLength(100);
    const res = await create(valid({ name: `  ${name}  ` }));
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(name);
  });

  it('answers 409 for a name already taken, with OnceHub message and param', async () => {
    const name = uniqueName('Taken');
    expect((await create(valid({ name }))).status).toBe(200);
    expectApiError(await create(valid({ name })), 409, {
      param: 'name',
      message: `A webhook subscription with this name already exists: '${name}'`,
    });
  });

  it('treats names differing only in letter case as the same', async () => {
    const name = uniqueName('Case Test');
    expect((await create(valid({ name }))).status).toBe(200);
    const upper = name.toUpperCase();
    expectApiError(await create(valid({ name: upper })), 409, {
      param: 'name',
      message: `A webhook subscription with this name already exists: '${upper}'`,
    });
  });

  it('treats a name and its trimmed form as the same', async () => {
    const name = uniqueName('Spaced');
    expect((await create(valid({ name }))).status).toBe(200);
    expectApiError(await create(valid({ name: ` ${name}\u00a0` })), 409, { param: 'name' });
  });

  it('treats composed and decomposed accents as the same name (NFC)', async () => {
    const suffix = uniqueName('');
    expect((await create(valid({ name: `Cr\u00e9neaux${suffix}` }))).status).toBe(200);
    expectApiError(await create(valid({ name: `Cre\u0301neaux${suffix}` })), 409, { param: 'name' });
  });

  it('lets exactly one of two simultaneous creations with the same name succeed', async () => {
    const name = uniqueName('Race');
    const results = await Promise.all([create(valid({ name })), create(valid({ name })), create(valid({ name: name.toLowerCase() }))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect((await allNames()).filter((n) => n.toLowerCase() === name.toLowerCase())).toHaveLength(1);
  });
});

describe('events', () => {
  it.each([
    [['booking.scheduled', 'booking.scheduled'], ['booking.scheduled']],
    [['booking', 'booking.canceled', 'conversation.closed'], ['booking', 'booking.canceled', 'conversation.closed']],
    [['conversation.closed', 'conversation', 'booking.no_show', 'booking.no_show'], ['conversation.closed', 'conversation', 'booking.no_show']],
    [['booking.no_show', 'booking.scheduled'], ['booking.no_show', 'booking.scheduled']],
  ])('keeps %j as %j: in the order given, exact repeats dropped, read back the same', async (events, expected) => {
    const res = await create(valid({ events }));
    expect(res.status).toBe(200);
    expect(res.body.events).toEqual(expected);
    expect((await server.api('GET', `/v2/webhooks/${res.body.id}`)).body.events).toEqual(expected);
  });

  it('accepts every OnceHub event type and both composites', async () => {
    const all = [
      'booking', 'conversation', 'booking.scheduled', 'booking.rescheduled', 'booking.reassigned', 'booking.canceled_then_rescheduled',
      'booking.canceled_reschedule_requested', 'booking.canceled', 'booking.completed', 'booking.no_show',
      'conversation.started', 'conversation.closed', 'conversation.abandoned',
    ];
    for (const event of all) {
      const res = await create(valid({ events: [event] }));
      expect(res.status, `${event}: ${res.text}`).toBe(200);
      expect(res.body.events).toEqual([event]);
    }
  });
});

describe('malformed request bodies', () => {
  it.each([
    ['malformed JSON', '{"name": "x", ', 'application/json'],
    ['a JSON array', '[{"name":"x"}]', 'application/json'],
    ['a JSON string', '"webhook"', 'application/json'],
    ['an empty JSON body', '', 'application/json'],
    ['a text/plain body', 'name=x&url=https://example.com', 'text/plain'],
    ['a form body', 'name=x&url=https%3A%2F%2Fexample.com&events=booking', 'application/x-www-form-urlencoded'],
  ])('answers 400 in OnceHub shape for %s', async (_label, body, contentType) => {
    const res = await fetch(`${server.url}/v2/webhooks`, {
      method: 'POST',
      headers: { 'API-Key': server.env.HOOKLINE_API_KEY!, 'content-type': contentType },
      body,
    });
    const text = await res.text();
    expectApiError({ status: res.status, headers: res.headers, body: JSON.parse(text), text }, 400, {});
  });
});

describe('the body size limit (HOOKLINE_BODY_LIMIT)', () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startServer({ env: { HOOKLINE_BODY_LIMIT: '2048' } });
  });
  afterAll(() => small.stop());

  it('answers 400 in OnceHub shape for a body over the limit, and accepts one under it', async () => {
    const big = { name: 'big', url: `https://example.com/${'a'.repeat(2100)}`, events: ['booking'] };
    expect(JSON.stringify(big).length).toBeGreaterThan(2048);
    expectApiError(await small.api('POST', '/v2/webhooks', big), 400, { message: /too large/ });
    const fits = { name: 'fits', url: `https://example.com/${'a'.repeat(1800)}`, events: ['booking'] };
    expect(JSON.stringify(fits).length).toBeLessThan(2048);
    expect((await small.api('POST', '/v2/webhooks', fits)).status).toBe(200);
    const list = await small.api('GET', '/v2/webhooks');
    expect(list.body.data.map((w: { name: string }) => w.name)).toEqual(['fits']);
  });
});
