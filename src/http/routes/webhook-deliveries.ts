// Delivery operations on one webhook (hookline extensions): its delivery log, bulk recovery,
// test sends and secret rotation.
import type { FastifyInstance } from 'fastify';
import * as deliveries from '../../delivery/service.js';
import { EVENT_TYPES } from '../../webhooks/event-types.js';
import * as webhooks from '../../webhooks/service.js';
import { accountOf } from '../auth.js';
import { pageRequest, sendPage, type PaginationQuery } from '../pagination.js';
import { errorResponses, listOf, notFoundResponse, paginationQuery, ref } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tags = ['Events and deliveries'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The webhook id.' } } } as const;

export function webhookDeliveryRoutes(app: FastifyInstance, { ctx, http }: RouteDeps): void {
  type LogQuery = PaginationQuery & { state?: deliveries.DeliveryState; event_type?: string; since?: string; until?: string };
  app.get<{ Params: { id: string }; Querystring: LogQuery }>('/v2/webhooks/:id/deliveries', {
    schema: {
      operationId: 'list-webhook-deliveries',
      summary: "A webhook's deliveries with every attempt, newest first (hookline extension)",
      tags,
      params: idParams,
      querystring: {
        ...paginationQuery,
        properties: {
          ...paginationQuery.properties,
          state: { type: 'string', enum: deliveries.DELIVERY_STATES },
          event_type: { type: 'string', enum: EVENT_TYPES, description: "Only deliveries of this event type." },
          since: { type: 'string', format: 'date-time', description: 'Only deliveries created at or after this time.' },
          until: { type: 'string', format: 'date-time', description: 'Only deliveries created before this time.' },
        },
      },
      response: { 200: listOf('Delivery'), ...errorResponses, ...notFoundResponse },
    },
    handler: async (request, reply) => {
      const { state, event_type, since, until, ...query } = request.query;
      const filter = { state, eventType: event_type, since, until };
      const page = await deliveries.listDeliveries(ctx, accountOf(request), request.params.id, filter, pageRequest(query));
      const kept = Object.entries({ state, event_type, since, until }).filter((e): e is [string, string] => e[1] !== undefined);
      return sendPage(request, reply, page, ctx.config.publicUrl, Object.fromEntries(kept));
    },
  });

  app.post<{ Params: { id: string }; Body: { since: string } }>('/v2/webhooks/:id/recover', {
    schema: {
      operationId: 'recover-webhook-deliveries',
      summary: 'Send again everything that failed or was skipped since a time (hookline extension)',
      tags,
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['since'], properties: { since: { type: 'string', format: 'date-time' } } },
      response: {
        200: {
          type: 'object',
          required: ['object', 'webhook_id', 'since', 'requeued'],
          properties: { object: { type: 'string', const: 'recovery' }, webhook_id: { type: 'string' }, since: { type: 'string' }, requeued: { type: 'integer' } },
        },
        ...errorResponses,
        ...notFoundResponse,
      },
    },
    handler: (request) => deliveries.recoverWebhook(ctx, accountOf(request), request.params.id, request.body.since),
  });

  app.post<{ Params: { id: string }; Body: { type: string } }>('/v2/webhooks/:id/test', {
    schema: {
      operationId: 'send-a-test-event',
      summary: 'Send a signed sample event now and return the attempt (hookline extension)',
      tags,
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { type: 'string', enum: EVENT_TYPES } } },
      response: {
        200: {
          type: 'object',
          required: ['object', 'success', 'event', 'delivery'],
          properties: { object: { type: 'string', const: 'test_delivery' }, success: { type: 'boolean' }, event: ref('Event'), delivery: ref('Delivery') },
        },
        ...errorResponses,
        ...notFoundResponse,
      },
    },
    handler: (request) => deliveries.sendTestEvent(ctx, http, accountOf(request), request.params.id, request.body.type),
  });

  app.post<{ Params: { id: string } }>('/v2/webhooks/:id/rotate-secret', {
    schema: {
      operationId: 'rotate-a-webhook-secret',
      summary: 'Issue a new signing secret; the previous one keeps signing during the overlap window (hookline extension)',
      tags,
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: ref('WebhookSecret'), ...errorResponses, ...notFoundResponse },
    },
    handler: (request) => webhooks.rotateWebhookSecret(ctx, accountOf(request), request.params.id),
  });
}
