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
    disabled_reason: { type: ['string', 'null'], description: 'hookline extension: why the webhook is disabled (by its owner, 410 Gone, or retries exhausted).' },
    disabled_time: { type: ['string', 'null'], format: 'date-time', description: 'hookline extension: when hookline disabled it.' },
    delivery_health: {
      type: 'object',
      required: ['state', 'since', 'resume_time'],
      description:
        'hookline extension: how its receiver behaves, as the delivery workers last saw it. healthy; slowed (fewer attempts at once after timeouts or connection failures, grown back as it answers); backing_off (it kept failing for minutes: no attempt until resume_time, then one probe).',
      properties: {
        state: { type: 'string', enum: ['healthy', 'slowed', 'backing_off'] },
        since: { type: ['string', 'null'], format: 'date-time', description: 'When it entered this state (null: healthy since created).' },
        resume_time: { type: ['string', 'null'], format: 'date-time', description: 'While backing off: when the next probe may be sent.' },
      },
    },
    secret: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Only returned at creation.' },
  },
} as const;

export const secretSchema = {
  $id: 'WebhookSecret',
  type: 'object',
  required: ['object', 'id', 'secret', 'standard_webhooks_secret', 'previous_secret_expires_time'],
  properties: {
    object: { type: 'string', const: 'webhook_secret' },
    id: { type: 'string' },
    secret: { type: 'string', description: 'Key of the Oncehub-Signature HMAC, used as UTF-8 bytes.' },
    standard_webhooks_secret: { type: 'string', description: 'The same key as `whsec_` + base64, for the standardwebhooks and svix verifiers.' },
    previous_secret_expires_time: { type: ['string', 'null'], format: 'date-time', description: 'After a rotation: until when the previous secret also signs.' },
  },
} as const;

export const attemptSchema = {
  $id: 'Attempt',
  type: 'object',
  required: ['object', 'id', 'attempt_time', 'duration_ms', 'status_code', 'error_kind', 'error_message', 'response_excerpt', 'next_retry_time'],
  properties: {
    object: { type: 'string', const: 'attempt' },
    id: { type: 'string' },
    attempt_time: { type: 'string', format: 'date-time' },
    duration_ms: { type: 'integer' },
    status_code: { type: ['integer', 'null'], description: 'The HTTP status the receiver answered, if it answered.' },
    error_kind: { type: ['string', 'null'], enum: ['http_status', 'timeout', 'dns', 'tls', 'refused_address', 'connection', null] },
    error_message: { type: ['string', 'null'] },
    response_excerpt: { type: ['string', 'null'], description: 'The first KiB of the response body.' },
    next_retry_time: { type: ['string', 'null'], format: 'date-time', description: 'When the next attempt is due, if one is.' },
  },
} as const;

export const deliverySchema = {
  $id: 'Delivery',
  type: 'object',
  required: ['object', 'id', 'event_id', 'event_type', 'test', 'webhook_id', 'state', 'in_flight', 'attempt_count', 'next_attempt_time', 'creation_time', 'attempts'],
  properties: {
    object: { type: 'string', const: 'delivery' },
    id: { type: 'string' },
    event_id: { type: 'string' },
    event_type: { type: ['string', 'null'] },
    test: { type: 'boolean', description: 'The delivery of a test send (POST /v2/webhooks/{id}/test): a sample event, tried once.' },
    webhook_id: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'skipped'] },
    in_flight: { type: 'boolean', description: 'An attempt is being made right now.' },
    attempt_count: { type: 'integer' },
    next_attempt_time: { type: ['string', 'null'], format: 'date-time' },
    creation_time: { type: 'string', format: 'date-time' },
    attempts: { type: 'array', items: ref('Attempt') },
  },
} as const;

export const eventSchema = {
  $id: 'Event',
  type: 'object',
  required: ['id', 'object', 'creation_time', 'type', 'api_version', 'data'],
  properties: {
    id: { type: 'string', pattern: '^EVNT-[A-Z0-9]{10}$' },
    object: { type: 'string', const: 'event' },
    creation_time: { type: 'string', format: 'date-time' },
    type: { type: 'string' },
    api_version: { type: 'string', const: 'v2' },
    data: { type: 'object', additionalProperties: true, description: 'The booking or conversation object.' },
    deliveries: { type: 'array', items: ref('Delivery'), description: 'hookline extension, on GET /v2/events/{id}: the delivery to each webhook.' },
  },
} as const;

export const deletedSchema = {
  $id: 'DeletedObject',
  type: 'object',
  required: ['id', 'deleted'],
  properties: { id: { type: 'string' }, deleted: { type: 'boolean', const: true } },
} as const;

export const SHARED_SCHEMAS = [errorSchema, webhookSchema, secretSchema, deletedSchema, attemptSchema, deliverySchema, eventSchema];

/**
 * A route's serializer that writes its answer as plain JSON. The scheduling side's response schemas
 * document the objects (tests check real answers against them) but do not shape them, so an object
 * is never cut to what a schema lists.
 */
export const plainJson = () => (data: unknown) => JSON.stringify(data);

export function ref(id: string) {
  return { $ref: `${id}#` };
}

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
