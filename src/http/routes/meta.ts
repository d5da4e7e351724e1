// GET /v2/test (OnceHub's key check), the OpenAPI document, and health checks for load balancers
// and orchestrators: /healthz says the process answers, /readyz that it can reach its database.
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas.js';
import type { RouteDeps } from './deps.js';

export function metaRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const open = { public: true, unlimited: true };
  const status = { type: 'object', required: ['status'], properties: { status: { type: 'string' }, reason: { type: 'string' } } } as const;
  app.get('/healthz', {
    config: open,
    schema: { operationId: 'health', summary: 'Liveness: the process answers', tags: ['Meta'], security: [], response: { 200: status } },
    handler: async () => ({ status: 'ok' }),
  });
  app.get('/readyz', {
    config: open,
    schema: { operationId: 'readiness', summary: 'Readiness: the database answers', tags: ['Meta'], security: [], response: { 200: status, 503: status } },
    handler: async (_request, reply) => {
      try {
        await ctx.db.get('SELECT 1 AS ok');
        return { status: 'ready' };
      } catch (err) {
        ctx.logger.warn({ err }, 'readiness check: the database does not answer');
        return reply.status(503).send({ status: 'unavailable', reason: 'the database does not answer' });
      }
    },
  });

  app.get('/v2/test', {
    schema: {
      operationId: 'test-api-key',
      summary: 'Check an API key',
      tags: ['Meta'],
      response: {
        200: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
        ...errorResponses,
      },
    },
    handler: async (request) => ({ message: `The API key is valid for account: ${request.principal?.accountName ?? ''}` }),
  });

  app.get('/v2/openapi.json', {
    config: { public: true, unlimited: true },
    schema: { hide: true },
    handler: async () => app.swagger(),
  });
}
