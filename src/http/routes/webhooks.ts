// /v2/webhooks: OnceHub's four operations, plus hookline's extensions (PATCH, view secret).
import type { FastifyInstance } from 'fastify';
import { SUBSCRIBABLE } from '../../webhooks/event-types.js';
import * as webhooks from '../../webhooks/service.js';
import { accountOf } from '../auth.js';
import { listQuerystring, listRequest, type ListSpec } from '../list-query.js';
import { sendPage } from '../pagination.js';
import { errorResponses, listOf, notFoundResponse, ref } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'The webhook id, e.g. WHK-7JD9LBVZTQ.' } },
} as const;

const fields = {
  name: { type: 'string', description: 'Unique in the account (ignoring case); at least one letter or digit; trimmed; at most 100 characters.' },
  url: { type: 'string', description: 'An absolute https:// URL that receives the POST requests.' },
  events: {
    type: 'array',
    minItems: 1,
    items: { type: 'string', enum: SUBSCRIBABLE },
    description: 'Event types; `booking` and `conversation` stand for every type of their kind.',
  },
} as const;

const tags = ['Webhooks'];
const WEBHOOK_LIST: ListSpec = { dates: { creation_time: 'created_at' } };

export function webhookRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  app.post<{ Body: webhooks.CreateWebhookInput }>('/v2/webhooks', {
    schema: {
      operationId: 'create-a-webhook',
      summary: 'Create a webhook',
      tags,
      body: { type: 'object', additionalProperties: false, required: ['name', 'url', 'events'], properties: fields },
      response: { 200: ref('Webhook'), ...errorResponses, 409: { description: 'Name taken', ...ref('Error') } },
    },
    handler: (request) => webhooks.createWebhook(ctx, accountOf(request), request.body),
  });

  app.get<{ Querystring: Record<string, unknown> }>('/v2/webhooks', {
    schema: {
      operationId: 'list-all-webhooks',
      summary: 'List all webhooks, newest first',
      tags,
      querystring: listQuerystring(WEBHOOK_LIST),
      response: { 200: listOf('Webhook'), ...errorResponses },
    },
    handler: async (request, reply) => {
      const list = listRequest(request.query, WEBHOOK_LIST);
      const page = await webhooks.listWebhooks(ctx, accountOf(request), list.page);
      return sendPage(request, reply, page, ctx.config.publicUrl, list.filters);
    },
  });

  app.get<{ Params: { id: string } }>('/v2/webhooks/:id', {
    schema: {
      operationId: 'get-a-single-webhook',
      summary: 'Get a webhook (without its secret)',
      tags,
      params: idParams,
      response: { 200: ref('Webhook'), ...errorResponses, ...notFoundResponse },
    },
    handler: (request) => webhooks.getWebhook(ctx, accountOf(request), request.params.id),
  });

  app.patch<{ Params: { id: string }; Body: webhooks.UpdateWebhookInput }>('/v2/webhooks/:id', {
    schema: {
      operationId: 'update-a-webhook',
      summary: 'Update a webhook (hookline extension)',
      description: 'Changes any of name, url, events and status, with the same rules as creation.',
      tags,
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...fields,
          status: { type: 'string', enum: ['enabled', 'disabled'] },
          replay_since: { type: 'string', format: 'date-time', description: 'With status "enabled": also send again what failed or was skipped since this time.' },
        },
      },
      response: { 200: ref('Webhook'), ...errorResponses, ...notFoundResponse, 409: { description: 'Name taken', ...ref('Error') } },
    },
    handler: (request) => webhooks.updateWebhook(ctx, accountOf(request), request.params.id, request.body),
  });

  app.delete<{ Params: { id: string } }>('/v2/webhooks/:id', {
    schema: {
      operationId: 'delete-a-webhook',
      summary: 'Delete a webhook for good',
      tags,
      params: idParams,
      response: { 200: ref('DeletedObject'), ...errorResponses, ...notFoundResponse },
    },
    handler: (request) => webhooks.deleteWebhook(ctx, accountOf(request), request.params.id),
  });

  app.get<{ Params: { id: string } }>('/v2/webhooks/:id/secret', {
    schema: {
      operationId: 'get-a-webhook-secret',
      summary: "View a webhook's signing secret (hookline extension)",
      tags,
      params: idParams,
      response: { 200: ref('WebhookSecret'), ...errorResponses, ...notFoundResponse },
    },
    handler: (request) => webhooks.getWebhookSecret(ctx, accountOf(request), request.params.id),
  });
}
