// JSON Schemas of the API's objects. Routes use them to validate requests and to serialise
// responses, and the OpenAPI document is generated from the same routes, so it cannot drift.
import { SUBSCRIBABLE } from '../webhooks/event-types.js';

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['type', 'message'],
  properties: {
    type: { type: 'string', enum: ['authentication_error', 'invalid_request_error', 'rate_limit_error', 'api_error'] },
    message: { type: 'string' },
    param: { type: 'string', description: 'The parameter the error is about, when there is one.' },
  },
} as const;

export const webhookSchema = {
  $id: 'Webhook',
  type: 'object',
  required: ['object', 'id', 'api_version', 'name', 'url', 'events', 'creation_time', 'status'],
  properties: {
    object: { type: 'string', const: 'webhook' },
    id: { type: 'string', pattern: '^WHK-[A-Z0-9]{10}$', examples: ['WHK-7JD9LBVZTQ'] },
    api_version: { type: 'string', const: 'v2' },
    name: { type: 'string' },
    url: { type: 'string', format: 'uri' },
    events: { type: 'array', items: { type: 'string', enum: SUBSCRIBABLE } },
    creation_time: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['enabled', 'disabled'], description: 'hookline extension: disabled webhooks receive no deliveries.' },
    secret: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Only returned at creation.' },
  },
} as const;

export const secretSchema = {
  $id: 'WebhookSecret',
  type: 'object',
  required: ['object', 'id', 'secret'],
  properties: {
    object: { type: 'string', const: 'webhook_secret' },
    id: { type: 'string' },
    secret: { type: 'string' },
  },
} as const;

export const deletedSchema = {
  $id: 'DeletedObject',
  type: 'object',
  required: ['id', 'deleted'],
  properties: { id: { type: 'string' }, deleted: { type: 'boolean', const: true } },
} as const;

export const SHARED_SCHEMAS = [errorSchema, webhookSchema, secretSchema, deletedSchema];

export const ref = (id: string) => ({ $ref: `${id}#` });

export function listOf(itemId: string) {
  return {
    type: 'object',
    required: ['object', 'data', 'has_more'],
    properties: { object: { type: 'string', const: 'list' }, data: { type: 'array', items: ref(itemId) }, has_more: { type: 'boolean' } },
  } as const;
}

export const paginationQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'How many objects to return, 1 to 100.' },
    after: { type: 'string', description: 'An object id: return the objects older than it (the next page).' },
    before: { type: 'string', description: 'An object id: return the objects newer than it (the previous page).' },
  },
} as const;

/** Standard error responses; each route adds its own successes. */
export const errorResponses = {
  400: { description: 'Invalid request', ...ref('Error') },
  401: { description: 'Invalid API key', ...ref('Error') },
  429: { description: 'Rate limit exceeded', ...ref('Error') },
} as const;

export const notFoundResponse = { 404: { description: 'No such object', ...ref('Error') } } as const;
