// Every /v2 route needs an API-Key header, as OnceHub's API does, unless it is marked public.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, type Principal } from '../accounts/service.js';
import type { AppContext } from '../context.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Reachable without an API key (the OpenAPI document, guest links). */
    public?: boolean;
    /** Not counted by the rate limit. */
    unlimited?: boolean;
  }
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    request.principal = await authenticate(ctx, request.headers['api-key']);
  });
}

/** The account of an authenticated request (set by the hook above). */
export function accountOf(request: FastifyRequest): string {
  if (!request.principal) throw new Error('route reached without authentication');
  return request.principal.accountId;
}
