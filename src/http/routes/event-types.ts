// The event catalog (hookline extension): GET /v2/event-types lists every event type with its
// description, the JSON Schema of its payload and an example; GET /v2/event-types/{type} gives one.
// Like the OpenAPI document it describes hookline itself, not an account: no API key is needed.
import type { FastifyInstance } from 'fastify';
import { catalogEntry, eventCatalog } from '../../events/catalog.js';
import { notFound } from '../../errors.js';
import { isEventType } from '../../webhooks/event-types.js';
import { errorResponses, notFoundResponse } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tags = ['Events and deliveries'];
const anyObject = { type: 'object', additionalProperties: true } as const;
const entrySchema = {
  type: 'object',
  required: ['object', 'type', 'kind', 'description', 'schema', 'example'],
  properties: {
    object: { type: 'string', const: 'event_type' },
    type: { type: 'string' },
    kind: { type: 'string', enum: ['booking', 'conversation'] },
    description: { type: 'string' },
    schema: { ...anyObject, description: 'JSON Schema (2020-12) of the delivered event: the envelope and its data.' },
    example: { ...anyObject, description: 'An example event of this type, as a delivery carries it; POST /v2/webhooks/{id}/test sends one like it.' },
  },
} as const;

export function eventTypeRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  app.get('/v2/event-types', {
    config: { public: true },
    schema: {
      operationId: 'list-event-types',
      summary: 'Every event type with its description, payload JSON Schema and an example (hookline extension)',
      tags,
      security: [],
      response: {
        200: { type: 'object', required: ['object', 'data', 'has_more'], properties: { object: { type: 'string', const: 'list' }, data: { type: 'array', items: entrySchema }, has_more: { type: 'boolean' } } },
        ...errorResponses,
      },
    },
    handler: async () => ({ object: 'list', data: eventCatalog(ctx.clock.now()), has_more: false }),
  });

  app.get<{ Params: { type: string } }>('/v2/event-types/:type', {
    config: { public: true },
    schema: {
      operationId: 'get-an-event-type',
      summary: 'One event type with its description, payload JSON Schema and an example (hookline extension)',
      tags,
      security: [],
      params: { type: 'object', required: ['type'], properties: { type: { type: 'string', description: 'The event type, e.g. booking.scheduled.' } } },
      response: { 200: entrySchema, ...errorResponses, ...notFoundResponse },
    },
    handler: async (request) => {
      const { type } = request.params;
      if (!isEventType(type)) throw notFound(`No such event type: '${type}'`, 'type');
      return catalogEntry(type, ctx.clock.now());
    },
  });
}
