// /v2/api-keys (hookline extension): an account's admins create API keys (shown once), list them by
// label and last use (never the keys themselves), and revoke them. Only a signed-in admin (the web
// page's session) may: an API key cannot mint or revoke keys.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createApiKey, type ApiKeyRow } from '../../accounts/service.js';
import { listApiKeys, revokeAccountApiKey } from '../../accounts/store.js';
import { isoTime } from '../../clock.js';
import { HooklineError, invalid, notFound } from '../../errors.js';
import { accountOf } from '../auth.js';
import { errorResponses, notFoundResponse } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tags = ['API keys'];

const keySchema = {
  type: 'object',
  required: ['object', 'id', 'label', 'hint', 'creation_time', 'last_used_time', 'revoked_time'],
  properties: {
    object: { type: 'string', const: 'api_key' },
    id: { type: 'string' },
    label: { type: 'string' },
    hint: { type: 'string', description: 'The first 8 and last 4 characters of the key.' },
    creation_time: { type: 'string', format: 'date-time' },
    last_used_time: { type: ['string', 'null'], format: 'date-time', description: 'Updated at most once a minute.' },
    revoked_time: { type: ['string', 'null'], format: 'date-time' },
    key: { type: 'string', description: 'The key itself: in the answer to its creation only.' },
  },
} as const;

const toObject = (k: ApiKeyRow) => ({
  object: 'api_key' as const,
  id: k.id,
  label: k.label,
  hint: k.key_hint,
  creation_time: isoTime(k.created_at),
  last_used_time: k.last_used_at === null ? null : isoTime(k.last_used_at),
  revoked_time: k.revoked_at === null ? null : isoTime(k.revoked_at),
});

function adminAccount(request: FastifyRequest): string {
  if (request.principal?.adminId === undefined) {
    throw new HooklineError('authentication', 'API keys are managed by a signed-in admin, from the web page.');
  }
  return accountOf(request);
}

export function apiKeyRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  app.get('/v2/api-keys', {
    schema: {
      operationId: 'list-api-keys',
      summary: "List the account's API keys, never the keys themselves (hookline extension)",
      tags,
      response: { 200: { type: 'object', required: ['object', 'data'], properties: { object: { type: 'string' }, data: { type: 'array', items: keySchema } } }, ...errorResponses },
    },
    handler: async (request) => {
      const keys = await listApiKeys(ctx.db, adminAccount(request));
      return { object: 'list', data: keys.reverse().map(toObject) };
    },
  });

  app.post<{ Body: { label: string } }>('/v2/api-keys', {
    schema: {
      operationId: 'create-an-api-key',
      summary: 'Create an API key, shown in this answer only (hookline extension)',
      tags,
      body: { type: 'object', additionalProperties: false, required: ['label'], properties: { label: { type: 'string', maxLength: 100 } } },
      response: { 200: keySchema, ...errorResponses },
    },
    handler: async (request) => {
      const accountId = adminAccount(request);
      const label = request.body.label.trim();
      if (!/[\p{L}\p{N}]/u.test(label)) throw invalid('The label must contain at least one letter or digit.', 'label');
      const issued = await createApiKey(ctx, accountId, label);
      return { ...toObject(issued.key), key: issued.plaintext };
    },
  });

  app.delete<{ Params: { id: string } }>('/v2/api-keys/:id', {
    schema: {
      operationId: 'revoke-an-api-key',
      summary: 'Revoke an API key at once (hookline extension)',
      tags,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      response: { 200: { type: 'object', properties: { id: { type: 'string' }, revoked: { type: 'boolean' } } }, ...errorResponses, ...notFoundResponse },
    },
    handler: async (request) => {
      const accountId = adminAccount(request);
      if (!(await revokeAccountApiKey(ctx.db, accountId, request.params.id, ctx.clock.now()))) {
        throw notFound(`No such active API key: '${request.params.id}'`, 'id');
      }
      return { id: request.params.id, revoked: true };
    },
  });
}
