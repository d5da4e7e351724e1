// Booking hubs and routing forms (hookline extensions: OnceHub's are built in its app).
import type { FastifyInstance } from 'fastify';
import * as routing from '../../scheduling/routing.js';
import { accountOf } from '../auth.js';
import { listQuerystring, listRequest, type ListSpec } from '../list-query.js';
import { sendPage } from '../pagination.js';
import { formBody, hubBody, hubScheduleBody, submitBody } from '../scheduling-schemas.js';
import { errorResponses, listOf, notFoundResponse, plainJson, ref } from '../schemas.js';
import type { PageRequest } from '../../storage/pagination.js';
import type { RouteDeps } from './deps.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const replies = (id: string) => ({ 200: ref(id), ...errorResponses, ...notFoundResponse }) as const;
const busy = { 409: { description: 'No host free then', ...ref('Error') } } as const;
const CREATED: ListSpec = { dates: { creation_time: 'created_at' } };
const serializerCompiler = plainJson;

export function routingRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const resource = (
    path: string,
    tag: string,
    noun: string,
    item: string,
    body: object,
    ops: {
      create: (a: string, body: Record<string, unknown>) => Promise<unknown>;
      get: (a: string, id: string) => Promise<unknown>;
      list: (a: string, page: PageRequest) => Promise<Parameters<typeof sendPage>[2]>;
    },
  ) => {
    const tags = [tag];
    app.post<{ Body: Record<string, unknown> }>(path, {
      serializerCompiler,
      schema: { operationId: `create-a-${noun}`, summary: `Create a ${noun.replace('-', ' ')} (hookline extension)`, tags, body, response: replies(item) },
      handler: (request) => ops.create(accountOf(request), request.body),
    });
    app.get<{ Querystring: Record<string, unknown> }>(path, {
      serializerCompiler,
      schema: { operationId: `list-all-${noun}s`, summary: `List ${noun.replace('-', ' ')}s (hookline extension)`, tags, querystring: listQuerystring(CREATED), response: { 200: listOf(item), ...errorResponses } },
      handler: async (request, reply) => {
        const list = listRequest(request.query, CREATED);
        return sendPage(request, reply, await ops.list(accountOf(request), list.page), ctx.config.publicUrl, list.filters);
      },
    });
    app.get<{ Params: { id: string } }>(`${path}/:id`, {
      serializerCompiler,
      schema: { operationId: `get-a-single-${noun}`, summary: `Get a ${noun.replace('-', ' ')} (hookline extension)`, tags, params: idParams, response: replies(item) },
      handler: (request) => ops.get(accountOf(request), request.params.id),
    });
  };

  resource('/v2/booking-hubs', 'Booking hubs', 'booking-hub', 'BookingHub', hubBody, {
    create: (a, body) => routing.createHub(ctx, a, body),
    get: (a, id) => routing.getHub(ctx, a, id),
    list: (a, page) => routing.listHubs(ctx, a, page),
  });
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/v2/booking-hubs/:id/schedule', {
    serializerCompiler,
    schema: {
      operationId: 'schedule-through-a-booking-hub',
      summary: 'Book through a hub: {start_time, booking_form, booking_calendar (guest_choice mode)} (hookline extension)',
      tags: ['Booking hubs'],
      params: idParams,
      body: hubScheduleBody,
      response: { ...replies('Booking'), ...busy },
    },
    handler: (request) => routing.scheduleThroughHub(ctx, accountOf(request), request.params.id, request.body),
  });

  resource('/v2/routing-forms', 'Routing forms', 'routing-form', 'RoutingForm', formBody, {
    create: (a, body) => routing.createForm(ctx, a, body),
    get: (a, id) => routing.getForm(ctx, a, id),
    list: (a, page) => routing.listForms(ctx, a, page),
  });
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/v2/routing-forms/:id/submit', {
    serializerCompiler,
    schema: {
      operationId: 'submit-a-routing-form',
      summary: 'Answer a routing form and book on the calendar it routes to: {answers: [{question_id, value}], start_time, booking_form} (hookline extension)',
      tags: ['Routing forms'],
      params: idParams,
      body: submitBody,
      response: { ...replies('RoutingResult'), ...busy },
    },
    handler: (request) => routing.submitForm(ctx, accountOf(request), request.params.id, request.body),
  });
}
