// Every /v2 route needs an API-Key header, as OnceHub's API does, unless it is marked public. The
// account interface (the web page) authenticates instead with an admin's session cookie; any
// state-changing request it makes must also carry the session's CSRF token in a header.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Principal } from '../accounts/service.js';
import { csrfMatches, findSession, type AdminSession } from '../admins/service.js';
import type { AppContext } from '../context.js';
import { HooklineError } from '../errors.js';

export const SESSION_COOKIE = 'hookline_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
    const route = request.routeOptions.url;
    if (route !== undefined && !route.startsWith('/v2/')) return; // the web page's files
    const apiKey = request.headers['api-key'];
    const cookie = request.cookies[SESSION_COOKIE];
    if (apiKey === undefined && cookie !== undefined) {
      request.principal = await sessionPrincipal(ctx, request, cookie);
      return;
    }
    request.principal = await authenticate(ctx, apiKey);
  });
}

async function sessionPrincipal(ctx: AppContext, request: FastifyRequest, cookie: string): Promise<Principal> {
  const session = await findSession(ctx, cookie);
  if (!session) throw new HooklineError('authentication', 'Your session has ended: sign in again.');
  if (!SAFE_METHODS.has(request.method) && !csrfMatches(session, request.headers[CSRF_HEADER])) {
    throw new HooklineError('authentication', `Missing or invalid ${CSRF_HEADER} header: reload the page.`);
  }
  return { accountId: session.accountId, accountName: session.accountName, adminId: session.adminId, sessionId: session.sessionId };
}

/** The session of a request made by the web page, if it carries a live one. */
export async function sessionOf(ctx: AppContext, request: FastifyRequest): Promise<AdminSession | undefined> {
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie === undefined ? undefined : findSession(ctx, cookie);
}

/** HTTP-only, same-site only, and Secure whenever the page is served over https. */
export function setSessionCookie(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, token: string, maxAgeMs: number): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https' || (ctx.config.publicUrl ?? '').startsWith('https:'),
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** The account of an authenticated request (set by the hook above). */
export function accountOf(request: FastifyRequest): string {
  if (!request.principal) throw new Error('route reached without authentication');
  return request.principal.accountId;
}
