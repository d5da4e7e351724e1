// The event catalog: GET /v2/event-types lists every type hookline delivers with a description, the
// JSON Schema of its payload (the OpenAPI document's) and an example that schema accepts; a test send
// delivers that example's shape. The OpenAPI document describes the catalog and the event stream.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/webhooks/event-types.js';
import { createWebhook } from './support/delivery.js';
import { call, startServer, type TestServer } from './support/hookline.js';
import { receiverEnv, startReceiver, type Receiver } from './support/receiver.js';

/** A validator per schema: the payload schemas carry nested $ids, which one Ajv instance takes once. */
function validatorFor(schema: object) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/** The example with what varies between two samples (ids, times, tracking ids and links) blanked. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'tracking_id' ? '<varies>' : shapeOf(v)]));
  if (typeof value === 'string' && /^([A-Z]{2,4}-[A-Z0-9]+|\d{4}-\d\d-\d\dT.*Z|https:\/\/example\.com\/m\/.*)$/.test(value)) return '<varies>';
  return value;
}

describe('the event catalog', () => {
  let server: TestServer;
  let rx: Receiver;

  beforeAll(async () => {
    rx = await startReceiver();
    server = await startServer({ env: receiverEnv() });
  });
  afterAll(async () => {
    await server.stop();
    await rx.close();
  });

  it('lists every event type, without an API key, each with a description, a schema and an example the schema accepts', async () => {
    const res = await call(server.url, 'GET', '/v2/event-types');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'list', has_more: false });
    const entries = res.body.data as { object: string; type: string; kind: string; description: string; schema: any; example: any }[];
    expect(entries.map((e) => e.type)).toEqual([...EVENT_TYPES]);
    for (const entry of entries) {
      expect(entry.object).toBe('event_type');
      expect(entry.kind).toBe(entry.type.split('.')[0]);
      expect(entry.description.length, entry.type).toBeGreaterThan(20);
      expect(entry.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(entry.schema.properties.type.enum).toEqual([entry.type]);
      expect(entry.example).toMatchObject({ object: 'event', type: entry.type, api_version: 'v2', data: { object: entry.kind } });
      const validate = validatorFor(entry.schema);
      expect(validate(entry.example), `${entry.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // The schema is the one that rejects: another kind's example does not pass.
      const other = entries.find((e) => e.kind !== entry.kind)!;
      expect(validate({ ...other.example, type: entry.type })).toBe(false);
    }
    expect(new Set(entries.map((e) => e.description)).size).toBe(entries.length);
  });

  it('publishes the same schemas as the OpenAPI document’s webhooks section', async () => {
    const [catalog, doc] = await Promise.all([call(server.url, 'GET', '/v2/event-types'), call(server.url, 'GET', '/v2/openapi.json')]);
    for (const entry of catalog.body.data as { type: string; schema: Record<string, unknown> }[]) {
      const { $schema, ...schema } = entry.schema;
      expect(schema).toEqual(doc.body.webhooks[entry.type].post.requestBody.content['application/json'].schema);
    }
  });

  it('gives one type by name, and 404 for an unknown one', async () => {
    const one = await call(server.url, 'GET', '/v2/event-types/conversation.closed');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ object: 'event_type', type: 'conversation.closed', kind: 'conversation', example: { type: 'conversation.closed' } });
    const unknown = await call(server.url, 'GET', '/v2/event-types/booking.exploded');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ type: 'invalid_request_error', message: "No such event type: 'booking.exploded'", param: 'type' });
  });

  it('is what a test send delivers: the example of the type asked for', async () => {
    const webhook = await createWebhook(server, 'catalog test', `${rx.url}/h`, ['booking', 'conversation']);
    for (const type of ['booking.canceled', 'conversation.abandoned'] as const) {
      const sent = await server.api('POST', `/v2/webhooks/${webhook.id}/test`, { type });
      expect(sent.status, sent.text).toBe(200);
      const delivered = JSON.parse(rx.received.find((r) => r.headers['webhook-id'] === sent.body.event.id)!.body);
      const entry = (await call(server.url, 'GET', `/v2/event-types/${type}`)).body;
      expect(shapeOf(delivered)).toEqual(shapeOf(entry.example));
      expect(validatorFor(entry.schema)(delivered)).toBe(true);
    }
  });

  it('and the event stream are in the OpenAPI document', async () => {
    const doc = (await call(server.url, 'GET', '/v2/openapi.json')).body;
    expect(doc.paths['/v2/event-types'].get).toMatchObject({ operationId: 'list-event-types', security: [] });
    expect(doc.paths['/v2/event-types/{type}'].get).toMatchObject({ operationId: 'get-an-event-type' });
    const stream = doc.paths['/v2/events/stream'].get;
    expect(stream.operationId).toBe('stream-events');
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream']);
    expect(stream.parameters.map((p: { in: string; name: string }) => `${p.in} ${p.name}`).sort()).toEqual(['header last-event-id', 'query events', 'query since']);
  });
});
