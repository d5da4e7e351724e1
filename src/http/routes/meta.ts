// GET /v2/test (OnceHub's key check) and the OpenAPI document.
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas.js';

export function metaRoutes(app: FastifyInstance): void {
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
