// /v2/session: admins of an account sign in to the web page with e-mail and password (hookline
// extension). The session lives in an HTTP-only cookie; the answer carries the CSRF token the page
// must send back in the X-CSRF-Token header on every state-changing request.
import type { FastifyInstance } from 'fastify';
import { SESSION_TTL_MS, signIn, signOut, type AdminSession } from '../../admins/service.js';
import { createSignInThrottle } from '../../admins/throttle.js';
import { HooklineError } from '../../errors.js';
import { SESSION_COOKIE, clearSessionCookie, sessionOf, setSessionCookie } from '../auth.js';
import { errorResponses } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const tags = ['Session'];

export const sessionSchema = {
  type: 'object',
  required: ['object', 'email', 'account_id', 'account_name', 'csrf_token'],
  properties: {
    object: { type: 'string', const: 'session' },
    email: { type: 'string' },
    account_id: { type: 'string' },
    account_name: { type: 'string' },
    csrf_token: { type: 'string', description: 'Send it back in the X-CSRF-Token header of every POST, PATCH and DELETE.' },
  },
} as const;

export const sessionBody = (s: AdminSession) => ({ object: 'session', email: s.email, account_id: s.accountId, account_name: s.accountName, csrf_token: s.csrfToken });

export function sessionRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  const throttle = createSignInThrottle(ctx.clock);

  app.post<{ Body: { email: string; password: string } }>('/v2/session', {
    config: { public: true },
    schema: {
      operationId: 'sign-in',
      summary: 'Sign in to the web page with e-mail and password (hookline extension)',
      tags,
      security: [],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'password'],
        properties: { email: { type: 'string', maxLength: 320 }, password: { type: 'string', maxLength: 1024 } },
      },
      response: { 200: sessionSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const key = `${request.body.email.trim().toLowerCase()} ${request.ip}`;
      const waitMs = throttle.waitFor(key);
      if (waitMs > 0) {
        void reply.header('Retry-After', Math.ceil(waitMs / 1000));
        throw new HooklineError('rate_limit', `Too many failed sign-ins: try again in ${Math.ceil(waitMs / 60_000)} minutes.`);
      }
      try {
        const { token, session } = await signIn(ctx, request.body.email, request.body.password);
        throttle.succeeded(key);
        setSessionCookie(ctx, request, reply, token, SESSION_TTL_MS);
        return sessionBody(session);
      } catch (err) {
        if (err instanceof HooklineError && err.kind === 'authentication') throttle.failed(key);
        throw err;
      }
    },
  });

  app.get('/v2/session', {
    config: { public: true },
    schema: {
      operationId: 'get-session',
      summary: 'Who is signed in (hookline extension)',
      tags,
      security: [],
      response: { 200: sessionSchema, ...errorResponses },
    },
    handler: async (request) => {
      const session = await sessionOf(ctx, request);
      if (!session) throw new HooklineError('authentication', 'Not signed in.');
      return sessionBody(session);
    },
  });

  app.delete('/v2/session', {
    schema: {
      operationId: 'sign-out',
      summary: 'Sign out: ends the session (hookline extension)',
      tags,
      response: { 200: { type: 'object', properties: { signed_out: { type: 'boolean' } } }, ...errorResponses },
    },
    handler: async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie !== undefined) await signOut(ctx, cookie);
      clearSessionCookie(reply);
      return { signed_out: true };
    },
  });
}
