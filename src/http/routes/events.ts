// /v2/events (hookline extension): the account's events, each with its deliveries, and redelivery.
import type { FastifyInstance } from 'fastify';
import * as deliveries from '../../delivery/service.js';
import { EVENT_TYPES } from '../../webhooks/event-types.js';
import { accountOf } from '../auth.js';
import { listQuerystring, listRequest, type ListSpec } from '../list-query.js';
import { sendPage } from '../pagination.js';
import { errorResponses, listOf, notFoundResponse, ref } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tags = ['Events and deliveries'];
const EVENT_LIST: ListSpec = { dates: { creation_time: 'created_at' } };
const listQuery = listQuerystring(EVENT_LIST);

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The event id, e.g. EVNT-KN56U3YL7C.' } } } as const;

export function eventRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  app.get<{ Querystring: Record<string, unknown> & { type?: string } }>('/v2/events', {
    schema: {
      operationId: 'list-all-events',
      summary: "List the account's events, newest first (hookline extension)",
      tags,
      querystring: { ...listQuery, properties: { ...listQuery.properties, type: { type: 'string', enum: EVENT_TYPES } } },
      response: { 200: listOf('Event'), ...errorResponses },
    },
    handler: async (request, reply) => {
      const { type, ...query } = request.query;
      const list = listRequest(query, EVENT_LIST);
      const page = await deliveries.listEvents(ctx, accountOf(request), type, list.page);
      return sendPage(request, reply, page, ctx.config.publicUrl, { ...list.filters, ...(type && { type }) });
    },
  });

  app.get<{ Params: { id: string } }>('/v2/events/:id', {
    schema: {
      operationId: 'get-a-single-event',
      summary: 'Get an event with the state of its delivery to each webhook (hookline extension)',
      tags,
      params: idParams,
      response: { 200: ref('Event'), ...errorResponses, ...notFoundResponse },
    },
    handler: (request) => deliveries.getEvent(ctx, accountOf(request), request.params.id),
  });

  app.post<{ Params: { id: string }; Body: { webhook_id?: string } | undefined }>('/v2/events/:id/redeliver', {
    schema: {
      operationId: 'redeliver-an-event',
      summary: 'Send an event again, to every enabled webhook it went to or to one (hookline extension)',
      tags,
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: { webhook_id: { type: 'string' } } },
      response: {
        200: {
          type: 'object',
          required: ['object', 'event_id', 'requeued'],
          properties: { object: { type: 'string', const: 'redelivery' }, event_id: { type: 'string' }, requeued: { type: 'integer' } },
        },
        ...errorResponses,
        ...notFoundResponse,
      },
    },
    handler: (request) => deliveries.redeliverEvent(ctx, accountOf(request), request.params.id, request.body?.webhook_id),
  });
}
