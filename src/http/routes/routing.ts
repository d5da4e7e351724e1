// Booking hubs and routing forms (hookline extensions: OnceHub's are built in its app).
import type { FastifyInstance } from 'fastify';
import * as routing from '../../scheduling/routing.js';
import { accountOf } from '../auth.js';
import { pageRequest, sendPage, type PaginationQuery } from '../pagination.js';
import { errorResponses, notFoundResponse, paginationQuery } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const open = { type: 'object', additionalProperties: true } as const;
const list = { type: 'object', required: ['object', 'data', 'has_more'], properties: { object: { type: 'string' }, data: { type: 'array', items: open }, has_more: { type: 'boolean' } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const replies = { 200: open, ...errorResponses, ...notFoundResponse } as const;

export function routingRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const resource = (
    path: string,
    tag: string,
    noun: string,
    ops: {
      create: (a: string, body: Record<string, unknown>) => Promise<unknown>;
      get: (a: string, id: string) => Promise<unknown>;
      list: (a: string, page: ReturnType<typeof pageRequest>) => Promise<Parameters<typeof sendPage>[2]>;
    },
  ) => {
    const tags = [tag];
    app.post<{ Body: Record<string, unknown> }>(path, {
      schema: { operationId: `create-a-${noun}`, summary: `Create a ${noun.replace('-', ' ')} (hookline extension)`, tags, body: open, response: replies },
      handler: (request) => ops.create(accountOf(request), request.body),
    });
    app.get<{ Querystring: PaginationQuery }>(path, {
      schema: { operationId: `list-all-${noun}s`, summary: `List ${noun.replace('-', ' ')}s (hookline extension)`, tags, querystring: paginationQuery, response: { 200: list, ...errorResponses } },
      handler: async (request, reply) => sendPage(request, reply, await ops.list(accountOf(request), pageRequest(request.query)), ctx.config.publicUrl),
    });
    app.get<{ Params: { id: string } }>(`${path}/:id`, {
      schema: { operationId: `get-a-single-${noun}`, summary: `Get a ${noun.replace('-', ' ')} (hookline extension)`, tags, params: idParams, response: replies },
      handler: (request) => ops.get(accountOf(request), request.params.id),
    });
  };

  resource('/v2/booking-hubs', 'Booking hubs', 'booking-hub', {
    create: (a, body) => routing.createHub(ctx, a, body),
    get: (a, id) => routing.getHub(ctx, a, id),
    list: (a, page) => routing.listHubs(ctx, a, page),
  });
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/v2/booking-hubs/:id/schedule', {
    schema: {
      operationId: 'schedule-through-a-booking-hub',
      summary: 'Book through a hub: {start_time, booking_form, booking_calendar (guest_choice mode)} (hookline extension)',
      tags: ['Booking hubs'],
      params: idParams,
      body: open,
      response: { ...replies, 409: { description: 'No host free then', ...open } },
    },
    handler: (request) => routing.scheduleThroughHub(ctx, accountOf(request), request.params.id, request.body),
  });

  resource('/v2/routing-forms', 'Routing forms', 'routing-form', {
    create: (a, body) => routing.createForm(ctx, a, body),
    get: (a, id) => routing.getForm(ctx, a, id),
    list: (a, page) => routing.listForms(ctx, a, page),
  });
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/v2/routing-forms/:id/submit', {
    schema: {
      operationId: 'submit-a-routing-form',
      summary: 'Answer a routing form and book on the calendar it routes to: {answers: [{question_id, value}], start_time, booking_form} (hookline extension)',
      tags: ['Routing forms'],
      params: idParams,
      body: open,
      response: replies,
    },
    handler: (request) => routing.submitForm(ctx, accountOf(request), request.params.id, request.body),
  });
}
