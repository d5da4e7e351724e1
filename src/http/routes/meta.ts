// GET /v2/test (OnceHub's key check), the OpenAPI document, and the routes every role serves for
// load balancers, orchestrators and Prometheus: /healthz says the process answers, /readyz that it
// can reach its database, /metrics gives the Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { answerWithin } from '../../storage/db.js';
import { errorResponses } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const open = { public: true, unlimited: true };
/** /readyz answers 503 when the database has not answered by then: one out of reach often stays silent. */
const READY_TIMEOUT_MS = 2_000;

/** /healthz, /readyz and /metrics: no API key, no rate limit. (The worker role's server has only these.) */
export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
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
        await answerWithin(ctx.db.get('SELECT 1 AS ok'), READY_TIMEOUT_MS);
        return { status: 'ready' };
      } catch (err) {
        ctx.logger.warn({ err }, 'readiness check: the database does not answer');
        return reply.status(503).send({ status: 'unavailable', reason: 'the database does not answer' });
      }
    },
  });
  app.get('/metrics', {
    config: open,
    schema: { hide: true },
    handler: async (_request, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.render()),
  });
}

export function metaRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  healthRoutes(app, ctx);

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
